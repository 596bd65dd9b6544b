import { randomBytes } from 'node:crypto'
import type { Context } from 'koa'
import { z } from 'zod'
import type { KnownDevice } from '../libraries/login'
import type { IdpCookies } from './cookies'

/** How long a browser stays known to the accounts it logged in to. */
const DEVICE_COOKIE_LIFETIME = 180 * 24 * 3600_000 // milliseconds
/** The accounts one browser is known for (a shared computer), newest first. */
const ACCOUNTS_PER_BROWSER = 5

const deviceSchema = z.array(z.object({ user: z.uuid(), nonce: z.string().regex(/^[\w-]{22}$/u) })).max(ACCOUNTS_PER_BROWSER)
type DeviceEntries = z.infer<typeof deviceSchema>

function entriesOf(ctx: Context, cookies: IdpCookies): DeviceEntries {
  const value = ctx.cookies.get(cookies.device, { signed: true })
  if (!value) return []
  try {
    const parsed = deviceSchema.safeParse(JSON.parse(Buffer.from(value, 'base64url').toString('utf8')))
    return parsed.success ? parsed.data : []
  } catch {
    return []
  }
}

/**
 * OWASP's device cookie ("Slow down online guessing attacks with device cookies"): signed with
 * the cookie keys, it names the users this browser logged in to, each with a random nonce. A
 * login attempt carrying one for the account it is about has its own failure budget (keyed by
 * the nonce), so failures from elsewhere never keep the owner out of their own browser.
 */
export function knownDevice(ctx: Context, cookies: IdpCookies): KnownDevice {
  const entries = entriesOf(ctx, cookies)
  return (userId) => entries.find((entry) => entry.user === userId)?.nonce
}

/** After a login (or a password reset, which proves the mailbox): this browser is known to `userId`, with a fresh nonce. */
export function rememberDevice(ctx: Context, cookies: IdpCookies, userId: string): void {
  const others = entriesOf(ctx, cookies).filter((entry) => entry.user !== userId)
  const entries = [{ user: userId, nonce: randomBytes(16).toString('base64url') }, ...others].slice(0, ACCOUNTS_PER_BROWSER)
  ctx.cookies.set(cookies.device, Buffer.from(JSON.stringify(entries)).toString('base64url'), { ...cookies.options, maxAge: DEVICE_COOKIE_LIFETIME })
}
