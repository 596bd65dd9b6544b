import type { Context } from 'koa'
import { z } from 'zod'
import type { PendingRegistration } from '../libraries/registration'
import type { IdpCookies } from './cookies'

/** What the cookie holds: the pending registration, and the authorization request the user came from (to go back to its login page). */
type PendingCookie = PendingRegistration & { interaction?: string }

const pendingSchema = z.object({ id: z.uuid(), email: z.string(), interaction: z.string().optional() })

/**
 * Remembers, as long as its validation link lasts, which registration this browser made (signed
 * cookie): "Renvoyer à nouveau l'email" is about it, and its link opened here validates at once.
 */
export function rememberPendingRegistration(ctx: Context, cookies: IdpCookies, pending: PendingCookie): void {
  ctx.cookies.set(cookies.pending, Buffer.from(JSON.stringify(pending)).toString('base64url'), {
    ...cookies.options,
    maxAge: 24 * 3600_000, // milliseconds: the validation link's lifetime
  })
}

export function pendingRegistration(ctx: Context, cookies: IdpCookies): PendingCookie | undefined {
  const value = ctx.cookies.get(cookies.pending, { signed: true })
  if (!value) return undefined
  try {
    const parsed = pendingSchema.safeParse(JSON.parse(Buffer.from(value, 'base64url').toString('utf8')))
    return parsed.success ? parsed.data : undefined
  } catch {
    return undefined
  }
}
