import type { Context } from 'koa'
import { z } from 'zod'

const PENDING_COOKIE = 'idp_pending'

export interface PendingRegistration {
  email: string
  /** credentialsFingerprint of the password this browser set: only it may ask for a new link. */
  credentials: string
  /** The authorization request the user came from, to go back to its login page. */
  interaction?: string
}

const pendingSchema = z.object({ email: z.string(), credentials: z.string(), interaction: z.string().optional() })

/** Remembers, for an hour, which account "Renvoyer à nouveau l'email" is about (signed cookie). */
export function rememberPendingRegistration(ctx: Context, pending: PendingRegistration): void {
  ctx.cookies.set(PENDING_COOKIE, Buffer.from(JSON.stringify(pending)).toString('base64url'), {
    signed: true,
    httpOnly: true,
    sameSite: 'lax',
    secure: ctx.secure,
    maxAge: 60 * 60 * 1000, // milliseconds
    overwrite: true,
  })
}

export function pendingRegistration(ctx: Context): PendingRegistration | undefined {
  const value = ctx.cookies.get(PENDING_COOKIE, { signed: true })
  if (!value) return undefined
  try {
    const parsed = pendingSchema.safeParse(JSON.parse(Buffer.from(value, 'base64url').toString('utf8')))
    return parsed.success ? parsed.data : undefined
  } catch {
    return undefined
  }
}
