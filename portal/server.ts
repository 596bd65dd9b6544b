/**
 * The portal's process: Next.js behind a thin Node server of ours, for what an operator needs and
 * `next start` lacks: /healthz and /readyz, a request id and one JSON log line per request, the
 * request metrics on PORTAL_METRICS_PORT, and a stop that drains before it closes (on SIGTERM,
 * Next.js's server stops accepting at once). `npm run build` bundles it into the standalone output, where it replaces
 * Next.js's own server.js; `npm start` runs it from here.
 */
import '@opcommerce/shared/node-version'
import { readFileSync } from 'node:fs'
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import path from 'node:path'
import next from 'next'
import { assertMigrated } from '@opcommerce/shared/db/migration-status'
import { createHealth, stopGracefully } from '@opcommerce/shared/health'
import { observeDatabasePool, observeRequest, startMetricsServer } from '@opcommerce/shared/metrics'
import { listen, runMain } from '@opcommerce/shared/process'
import { requestIdFrom, runWithRequestId } from '@opcommerce/shared/request-context'
import { portalRuntime } from './src/lib/runtime'

const dir = import.meta.dirname
const distDir = path.join(dir, process.env.PORTAL_DIST_DIR ?? '.next')

const readJson = (file: string) => JSON.parse(readFileSync(path.join(distDir, file), 'utf8')) as Record<string, unknown>

/** Asked every few seconds by the load balancer: logged only at debug level. */
const HEALTH_PATHS = new Set(['/healthz', '/readyz'])

interface ManifestRoute {
  page: string
  regex: string
}

/**
 * The route of a path in the metrics, from the build's routes manifest: the page's pattern
 * (`/entreprises/[siren]`), never the raw path (a scanner would make a series of every URL it tries).
 */
function routeMatcher(): (pathname: string) => string {
  const manifest = readJson('routes-manifest.json') as { staticRoutes: ManifestRoute[]; dynamicRoutes: ManifestRoute[] }
  // Static routes first, then dynamic ones in the manifest's order: Next.js's own precedence.
  // Next.js writes them for RegExp without flags.
  const routes = [...manifest.staticRoutes, ...manifest.dynamicRoutes].map(({ page, regex }) => ({ page, regex: new RegExp(regex) }))
  return (pathname) => {
    if (HEALTH_PATHS.has(pathname)) return pathname
    if (pathname.startsWith('/_next/')) return '/_next/*'
    return routes.find((route) => route.regex.test(pathname))?.page ?? 'unmatched'
  }
}

runMain(async () => {
  const { config, db, logger } = await portalRuntime()
  await assertMigrated(db)
  // What Next.js's own standalone server.js does: the configuration serialized at build time.
  process.env.__NEXT_PRIVATE_STANDALONE_CONFIG = JSON.stringify(readJson('required-server-files.json').config)
  const nextApp = next({ dev: false, dir, hostname: 'localhost', port: config.portal.port })
  await nextApp.prepare()
  const handle = nextApp.getRequestHandler()
  const routeOf = routeMatcher()
  const health = createHealth(db)

  async function respond(request: IncomingMessage, response: ServerResponse, pathname: string): Promise<void> {
    const answer = request.method === 'GET' || request.method === 'HEAD' ? await health.answer(pathname) : undefined
    if (!answer) return handle(request, response)
    response.writeHead(answer.status, { 'Content-Type': 'text/plain; charset=utf-8', 'Cache-Control': 'no-store' }).end(answer.body)
  }

  const server = createServer((request, response) => {
    const started = performance.now()
    const requestId = requestIdFrom(request.headers['x-request-id'], config.trustProxy)
    request.headers['x-request-id'] = requestId
    response.setHeader('X-Request-Id', requestId)
    const pathname = (request.url ?? '/').split('?')[0]!
    response.once('close', () => {
      const seconds = (performance.now() - started) / 1000
      observeRequest(routeOf(pathname), request.method ?? 'GET', response.statusCode, seconds)
      const line = { requestId, method: request.method, path: pathname, status: response.statusCode, ms: Math.round(seconds * 1000) }
      if (HEALTH_PATHS.has(pathname)) logger.debug(line, 'request')
      else logger.info(line, 'request')
    })
    runWithRequestId(requestId, () => respond(request, response, pathname)).catch((error: unknown) => {
      logger.error({ err: error }, 'request failed')
      if (!response.headersSent) response.writeHead(500, { 'Content-Type': 'text/plain; charset=utf-8' })
      response.end()
    })
  })
  await listen(server, config.portal.port, 'PORTAL_PORT')
  observeDatabasePool(db)
  const metricsServer = await startMetricsServer({ ...config.metrics, port: config.portal.metricsPort }, 'PORTAL_METRICS_PORT')
  logger.info({ url: config.portal.url, metrics: `http://${config.metrics.host}:${config.portal.metricsPort}/metrics` }, 'portal ready')
  stopGracefully({
    health,
    server,
    shutdown: config.shutdown,
    logger,
    async release() {
      metricsServer.close()
      await nextApp.close()
      await db.destroy()
    },
  })
})
