import type { Context, Middleware } from 'koa'
import type { Logger } from '@opcommerce/shared/logger'
import { observeRequest } from '@opcommerce/shared/metrics'
import { requestIdFrom, runWithRequestId } from '@opcommerce/shared/request-context'
import { providerRoute } from '../oidc/provider'

/** Paths that carry the secret of a mail link. */
const SECRET_PATHS = /^\/(validation|mot-de-passe)\/[^/]+/u

/** A path as every log line writes it: the secret of a mail link masked. */
export const loggedPath = (path: string) => path.replace(SECRET_PATHS, '/$1/[masqué]')

/** Asked every few seconds by the load balancer: logged only at debug level. */
const HEALTH_PATHS = new Set(['/healthz', '/readyz'])

/**
 * The route of a request in the metrics: our router's pattern or the provider's endpoint, never
 * the raw path (a scanner would make a series of every URL it tries).
 */
function routeOf(ctx: Context): string {
  const matched = (ctx as Context & { _matchedRoute?: unknown })._matchedRoute
  return typeof matched === 'string' ? matched : (providerRoute(ctx.path) ?? 'unmatched')
}

/**
 * Gives each request an id (the proxy's X-Request-Id when TRUST_PROXY, else a new one) that every
 * log line written while serving it carries; logs and counts the request once answered.
 */
export function requestLog(logger: Logger, trustProxy: boolean): Middleware {
  return async (ctx, next) => {
    const requestId = requestIdFrom(ctx.req.headers['x-request-id'], trustProxy)
    ctx.state.requestId = requestId
    ctx.set('X-Request-Id', requestId)
    const started = performance.now()
    try {
      await runWithRequestId(requestId, next)
    } finally {
      const status = ctx.respond === false ? ctx.res.statusCode : ctx.status
      const seconds = (performance.now() - started) / 1000
      observeRequest(routeOf(ctx), ctx.method, status, seconds)
      const line = { requestId, method: ctx.method, path: loggedPath(ctx.path), status, ms: Math.round(seconds * 1000) }
      if (HEALTH_PATHS.has(ctx.path)) logger.debug(line, 'request')
      else logger.info(line, 'request')
    }
  }
}
