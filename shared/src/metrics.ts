import { timingSafeEqual } from 'node:crypto'
import { createServer, type Server } from 'node:http'
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client'
import type { Knex } from './db/knex'
import { listen } from './process'

/** The pool of one knex, as tarn exposes it. */
interface PoolStats {
  numUsed(): number
  numFree(): number
  numPendingAcquires(): number
  max: number
}

function createMetrics() {
  const registry = new Registry()
  collectDefaultMetrics({ register: registry })
  const pools = new Set<PoolStats>()
  const poolGauge = (name: string, help: string, read: (pool: PoolStats) => number) =>
    new Gauge({
      name,
      help,
      registers: [registry],
      collect() {
        this.set([...pools].reduce((total, pool) => total + read(pool), 0))
      },
    })
  poolGauge('opco_db_pool_used', 'PostgreSQL connections lent to a query right now.', (pool) => pool.numUsed())
  poolGauge('opco_db_pool_idle', 'PostgreSQL connections open and free.', (pool) => pool.numFree())
  poolGauge('opco_db_pool_waiting', 'Queries waiting for a free connection.', (pool) => pool.numPendingAcquires())
  poolGauge('opco_db_pool_max', 'Most connections the pool opens.', (pool) => pool.max)
  return {
    registry,
    pools,
    /** Requests by route (the pattern, never the raw path), method and status; `_count` counts them. */
    httpRequests: new Histogram({
      name: 'opco_http_request_duration_seconds',
      help: 'HTTP requests by route pattern, method and status, with their duration.',
      labelNames: ['route', 'method', 'status'] as const,
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10], // seconds
      registers: [registry],
    }),
    throttleRefusals: new Counter({
      name: 'opco_throttle_refusals_total',
      help: 'Attempts refused by a rate limit, by limit.',
      labelNames: ['limit'] as const,
      registers: [registry],
    }),
  }
}

/**
 * Every metric of this process, in Prometheus' text format. Kept on globalThis: a bundler
 * (Next.js) may load this module twice in one process, and both copies must count in one place.
 */
export const metrics: ReturnType<typeof createMetrics> = ((globalThis as Record<symbol, unknown>)[Symbol.for('opcommerce.metrics')] ??=
  createMetrics()) as ReturnType<typeof createMetrics>

/** Counts a request once answered; `route` is a pattern such as `/validation/:token`. */
export function observeRequest(route: string, method: string, status: number, seconds: number): void {
  metrics.httpRequests.observe({ route, method, status: String(status) }, seconds)
}

/** Reports the use of this knex's connection pool in the opco_db_pool_* gauges. */
export function observeDatabasePool(db: Knex): void {
  metrics.pools.add((db.client as { pool: PoolStats }).pool)
}

export interface MetricsEndpoint {
  host: string
  port: number
  /** When set, scrapers must send `Authorization: Bearer <token>`. */
  token: string | undefined
}

const sameSecret = (given: string, expected: string) =>
  given.length === expected.length && timingSafeEqual(Buffer.from(given), Buffer.from(expected))

/**
 * `GET /metrics` on a port of its own, never on the service's public one: bound to 127.0.0.1 by
 * default, where only the machine's own Prometheus (or its agent) reaches it.
 */
export async function startMetricsServer(endpoint: MetricsEndpoint, variable: string): Promise<Server> {
  const server = createServer((request, response) => {
    const path = new URL(request.url ?? '/', 'http://metrics').pathname
    if (path !== '/metrics' || request.method !== 'GET') {
      response.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8' }).end('Introuvable : seules les métriques sont servies ici (GET /metrics).\n')
      return
    }
    if (endpoint.token && !sameSecret(request.headers.authorization ?? '', `Bearer ${endpoint.token}`)) {
      response.writeHead(401, { 'Content-Type': 'text/plain; charset=utf-8', 'WWW-Authenticate': 'Bearer' }).end('Jeton METRICS_TOKEN attendu.\n')
      return
    }
    metrics.registry.metrics().then(
      (text) => response.writeHead(200, { 'Content-Type': metrics.registry.contentType }).end(text),
      (error: unknown) => response.writeHead(500, { 'Content-Type': 'text/plain; charset=utf-8' }).end(`Métriques indisponibles : ${(error as Error).message}\n`),
    )
  })
  await listen(server, endpoint.port, variable, endpoint.host)
  return server
}
