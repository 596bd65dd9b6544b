/**
 * `npm start`: the whole product on its embedded defaults — PGlite served on loopback, MailDev,
 * the idp, the built portal and the demo tool — each in its own process, as in production.
 */
import '../node-version'
import { spawn, spawnSync, type ChildProcess } from 'node:child_process'
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { importCompanies } from '../company-import'
import { configToEnvironment, loadConfig, type Config } from '../config'
import { connectDatabase, locateDatabase, type DatabaseLocation } from '../db/database'
import { ConfigError } from '../errors'
import { demoToolClient, portalClient } from '../platform-clients'
import { onShutdown, runMain } from '../process'
import { createClientQueries } from '../queries/clients'

const root = fileURLToPath(new URL('../../../', import.meta.url))
const portalDir = path.join(root, 'portal')
const nextBin = path.join(root, 'node_modules/next/dist/bin/next')
const maildevBin = path.join(root, 'node_modules/maildev/dist/bin/maildev.js')
const DEMO_COMPANIES = path.join(root, 'shared/demo/entreprises-demo.csv')

const say = (message: string) => console.log(`[npm start] ${message}`)

/** Migrates, registers the portal and the demo tool, loads the demo companies. */
async function prepareDatabase(config: Config, location: DatabaseLocation): Promise<void> {
  const db = await connectDatabase(location)
  try {
    await db.migrate.latest()
    const clients = createClientQueries(db)
    await clients.save(portalClient(config))
    await clients.save(demoToolClient(config))
    if (config.env !== 'production') {
      const report = await importCompanies(db, readFileSync(DEMO_COMPANIES, 'utf8'), config.secrets.memberCodeHmacKey)
      say(`Entreprises de démonstration : ${report.created} créée(s), ${report.updated + report.unchanged} déjà présente(s).`)
    }
  } finally {
    await db.destroy()
  }
}

function newestChange(entry: string): number {
  const stats = statSync(entry)
  if (!stats.isDirectory()) return stats.mtimeMs
  return Math.max(stats.mtimeMs, ...readdirSync(entry).filter((name) => !name.startsWith('.next') && name !== 'node_modules').map((name) => newestChange(path.join(entry, name))))
}

/** Builds the portal when it was never built or its sources (or shared's) changed since. */
function buildPortalIfNeeded(env: NodeJS.ProcessEnv): void {
  const buildId = path.join(portalDir, env.PORTAL_DIST_DIR ?? '.next', 'BUILD_ID')
  const sources = [path.join(portalDir, 'app'), path.join(portalDir, 'src'), path.join(portalDir, 'proxy.ts'), path.join(portalDir, 'next.config.ts'), path.join(root, 'shared/src')]
  if (existsSync(buildId) && statSync(buildId).mtimeMs > Math.max(...sources.map(newestChange))) return
  say('Construction du portail (next build, une vingtaine de secondes)…')
  const build = spawnSync(process.execPath, [nextBin, 'build'], { cwd: portalDir, env, stdio: 'inherit' })
  if (build.status !== 0) throw new ConfigError('La construction du portail a échoué (voir ci-dessus).')
}

async function waitUntilAnswering(url: string, name: string, deadline = Date.now() + 60_000): Promise<void> {
  while (Date.now() < deadline) {
    try {
      await fetch(url, { redirect: 'manual' })
      return
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 250))
    }
  }
  throw new ConfigError(`${name} ne répond pas sur ${url}.`)
}

runMain(async () => {
  const config = loadConfig()
  const location = await locateDatabase(config, { startEmbedded: true })
  say(location.origin === 'embedded' ? `Base embarquée (PGlite) : ${config.dataDir}/pglite` : 'Base PostgreSQL : DATABASE_URL')
  await prepareDatabase(config, location)

  const env = { ...process.env, ...configToEnvironment(config, location.url), NEXT_TELEMETRY_DISABLED: '1' }
  // Next.js builds and serves in production mode only; the portal gets every setting explicitly.
  const portalEnv = { ...env, NODE_ENV: 'production' }
  buildPortalIfNeeded(portalEnv)

  const children: ChildProcess[] = []
  let stopping = false
  const stopAll = async () => {
    stopping = true
    for (const child of children) child.kill('SIGTERM')
    await Promise.all(children.map((child) => (child.exitCode === null ? new Promise((resolve) => child.once('exit', resolve)) : undefined)))
    await location.release()
  }
  const start = (name: string, args: string[], cwd = root, childEnv = env) => {
    const child = spawn(process.execPath, args, { cwd, env: childEnv, stdio: 'inherit' })
    child.once('exit', (code) => {
      if (stopping) return
      console.error(`[npm start] ${name} s'est arrêté (code ${code}) : arrêt de l'ensemble.`)
      void stopAll().finally(() => process.exit(1))
    })
    children.push(child)
  }
  onShutdown(stopAll)

  if (config.developmentMailbox) {
    start('MailDev', [
      maildevBin,
      ...['--smtp', String(config.maildev.smtpPort), '--web', String(config.maildev.webPort)],
      ...['--ip', '127.0.0.1', '--web-ip', '127.0.0.1', '--mail-directory', path.join(config.dataDir, 'maildev')],
    ])
  }
  start('idp', ['--import', 'tsx', 'idp/src/main.ts'])
  start('portail', [nextBin, 'start', '--port', String(config.portal.port)], portalDir, portalEnv)
  start('outil de démonstration', ['--import', 'tsx', 'tests/demo-tool/server.ts'])

  await Promise.all([
    waitUntilAnswering(`${config.idp.issuer}/healthz`, "Le fournisseur d'identité"),
    waitUntilAnswering(config.portal.url, 'Le portail'),
    waitUntilAnswering(config.demoTool.url, "L'outil de démonstration"),
    ...(config.developmentMailbox ? [waitUntilAnswering(`http://127.0.0.1:${config.maildev.webPort}`, 'MailDev')] : []),
  ])
  say('Tout est démarré :')
  say(`  Portail Web Services Entreprise : ${config.portal.url}`)
  say(`  Fournisseur d'identité (issuer)  : ${config.idp.issuer}`)
  say(`  Outil de démonstration          : ${config.demoTool.url}`)
  if (config.developmentMailbox) say(`  Boîte mail de développement     : http://localhost:${config.maildev.webPort}`)
  say('Ctrl+C pour tout arrêter.')
})
