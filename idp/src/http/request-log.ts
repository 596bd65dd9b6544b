import { randomUUID } from 'node:crypto'
import type { Middleware } from 'koa'
import type { Logger } from '@opcommerce/shared/logger'

/** Paths that carry the secret of a mail link. */
const SECRET_PATHS = /^\/(validation|mot-de-passe)\/[^/]+/u

/** A path as every log line writes it: the secret of a mail link masked. */
export const loggedPath = (path: string) => path.replace(SECRET_PATHS, '/$1/[masqué]')

/** Gives each request an id (kept from X-Request-Id behind a proxy) and logs it once answered. */
export function requestLog(logger: Logger): Middleware {
  return async (ctx, next) => {
    const requestId = ctx.get('x-request-id').slice(0, 100) || randomUUID()
    ctx.state.requestId = requestId
    ctx.set('X-Request-Id', requestId)
    const started = performance.now()
    try {
      await next()
    } finally {
      logger.info(
        {
          requestId,
          method: ctx.method,
          path: loggedPath(ctx.path),
          status: ctx.respond === false ? ctx.res.statusCode : ctx.status,
          ms: Math.round(performance.now() - started),
        },
        'request',
      )
    }
  }
}
