/**
 * `npm run test:cluster`: the production build as an operator runs it — 2 idp and 2 portal
 * processes on one PostgreSQL behind HAProxy (deploy/haproxy.cfg, round robin, no stickiness,
 * checks on /readyz) — and the user guide walked through it by an HTTP client that keeps cookies.
 * During the walk: a key rotation that both idp processes publish, one idp process killed
 * (SIGKILL), one portal process stopped (SIGTERM: it drains) and started again, while GET
 * requests keep hammering both services. No step and no request may fail.
 *
 * Needs `npm run build` first (CLUSTER_PRODUCT_DIR: where it was built and installed, by default
 * this checkout) and a PostgreSQL server (CLUSTER_DATABASE_URL, else E2E_ or TEST_DATABASE_URL),
 * on which it creates a database of its own and drops it afterwards.
 */
import '@opcommerce/shared/node-version'
import { randomBytes } from 'node:crypto'
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { messages } from '@opcommerce/portal/src/lib/messages'
import { newPerson, registerValidated, type Person } from '../support/accounts'
import { Browser, type Page } from '../support/browser'
import { freePorts } from '../support/ports'
import { repositoryRoot } from '../support/processes'
import { startSmtpCapture, type SmtpCapture } from '../support/smtp'
import { createDatabase, dropDatabase } from '../e2e/support/database'
import { ClusterProcess, haproxyServers, runToEnd, waitFor } from './processes'

const serverUrl = process.env.CLUSTER_DATABASE_URL || process.env.E2E_DATABASE_URL || process.env.TEST_DATABASE_URL
const productDir = path.resolve(process.env.CLUSTER_PRODUCT_DIR ?? repositoryRoot)
const outputDir = path.join(repositoryRoot, 'test-results/cluster')
const node = process.execPath
const started = Date.now()

const COMPANY = { siren: '732829320', name: 'Entreprise du Cluster', code: 'ADH-CLUSTER' }
const TOOL_SECRET = 'cluster-demo-tool-secret-0123456789abcdefg'

function say(message: string): void {
  console.log(`[cluster ${((Date.now() - started) / 1000).toFixed(1).padStart(5)} s] ${message}`)
}

function check(condition: unknown, message: string, page?: Page): asserts condition {
  if (!condition) throw new Error(`${message}${page ? `\n  at ${page.url} (${page.status}): ${page.text.slice(0, 600)}` : ''}`)
}

/** Whether the page a plain form post led to shows `message` (the portal's flash, across nodes). */
const shows = (page: Page, message: string) => page.text.includes(message)

/** GET requests through HAProxy, on both services, for as long as the walk lasts. */
function startTraffic(urls: string[]) {
  let running = true
  let sent = 0
  const failures: string[] = []
  const loops = urls.map(async (url) => {
    while (running) {
      sent++
      try {
        const response = await fetch(url, { redirect: 'manual' })
        await response.arrayBuffer()
        if (response.status >= 500) failures.push(`${url}: ${response.status}`)
      } catch (error) {
        failures.push(`${url}: ${(error as Error).message}`)
      }
    }
  })
  return {
    async stop() {
      running = false
      await Promise.all(loops)
      return { sent, failures }
    },
  }
}

