import type { Context, Middleware } from 'koa'
import { isDatabaseUnavailable } from '@opcommerce/shared/db/knex'
import { AppError, isAppError, NotFoundError, ServiceUnavailableError, UNEXPECTED_ERROR } from '@opcommerce/shared/errors'
import type { Logger } from '@opcommerce/shared/logger'
import { messages } from '../messages'
import { errorPage } from '../views/errors'
import { loggedPath } from './request-log'

function toAppError(error: unknown): AppError {
  if (isAppError(error)) return error
  if (isDatabaseUnavailable(error)) return new ServiceUnavailableError(error)
  const status = (error as { status?: number }).status
  if (typeof status === 'number' && status >= 400 && status < 500) {
    // Koa and its body parser throw http-errors with English messages: French ones replace them.
    return new AppError(status, messages.http[status] ?? messages.http.other)
  }
  return new AppError(500, UNEXPECTED_ERROR, { expose: false, cause: error })
}

/**
 * For a route that answers a refused form with the form again: an error meant for the user
 * sets the response's status (and Retry-After for a 429) and is returned for the page to show;
 * any other error goes on to the error handler.
 */
export function errorForForm(ctx: Context, error: unknown): AppError {
  if (!isAppError(error) || !error.expose) throw error
  ctx.status = error.status
  ctx.set(error.headers())
  return error
}

/** The one place where errors become responses: a French page, or JSON for scripts. */
export function errorHandler(logger: Logger, homeHref: string): Middleware {
  return async (ctx, next) => {
    try {
      await next()
      if (ctx.status === 404 && ctx.body === undefined && ctx.respond !== false) throw new NotFoundError(messages.errors.notFound)
    } catch (caught) {
      const error = toAppError(caught)
      const requestId = ctx.state.requestId as string
      if (error.status === 503) logger.warn({ err: caught, requestId, path: loggedPath(ctx.path) }, 'database unavailable')
      else if (error.status >= 500) logger.error({ err: caught, requestId, path: loggedPath(ctx.path) }, 'request failed')
      ctx.status = error.status
      ctx.set(error.headers())
      const message = error.expose ? error.message : UNEXPECTED_ERROR
      if (ctx.accepts('html', 'json') === 'json') {
        ctx.body = { error: message }
      } else {
        ctx.type = 'html'
        ctx.body = errorPage({ status: error.status, message, homeHref, requestId: error.status >= 500 ? requestId : undefined })
      }
    }
  }
}
