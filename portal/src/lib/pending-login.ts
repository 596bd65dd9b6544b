import { z } from 'zod'
import { decryptText, encryptText } from '@opcommerce/shared/crypto'

/** How long a login may take between /auth/login and /auth/callback. */
export const PENDING_LOGIN_LIFETIME = 10 * 60_000 // milliseconds
const PURPOSE = 'portal pending login'

/** The authorization request in progress, between /auth/login and /auth/callback. */
const pendingLogin = z.object({ state: z.string(), nonce: z.string(), codeVerifier: z.string(), returnTo: z.string() })
export type PendingLogin = z.infer<typeof pendingLogin>

const sealedLogin = pendingLogin.extend({ expiresAt: z.number() })

/** The value of the login cookie: encrypted (AES-256-GCM under PORTAL_SESSION_SECRET), expiring. */
export function sealPendingLogin(login: PendingLogin, secret: string, now: Date): string {
  return encryptText(JSON.stringify({ ...login, expiresAt: now.getTime() + PENDING_LOGIN_LIFETIME }), secret, PURPOSE)
}

/** The pending login of a cookie; undefined when it is missing, forged or expired. */
export function unsealPendingLogin(value: string | undefined, secret: string, now: Date): PendingLogin | undefined {
  if (!value) return undefined
  try {
    const { expiresAt, ...login } = sealedLogin.parse(JSON.parse(decryptText(value, secret, PURPOSE)))
    return expiresAt > now.getTime() ? login : undefined
  } catch {
    return undefined
  }
}

/** Only paths of the portal itself are followed after login. */
export function safeReturnTo(value: string | null | undefined): string | undefined {
  return value && /^\/(?![/\\])[\w\-./?=&%]*$/u.test(value) ? value : undefined
}
