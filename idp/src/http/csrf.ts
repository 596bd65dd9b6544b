import type { Middleware } from 'koa'
import { randomToken } from '@opcommerce/shared/crypto'
import { ForbiddenError } from '@opcommerce/shared/errors'
import { CSRF_FIELD, csrfTokenMatches } from '@opcommerce/shared/forms'
import { messages } from '../messages'

const COOKIE = 'idp_csrf'

/**
 * Double-submit token: a random value in a signed, HttpOnly, SameSite cookie, repeated in a
 * hidden field of every form; a POST whose field does not match the cookie changes nothing.
 * Runs after the body parser; `exempt` lists the POST routes without side effects.
 */
export function csrfProtection(options: { secure: boolean; exempt: string[] }): Middleware {
  return async (ctx, next) => {
    let token = ctx.cookies.get(COOKIE, { signed: true })
    if (!token) {
      token = randomToken()
      ctx.cookies.set(COOKIE, token, { signed: true, httpOnly: true, sameSite: 'lax', secure: options.secure, overwrite: true })
    }
    ctx.state.csrf = token
    if (ctx.method === 'POST' && !options.exempt.includes(ctx.path)) {
      const submitted = (ctx.request.body as Record<string, unknown> | undefined)?.[CSRF_FIELD]
      if (!csrfTokenMatches(submitted, token)) throw new ForbiddenError(messages.form.csrf)
    }
    await next()
  }
}
