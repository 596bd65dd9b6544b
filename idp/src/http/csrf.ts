import type { Middleware } from 'koa'
import { randomToken } from '@opcommerce/shared/crypto'
import { ForbiddenError } from '@opcommerce/shared/errors'
import { CSRF_FIELD, crossSiteRequest, csrfTokenMatches } from '@opcommerce/shared/forms'
import { messages } from '../messages'
import type { IdpCookies } from './cookies'

/**
 * Double-submit token: a random value in a signed, HttpOnly, SameSite cookie, repeated in a
 * hidden field of every form; a POST whose field does not match the cookie changes nothing.
 * Every POST must also come from one of our pages when the browser says where it comes from
 * (Sec-Fetch-Site, Origin). Runs after the body parser; `exempt` lists the POST routes without
 * side effects, which need no token.
 */
export function csrfProtection(options: { cookies: IdpCookies; origin: string; exempt: string[] }): Middleware {
  const { cookies } = options
  return async (ctx, next) => {
    let token = ctx.cookies.get(cookies.csrf, { signed: true })
    if (!token) {
      token = randomToken()
      ctx.cookies.set(cookies.csrf, token, cookies.options)
    }
    ctx.state.csrf = token
    if (ctx.method === 'POST') {
      if (crossSiteRequest(ctx.get('sec-fetch-site'), ctx.get('origin'), options.origin)) throw new ForbiddenError(messages.errors.crossSite)
      const submitted = (ctx.request.body as Record<string, unknown> | undefined)?.[CSRF_FIELD]
      if (!options.exempt.includes(ctx.path) && !csrfTokenMatches(submitted, token)) throw new ForbiddenError(messages.form.csrf)
    }
    await next()
  }
}
