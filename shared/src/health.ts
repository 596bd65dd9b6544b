import type { Server } from 'node:http'
import { setTimeout as sleep } from 'node:timers/promises'
import type { Config } from './config'
import type { Knex } from './db/knex'
import { pendingMigrations } from './db/migration-status'
import { closeLogger, type Logger } from './logger'
import { closeServer, onShutdown } from './process'

const DATABASE_CHECK_TIMEOUT = 2000 // milliseconds: a load balancer's check must get an answer

/** Another reason a service is not ready (the idp: its signing keys); undefined when there is none. */
export type ReadinessCheck = () => string | undefined

/**
 * Liveness and readiness of one service process. /healthz: the process answers (no database, so
 * that a database outage does not get every process restarted). /readyz: it can serve — the
 * database answers and holds every migration this code needs, the service's own checks pass — and
 * it is not draining (SIGTERM received: the load balancer must move away before it stops).
 */
export interface Health {
  readonly draining: boolean
  /** From now on /readyz answers 503; requests are still served. */
  startDraining(): void
  /** The answer to GET `path` when it is /healthz or /readyz; undefined for any other path. */
  answer(path: string): Promise<{ status: number; body: string } | undefined>
}

async function databaseProblem(db: Knex): Promise<string | undefined> {
  let timer: NodeJS.Timeout | undefined
  const timeout = new Promise<string>((resolve) => {
    timer = setTimeout(() => resolve(`base de données sans réponse depuis ${DATABASE_CHECK_TIMEOUT} ms`), DATABASE_CHECK_TIMEOUT)
  })
  const check = pendingMigrations(db).then(
    (pending) => (pending.length > 0 ? `migrations non appliquées (${pending.join(', ')}) : lancez la migration` : undefined),
    () => 'base de données injoignable',
  )
  try {
    return await Promise.race([check, timeout])
  } finally {
    clearTimeout(timer)
  }
}

export function createHealth(db: Knex, checks: ReadinessCheck[] = []): Health {
  let draining = false
  return {
    get draining() {
      return draining
    },
    startDraining() {
      draining = true
    },
    async answer(path) {
      if (path === '/healthz') return { status: 200, body: 'ok\n' }
      if (path !== '/readyz') return undefined
      const problem = draining ? 'arrêt en cours' : ((await databaseProblem(db)) ?? checks.map((check) => check()).find(Boolean))
      return problem ? { status: 503, body: `non prêt : ${problem}\n` } : { status: 200, body: 'prêt\n' }
    },
  }
}

/**
 * How a service stops on SIGTERM (or Ctrl+C): /readyz fails at once and every response closes its
 * connection, for SHUTDOWN_DRAIN_MS, so the load balancer stops sending; then the server stops
 * accepting and the requests in flight finish; then `release` (timers, mail sender, database).
 * Past SHUTDOWN_TIMEOUT_MS more, the process exits anyway.
 */
export function stopGracefully(options: { health: Health; server: Server; shutdown: Config['shutdown']; logger: Logger; release: () => Promise<void> }): void {
  const { health, server, shutdown, logger, release } = options
  onShutdown(
    async () => {
      health.startDraining()
      server.prependListener('request', (_request, response) => response.setHeader('Connection', 'close'))
      logger.info({ drainMs: shutdown.drainMs }, 'stopping: /readyz answers 503 while the load balancer moves away')
      await sleep(shutdown.drainMs)
      await closeServer(server)
      await release()
      logger.info('stopped')
      await closeLogger(logger)
    },
    { timeoutMs: shutdown.drainMs + shutdown.timeoutMs },
  )
}