async function main() {
  if (!serverUrl) throw new Error('Set CLUSTER_DATABASE_URL (or E2E_DATABASE_URL, TEST_DATABASE_URL) to a PostgreSQL server.')
  for (const built of ['idp/dist/main.js', 'shared/dist/migrate.js', 'shared/dist/cli.js', 'portal/.next/standalone/portal/server.js']) {
    if (!existsSync(path.join(productDir, built))) throw new Error(`${built} is missing in ${productDir}: run npm run build first.`)
  }
  rmSync(outputDir, { recursive: true, force: true })
  mkdirSync(outputDir, { recursive: true })

  const databaseName = `opco_cluster_${randomBytes(6).toString('hex')}`
  const databaseUrl = await createDatabase(serverUrl, databaseName)
  const smtp: SmtpCapture = await startSmtpCapture()
  const processes: ClusterProcess[] = []
  try {
    const [haproxyPort, statsPort, toolPort, ...services] = await freePorts(11)
    const port = {
      haproxy: haproxyPort!,
      stats: statsPort!,
      tool: toolPort!,
      idp: services.slice(0, 2),
      idpMetrics: services.slice(2, 4),
      portal: services.slice(4, 6),
      portalMetrics: services.slice(6, 8),
    }
    // Two host names for one HAProxy port, as auth.<domain> and the portal's domain would be.
    const issuer = `http://127.0.0.1:${port.haproxy}`
    const portalUrl = `http://localhost:${port.haproxy}`
    const toolUrl = `http://localhost:${port.tool}`
    const productEnv = {
      PATH: process.env.PATH ?? '',
      NODE_ENV: 'production',
      LOG_LEVEL: 'info',
      DATABASE_URL: databaseUrl,
      SMTP_URL: smtp.url,
      MAIL_POLL_INTERVAL_MS: '200',
      IDP_ISSUER: issuer,
      PORTAL_URL: portalUrl,
      TRUST_PROXY: 'true',
      KEY_RELOAD_INTERVAL_MS: '1000',
      COOKIE_KEYS: 'cluster-cookie-key-0123456789abcdefghijklm',
      SIGNING_KEYS_SECRET: 'cluster-signing-secret-0123456789abcdefgh',
      MEMBER_CODE_HMAC_KEY: 'cluster-hmac-key-0123456789abcdefghijklmn',
      PORTAL_SESSION_SECRET: 'cluster-session-secret-0123456789abcdefgh',
      PORTAL_CLIENT_SECRET: 'cluster-portal-secret-0123456789abcdefghi',
    }
    const product = (file: string) => path.join(productDir, file)
    // The commands production runs, heap bounds included (`exec` makes the shell the node process).
    const { scripts } = JSON.parse(readFileSync(product('package.json'), 'utf8')) as { scripts: Record<string, string> }
    const idps = [0, 1].map(
      (index) =>
        new ClusterProcess(`idp${index + 1}`, 'sh', ['-c', scripts['start:idp']!], { ...productEnv, IDP_PORT: String(port.idp[index]), IDP_METRICS_PORT: String(port.idpMetrics[index]) }, outputDir, productDir),
    )
    const portals = [0, 1].map(
      (index) =>
        new ClusterProcess(`portal${index + 1}`, 'sh', ['-c', scripts['start:portal']!], { ...productEnv, PORTAL_PORT: String(port.portal[index]), PORTAL_METRICS_PORT: String(port.portalMetrics[index]) }, outputDir, productDir),
    )
    const haproxy = new ClusterProcess('haproxy', 'haproxy', ['-db', '-f', path.join(repositoryRoot, 'deploy/haproxy.cfg')], {
      PATH: process.env.PATH ?? '',
      HAPROXY_LOG: 'stdout',
      HAPROXY_BIND: `127.0.0.1:${port.haproxy}`,
      HAPROXY_STATS: `127.0.0.1:${port.stats}`,
      IDP_HOST: '127.0.0.1',
      IDP_1: `127.0.0.1:${port.idp[0]}`,
      IDP_2: `127.0.0.1:${port.idp[1]}`,
      PORTAL_1: `127.0.0.1:${port.portal[0]}`,
      PORTAL_2: `127.0.0.1:${port.portal[1]}`,
    }, outputDir)
    // The demo tool of `npm start`, registered as any other team's tool would be.
    const tool = new ClusterProcess('outil', node, ['--import', 'tsx', path.join(repositoryRoot, 'tests/demo-tool/server.ts')], {
      PATH: process.env.PATH ?? '',
      NODE_ENV: 'test',
      DATA_DIR: path.join(outputDir, 'outil'),
      IDP_ISSUER: issuer,
      DEMO_TOOL_PORT: String(port.tool),
      DEMO_TOOL_URL: toolUrl,
      DEMO_TOOL_CLIENT_SECRET: TOOL_SECRET,
    }, outputDir)
    processes.push(...idps, ...portals, haproxy, tool)
    const statsUrl = `http://127.0.0.1:${port.stats}`

    say(`PostgreSQL database ${databaseName}; product from ${productDir}; logs in ${path.relative(repositoryRoot, outputDir)}/`)
    say(`$ node shared/dist/migrate.js → ${runToEnd(node, [product('shared/dist/migrate.js')], productEnv).replaceAll('\n', ' ')}`)
    const csv = path.join(outputDir, 'entreprises.csv')
    writeFileSync(csv, `siren;name;code_adherent\n${COMPANY.siren};${COMPANY.name};${COMPANY.code}\n`)
    say(`$ node shared/dist/cli.js companies import → ${runToEnd(node, [product('shared/dist/cli.js'), 'companies', 'import', csv], productEnv)}`)
    const registered = runToEnd(node, [product('shared/dist/cli.js'), 'clients', 'create', '--client-id', 'demo-tool', '--client-secret', TOOL_SECRET, '--name', 'Outil de démonstration', '--description', 'Un outil de test.', '--redirect-uri', `${toolUrl}/callback`, '--post-logout-redirect-uri', `${toolUrl}/`, '--url', toolUrl, '--initiate-login-uri', `${toolUrl}/login`, '--tool', '--first-party'], productEnv)
    say(`$ node shared/dist/cli.js clients create --client-id demo-tool … → ${registered}`)

    for (const service of processes) service.start()
    const ready = (url: string) => async () => ((await fetch(url)).status === 200 ? true : undefined)
    await Promise.all([...port.idp, ...port.portal].map((servicePort) => waitFor(`127.0.0.1:${servicePort}/readyz`, ready(`http://127.0.0.1:${servicePort}/readyz`), 60_000)))
    await waitFor('HAProxy sees every process up', async () => (Object.values(await haproxyServers(statsUrl)).every((server) => server.status === 'UP') ? true : undefined))
    await waitFor('the demo tool', ready(toolUrl))
    for (const url of [`${issuer}/readyz`, `${portalUrl}/healthz`, `${issuer}/metrics`]) check((await fetch(url)).status === 404, `${url} is not public`)
    say(`Started: idp1 :${port.idp[0]}, idp2 :${port.idp[1]}, portal1 :${port.portal[0]}, portal2 :${port.portal[1]}, HAProxy :${port.haproxy} (idp ${issuer}, portal ${portalUrl}), all UP; /healthz, /readyz, /metrics not public`)

    const traffic = startTraffic([`${issuer}/.well-known/openid-configuration`, `${issuer}/jwks`, `${portalUrl}/`, `${portalUrl}/auth/login`])
    say('Background traffic: 4 loops of GET requests through HAProxy on both services')

    const alice = newPerson('Alice', 'Martin')
    const bob = newPerson('Bob', 'Durand')
    const aliceBrowser = new Browser()
    const bobBrowser = new Browser()

    // 1. « Créer un compte » from the portal, the validation mail, « Valider la création de mon compte. »
    const landing = await aliceBrowser.get(portalUrl)
    check(landing.text.includes('Pas encore d\'identifiant ?'), 'the portal landing page', landing)
    const signUpHref = landing.document.querySelectorAll('a').find((link) => link.textContent.trim() === 'Créer un compte')?.getAttribute('href')
    check(signUpHref === `${issuer}/inscription`, `« Créer un compte » leads to the idp (${signUpHref})`)
    await registerValidated(aliceBrowser, issuer, smtp, alice)
    say('✓ 1. Alice creates her account on the idp and validates it with the link of her mail')

    // A key rotation, published by both idp processes before it signs.
    const rotated = runToEnd(node, [product('shared/dist/cli.js'), 'keys', 'rotate'], productEnv)
    const kid = /^Clé ([\w-]+) créée/u.exec(rotated)?.[1]
    check(kid, `keys rotate printed a kid: ${rotated}`)
    for (const [index, idpPort] of port.idp.entries()) {
      const waited = Date.now()
      await waitFor(`idp${index + 1} publishing ${kid}`, async () => {
        const { keys } = (await (await fetch(`http://127.0.0.1:${idpPort}/jwks`)).json()) as { keys: { kid: string }[] }
        return keys.some((key) => key.kid === kid) ? true : undefined
      }, 10_000)
      say(`  ↻ keys rotate: idp${index + 1} publishes the new key ${kid.slice(0, 12)}… (${Date.now() - waited} ms after the command)`)
    }

    // 2. « Se connecter aux Web Services »: the portal's login, on the idp, back to the portal.
    const logIn = async (browser: Browser, person: Person) => {
      const login = await browser.get(`${portalUrl}/auth/login`)
      check(login.document.querySelector('input[name="password"]'), 'the login page', login)
      const home = await browser.submit(login, /\/login$/u, { email: person.email, password: person.password })
      check(home.url.startsWith(portalUrl) && home.text.includes(`${person.givenName} ${person.familyName}`), `${person.givenName} lands on the portal, signed in`, home)
      return home
    }
    await logIn(aliceBrowser, alice)
    say('✓ 2. Alice logs in to the portal through the idp')

    // 3. « Ajouter une entreprise »: the first person becomes its administrator.
    const addCompany = async (browser: Browser) => {
      const form = await browser.get(`${portalUrl}/entreprises/ajouter`)
      return browser.submit(form, '/api/entreprises', { siren: COMPANY.siren, code: COMPANY.code })
    }
    const aliceLink = await addCompany(aliceBrowser)
    // Without JavaScript, the redirection of « Votre compte est activé » is the answer itself.
    check(aliceLink.url === `${portalUrl}/entreprises/${COMPANY.siren}` && shows(aliceLink, 'Vous pouvez accéder au portail !') && shows(aliceLink, 'Administrateur'), 'Alice becomes administrator', aliceLink)
    say(`✓ 3. Alice adds ${COMPANY.name}, becomes its administrator: « Vous pouvez accéder au portail ! »`)

    // 4. Bob creates his account, logs in and asks for access.
    await registerValidated(bobBrowser, issuer, smtp, bob)
    await logIn(bobBrowser, bob)
    const bobLink = await addCompany(bobBrowser)
    check(shows(bobLink, messages.link.requestSent), "Bob's request is sent", bobLink)
    say(`✓ 4. Bob creates his account, logs in and asks for access: « ${messages.link.requestSent} »`)

    const servedBeforeKill = Object.fromEntries([...idps, ...portals].map((service) => [service.name, service.logs().filter((line) => line.msg === 'request').length]))
    say(`  Requests served so far: ${Object.entries(servedBeforeKill).map(([name, count]) => `${name} ${count}`).join(', ')}`)
    check(Object.values(servedBeforeKill).every((count) => count > 0), 'every process served requests: HAProxy spreads them')

    // One idp process dies without warning.
    idps[0]!.kill('SIGKILL')
    say(`  ✗ idp1 killed (SIGKILL): ${await idps[0]!.exited()}`)

    // 5. « Gérer les utilisateurs »: Alice approves Bob.
    const members = await aliceBrowser.get(`${portalUrl}/entreprises/${COMPANY.siren}/utilisateurs`)
    check(members.text.includes(`${bob.givenName} ${bob.familyName}`), 'Bob is listed as waiting', members)
    const approval = messages.members.approved(`${bob.givenName} ${bob.familyName}`)
    const approved = await aliceBrowser.submit(members, /\/membres\/[\w-]+$/u, {}, { button: { name: 'action', value: 'approve' } })
    check(shows(approved, approval), 'Alice approves Bob', approved)
    say(`✓ 5. Alice approves Bob in « Gérer les utilisateurs »: « ${approval} »`)

    // One portal process is stopped as a rolling restart does it, then started again.
    const stopping = Date.now()
    portals[1]!.kill('SIGTERM')
    const drained = await portals[1]!.exited()
    check(drained === 0, `portal2 stopped cleanly (${drained})`)
    say(`  ⏻ portal2 stopped (SIGTERM): drained, exited ${drained} after ${((Date.now() - stopping) / 1000).toFixed(1)} s`)
    portals[1]!.start()
    await waitFor('portal2 back UP in HAProxy', async () => ((await haproxyServers(statsUrl))['portal/portal2']?.status === 'UP' ? true : undefined), 60_000)
    say('  ⏵ portal2 started again, back UP in HAProxy')

    // 6. « Liste des outils de l'Opcommerce »: Bob opens the demo tool, signed in by SSO.
    const tools = await bobBrowser.get(`${portalUrl}/outils`)
    const toolHref = tools.document.querySelectorAll('a.tile').find((link) => link.textContent.includes('Outil de démonstration'))?.getAttribute('href')
    check(toolHref, 'the demo tool is in the list of tools', tools)
    const inTool = await bobBrowser.get(new URL(toolHref, tools.url).toString())
    check(inTool.url.startsWith(toolUrl) && inTool.text.includes(`Connecté en tant que ${bob.givenName} ${bob.familyName}`), 'Bob is signed in to the tool without a password', inTool)
    check(inTool.text.includes(COMPANY.siren) && inTool.text.includes('Utilisateur'), 'the tool receives Bob\'s company in the companies claim', inTool)
    say(`✓ 6. Bob opens the demo tool from « Liste des outils »: signed in by SSO, companies = ${COMPANY.siren} (Utilisateur)`)

    // 7. « Se déconnecter »: the portal session, then the SSO session at the idp.
    const portalHome = await bobBrowser.get(`${portalUrl}/outils`)
    // Without JavaScript: the portal's page posts the ID token to the idp, which asks to confirm.
    const handOver = await bobBrowser.submit(portalHome, '/auth/logout')
    const confirm = await bobBrowser.submit(handOver, /\/session\/end$/u)
    const loggedOut = confirm.url.startsWith(portalUrl) ? confirm : await bobBrowser.submit(confirm, /\/session\/end\/confirm$/u, {}, { button: { name: 'logout', value: 'yes' } })
    check(loggedOut.url.startsWith(portalUrl) && loggedOut.text.includes('Se connecter aux Web Services'), 'Bob is back on the portal, signed out', loggedOut)
    const again = await bobBrowser.get(`${portalUrl}/auth/login`)
    check(again.document.querySelector('input[name="password"]'), 'the SSO session ended: the idp asks for the password again', again)
    say('✓ 7. Bob logs out: portal and SSO sessions ended (the idp asks for his password again)')

    const { sent, failures } = await traffic.stop()
    const servers = await haproxyServers(statsUrl)
    say(`Background traffic: ${sent} GET requests, ${failures.length} failed${failures.length ? `: ${failures.slice(0, 5).join('; ')}` : ''}`)
    say(`HAProxy: ${Object.entries(servers).map(([name, server]) => `${name} ${server.status} (retries ${server.retries}, redispatches ${server.redispatches})`).join(', ')}`)
    say(`Requests served: ${[...idps, ...portals].map((service) => `${service.name} ${service.logs().filter((line) => line.msg === 'request').length}`).join(', ')}`)
    // Round robin among busy nodes: which portal served the walk's few posts is chance.
    const [portal, lastPost] = portals.flatMap((service) => service.logs().filter((line) => line.msg === 'request' && line.method === 'POST').map((line) => [service.name, line] as const)).at(-1) ?? []
    check(lastPost && readFileSync(haproxy.logFile, 'utf8').includes(` ${String(lastPost.requestId)}\n`), 'the portal logs the request id HAProxy logs')
    say(`Request ids: ${portal} logged ${String(lastPost.path)} as ${String(lastPost.requestId)}, the id HAProxy gave it and logged too`)
    check(failures.length === 0, 'no background request failed')
    check(servers['idp/idp1']?.status === 'DOWN', 'HAProxy took the killed idp1 out')
    say(`Cluster test passed in ${((Date.now() - started) / 1000).toFixed(1)} s`)
  } catch (error) {
    for (const service of processes) console.error(`--- ${service.name} (last lines of ${service.logFile}):\n${existsSync(service.logFile) ? service.tail(15) : '(not started)'}`)
    throw error
  } finally {
    for (const service of processes) service.kill('SIGKILL')
    await Promise.all(processes.map((service) => service.exited()))
    await smtp.close()
    await dropDatabase(serverUrl, databaseName)
  }
}

main().catch((error: unknown) => {
  console.error(`[cluster] FAILED: ${(error as Error).stack ?? String(error)}`)
  process.exit(1)
})
