/**
 * Starts the real product exactly as `npm start` does (shared/src/cli/start.ts: migrations, the
 * portal and demo tool clients, the demo companies, the portal build when needed, MailDev, idp,
 * portal, demo tool), on the e2e ports, with a fresh DATA_DIR and — when E2E_DATABASE_URL or
 * TEST_DATABASE_URL names a PostgreSQL server — a database of its own on that server.
 */
import { spawn, spawnSync } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { closeSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs'
import net from 'node:net'
import { tmpdir } from 'node:os'
import path from 'node:path'
import type { FullConfig } from '@playwright/test'
import { createDatabase, dropDatabase } from './support/database'
import { ports, STACK_STATE_VARIABLE, urls, type StackState } from './support/stack'
import { stopStack } from './support/process-tree'

const root = path.resolve(import.meta.dirname, '../..')
const READY_LINE = 'Tout est démarré'
/** Companies of the browser suite's own scenarios (beyond the guide), besides the demo ones. */
const E2E_COMPANIES = path.join(root, 'tests/e2e/support/entreprises-e2e.csv')
const START_TIMEOUT = 240_000 // milliseconds: a portal build on 2 cores included

/** Every variable the product reads (shared/src/config.ts): none leaks in from the developer's shell. */
const PRODUCT_VARIABLES = [
  'NODE_ENV', 'LOG_LEVEL', 'DATA_DIR', 'DATABASE_URL', 'SMTP_URL', 'MAIL_FROM', 'MAIL_POLL_INTERVAL_MS', 'OPCO_CONTACT_EMAIL',
  'IDP_PORT', 'IDP_ISSUER', 'PORTAL_PORT', 'PORTAL_URL', 'LOGIN_URL', 'DEMO_TOOL_PORT', 'DEMO_TOOL_URL',
  'MAILDEV_SMTP_PORT', 'MAILDEV_WEB_PORT', 'TRUST_PROXY', 'COOKIE_KEYS', 'SIGNING_KEYS_SECRET',
  'MEMBER_CODE_HMAC_KEY', 'PORTAL_SESSION_SECRET', 'PORTAL_CLIENT_SECRET', 'DEMO_TOOL_CLIENT_SECRET',
  'IDP_METRICS_PORT', 'PORTAL_METRICS_PORT', 'METRICS_HOST', 'METRICS_TOKEN', 'KEY_RELOAD_INTERVAL_MS',
  'SHUTDOWN_DRAIN_MS', 'SHUTDOWN_TIMEOUT_MS', 'REGISTRATIONS_PER_IP_PER_HOUR',
]

async function assertPortFree(port: number): Promise<void> {
  const server = net.createServer()
  await new Promise<void>((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) =>
      reject(new Error(error.code === 'EADDRINUSE' ? `Port ${port} is busy: is a previous e2e run still alive?` : error.message)),
    )
    server.listen(port, () => resolve())
  })
  await new Promise((resolve) => server.close(resolve))
}

function tail(file: string, lines = 40): string {
  try {
    return readFileSync(file, 'utf8').split('\n').slice(-lines).join('\n')
  } catch {
    return ''
  }
}

async function waitForReadyLine(logFile: string, exited: () => number | string | null): Promise<void> {
  const deadline = Date.now() + START_TIMEOUT
  while (Date.now() < deadline) {
    if (readFileSync(logFile, 'utf8').includes(READY_LINE)) return
    const code = exited()
    if (code !== null) throw new Error(`npm start exited (code ${code}) before "${READY_LINE}":\n${tail(logFile)}`)
    await new Promise((resolve) => setTimeout(resolve, 200))
  }
  throw new Error(`npm start did not print "${READY_LINE}" within ${START_TIMEOUT / 1000} s:\n${tail(logFile)}`)
}

export default async function globalSetup(config: FullConfig): Promise<void> {
  const started = Date.now()
  await Promise.all(Object.values(ports).map(assertPortFree))
  const outputDir = config.projects[0]!.outputDir
  mkdirSync(outputDir, { recursive: true })
  const logFile = path.join(outputDir, 'stack.log')
  const dataDir = mkdtempSync(path.join(tmpdir(), 'opco-e2e-'))

  const serverUrl = process.env.E2E_DATABASE_URL || process.env.TEST_DATABASE_URL || undefined
  const database = serverUrl ? { serverUrl, name: `opco_e2e_${randomBytes(6).toString('hex')}` } : undefined
  const databaseUrl = database ? await createDatabase(database.serverUrl, database.name) : undefined

  const env: NodeJS.ProcessEnv = { ...process.env }
  for (const name of PRODUCT_VARIABLES) delete env[name]
  Object.assign(env, {
    DATA_DIR: dataDir,
    ...(databaseUrl ? { DATABASE_URL: databaseUrl } : {}),
    IDP_PORT: String(ports.idp),
    PORTAL_PORT: String(ports.portal),
    DEMO_TOOL_PORT: String(ports.demoTool),
    MAILDEV_SMTP_PORT: String(ports.maildevSmtp),
    MAILDEV_WEB_PORT: String(ports.maildevWeb),
    IDP_METRICS_PORT: String(ports.idpMetrics),
    PORTAL_METRICS_PORT: String(ports.portalMetrics),
    LOG_LEVEL: 'warn',
    MAIL_POLL_INTERVAL_MS: '200', // milliseconds: mails reach MailDev sooner than the default second
    // Every person of the suite registers from 127.0.0.1: more than the default 20 an hour.
    REGISTRATIONS_PER_IP_PER_HOUR: '500',
    NEXT_TELEMETRY_DISABLED: '1',
    PORTAL_DIST_DIR: '.next-e2e',
  })

  const log = openSync(logFile, 'a')
  // Its own process group (detached), so that teardown can end the whole tree.
  const child = spawn(path.join(root, 'node_modules/.bin/node'), ['--import', 'tsx', 'shared/src/cli/start.ts'], {
    cwd: root,
    env,
    detached: true,
    stdio: ['ignore', log, log],
  })
  closeSync(log)
  let exitCode: number | string | null = null
  child.once('exit', (code, signal) => (exitCode = code ?? `${signal}`))
  child.unref()

  const state: StackState = { pid: child.pid!, dataDir, database }
  process.env[STACK_STATE_VARIABLE] = JSON.stringify(state)
  try {
    await waitForReadyLine(logFile, () => exitCode)
    // As an operator would, with the command line, on the running stack's database.
    const imported = spawnSync(path.join(root, 'node_modules/.bin/node'), ['--import', 'tsx', 'shared/src/cli/main.ts', 'companies', 'import', E2E_COMPANIES], { cwd: root, env, encoding: 'utf8' })
    if (imported.status !== 0) throw new Error(`companies import failed:\n${imported.stdout}${imported.stderr}`)
  } catch (error) {
    delete process.env[STACK_STATE_VARIABLE]
    await stopStack(state)
    if (database) await dropDatabase(database.serverUrl, database.name)
    rmSync(dataDir, { recursive: true, force: true })
    throw error
  }
  console.log(
    `[e2e] Stack ready in ${((Date.now() - started) / 1000).toFixed(1)} s (${database ? `PostgreSQL database ${database.name}` : 'embedded PGlite'}): portal ${urls.portal}, idp ${urls.idp}, demo tool ${urls.demoTool}, MailDev ${urls.maildev}; log in ${logFile}`,
  )
}
