import type { Context } from 'koa'
import { z } from 'zod'
import type { PendingRegistration } from '../libraries/registration'

const PENDING_COOKIE = 'idp_pending'

/** What the cookie holds: the pending registration, and the authorization request the user came from (to go back to its login page). */
type PendingCookie = PendingRegistration & { interaction?: string }

const pendingSchema = z.object({ email: z.string(), credentials: z.string(), interaction: z.string().optional() })

/** Remembers, for an hour, which user "Renvoyer à nouveau l'email" is about (signed cookie). */
export function rememberPendingRegistration(ctx: Context, pending: PendingCookie): void {
  ctx.cookies.set(PENDING_COOKIE, Buffer.from(JSON.stringify(pending)).toString('base64url'), {
    signed: true,
    httpOnly: true,
    sameSite: 'lax',
    secure: ctx.secure,
    maxAge: 60 * 60 * 1000, // milliseconds
    overwrite: true,
  })
}

export function pendingRegistration(ctx: Context): PendingCookie | undefined {
  const value = ctx.cookies.get(PENDING_COOKIE, { signed: true })
  if (!value) return undefined
  try {
    const parsed = pendingSchema.safeParse(JSON.parse(Buffer.from(value, 'base64url').toString('utf8')))
    return parsed.success ? parsed.data : undefined
  } catch {
    return undefined
  }
}
