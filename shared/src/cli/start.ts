/**
 * `npm start`: the whole product on its embedded defaults — PGlite served on loopback, MailDev,
 * the idp, the built portal and the demo tool — each in its own process, as in production, with
 * their JSON logs shown readable. A development tool: production runs the built services
 * (README « Production »).
 */
import '../node-version'
import { spawn, spawnSync, type ChildProcess } from 'node:child_process'
import { createReadStream, existsSync, readdirSync, statSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import pretty from 'pino-pretty'
import { importCompanies } from '../company-import'
import { configToEnvironment, loadConfig, type Config } from '../config'
import { connectDatabase, locateDatabase, type DatabaseLocation } from '../db/database'
import { ConfigError } from '../errors'
import { demoToolClient, registerPortalClient } from '../platform-clients'
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
    await registerPortalClient(db, config)
    await createClientQueries(db).save(demoToolClient(config))
    const report = await importCompanies(db, createReadStream(DEMO_COMPANIES), { hmacKey: config.secrets.memberCodeHmacKey })
    say(`Entreprises de démonstration : ${report.created} créée(s), ${report.updated + report.unchanged} déjà présente(s).`)
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

/** Waits until `url` answers without a server error (/readyz answers 503 until the service can serve). */
async function waitUntilAnswering(url: string, name: string, deadline = Date.now() + 60_000): Promise<void> {
  while (Date.now() < deadline) {
    try {
      if ((await fetch(url, { redirect: 'manual' })).status < 500) return
    } catch {
      // Not listening yet.
    }
    await new Promise((resolve) => setTimeout(resolve, 250))
  }
  throw new ConfigError(`${name} ne répond pas sur ${url}.`)
}

/**
 * The services write one JSON line per event (pino): shown here as a person reads them. Lines
 * that are not JSON (Next.js, MailDev) pass as they are.
 */
const readableLogs = () => pretty({ colorize: Boolean(process.stdout.isTTY), translateTime: 'SYS:HH:MM:ss', ignore: 'pid,hostname' })

runMain(async () => {
  const config = loadConfig()
  if (config.env === 'production') {
    throw new ConfigError(
      "npm start est l'environnement de développement (base embarquée, MailDev, outil de démonstration) : en production, lancez les services construits (README, section « Production »).",
    )
  }
  const location = await locateDatabase(config, { startEmbedded: true })
  say(location.origin === 'embedded' ? `Base embarquée (PGlite) : ${config.dataDir}/pglite` : 'Base PostgreSQL : DATABASE_URL')
  await prepareDatabase(config, location)

  // No load balancer to wait for here: Ctrl+C stops the services without a drain.
  const env = { ...process.env, ...configToEnvironment(config, location.url), SHUTDOWN_DRAIN_MS: '0', NEXT_TELEMETRY_DISABLED: '1' }
  // Next.js builds and serves in production mode only; the portal gets every setting explicitly.
  const portalEnv = { ...env, NODE_ENV: 'production' }
  buildPortalIfNeeded(portalEnv)

  const children: ChildProcess[] = []
  let stopping = false
  const running = () => children.filter((child) => child.exitCode === null && child.signalCode === null)
  const stopAll = async () => {
    stopping = true
    for (const child of running()) child.kill('SIGTERM')
    const killer = setTimeout(() => running().forEach((child) => child.kill('SIGKILL')), config.shutdown.timeoutMs)
    await Promise.all(running().map((child) => new Promise((resolve) => child.once('exit', resolve))))
    clearTimeout(killer)
    await location.release()
  }
  const start = (name: string, args: string[], childEnv = env) => {
    const child = spawn(process.execPath, args, { cwd: root, env: childEnv, stdio: ['ignore', 'pipe', 'inherit'] })
    child.stdout.pipe(readableLogs())
    child.once('exit', (code) => {
      if (stopping) return
      console.error(`[npm start] ${name} s'est arrêté (code ${code}) : arrêt de l'ensemble.`)
      void stopAll().finally(() => process.exit(1))
    })
    children.push(child)
  }
  onShutdown(stopAll, {
    timeoutMs: config.shutdown.timeoutMs + 15_000,
    // A second Ctrl+C: no more waiting.
    onRepeatedSignal() {
      say('Arrêt immédiat.')
      for (const child of running()) child.kill('SIGKILL')
      process.exit(130)
    },
  })

  if (config.developmentMailbox) {
    start('MailDev', [
      maildevBin,
      ...['--smtp', String(config.maildev.smtpPort), '--web', String(config.maildev.webPort)],
      ...['--ip', '127.0.0.1', '--web-ip', '127.0.0.1', '--mail-directory', path.join(config.dataDir, 'maildev')],
    ])
  }
  start('idp', ['--import', 'tsx', 'idp/src/main.ts'])
  start('portail', ['--import', 'tsx', 'portal/server.ts'], portalEnv)
  start('outil de démonstration', ['--import', 'tsx', 'tests/demo-tool/server.ts'])

  await Promise.all([
    waitUntilAnswering(`${config.idp.issuer}/readyz`, "Le fournisseur d'identité"),
    waitUntilAnswering(`${config.portal.url}/readyz`, 'Le portail'),
    waitUntilAnswering(config.demoTool.url, "L'outil de démonstration"),
    ...(config.developmentMailbox ? [waitUntilAnswering(`http://127.0.0.1:${config.maildev.webPort}`, 'MailDev')] : []),
  ])
  say('Tout est démarré :')
  say(`  Portail Web Services Entreprise : ${config.portal.url}`)
  say(`  Fournisseur d'identité (issuer)  : ${config.idp.issuer}`)
  say(`  Outil de démonstration          : ${config.demoTool.url}`)
  if (config.developmentMailbox) say(`  Boîte mail de développement     : http://localhost:${config.maildev.webPort}`)
  say(`  Métriques (Prometheus)          : http://${config.metrics.host}:${config.idp.metricsPort}/metrics (idp), http://${config.metrics.host}:${config.portal.metricsPort}/metrics (portail)`)
  say('Ctrl+C pour tout arrêter (deux fois : sans attendre).')
})
