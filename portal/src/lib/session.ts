import { createHash, randomBytes } from 'node:crypto'
import { EncryptJWT, jwtDecrypt } from 'jose'

export const SESSION_COOKIE = 'portal_session'
export const LOGIN_COOKIE = 'portal_login'

const SESSION_LIFETIME = 12 * 3600 // seconds: a working day, as the idp's SSO session

/** What the portal remembers of a signed-in person, encrypted in an HttpOnly cookie. */
export interface Session {
  sub: string
  email: string
  givenName: string
  familyName: string
  idToken: string
  refreshToken: string | undefined
  /** Epoch seconds: the proxy refreshes the tokens shortly before. */
  accessTokenExpiresAt: number
  /** Epoch seconds: the session ends then, whatever happens. */
  expiresAt: number
  /** Repeated in every form of the portal (double submit). */
  csrf: string
}

/** The authorization request in progress, between /auth/login and /auth/callback. */
export interface PendingLogin {
  state: string
  nonce: string
  codeVerifier: string
  returnTo: string
}

const keyOf = (secret: string) => createHash('sha256').update(secret).digest()

async function seal(payload: object, secret: string, lifetime: number): Promise<string> {
  return new EncryptJWT({ ...payload })
    .setProtectedHeader({ alg: 'dir', enc: 'A256GCM' })
    .setIssuedAt()
    .setExpirationTime(`${lifetime}s`)
    .encrypt(keyOf(secret))
}

async function unseal<T>(value: string | undefined, secret: string): Promise<T | undefined> {
  if (!value) return undefined
  try {
    const { payload } = await jwtDecrypt(value, keyOf(secret))
    return payload as T
  } catch {
    return undefined
  }
}

export const newCsrfToken = () => randomBytes(32).toString('base64url')

export function sealSession(session: Session, secret: string): Promise<string> {
  return seal(session, secret, Math.max(1, session.expiresAt - Math.floor(Date.now() / 1000)))
}

export const unsealSession = (value: string | undefined, secret: string) => unseal<Session>(value, secret)

export const sealPendingLogin = (login: PendingLogin, secret: string) => seal(login, secret, 10 * 60)

export const unsealPendingLogin = (value: string | undefined, secret: string) => unseal<PendingLogin>(value, secret)

export function sessionExpiry(now: Date): number {
  return Math.floor(now.getTime() / 1000) + SESSION_LIFETIME
}

/** Attributes of the portal's cookies: not readable by scripts, not sent cross-site. */
export function cookieOptions(portalUrl: string, maxAge?: number) {
  return { httpOnly: true, sameSite: 'lax' as const, secure: portalUrl.startsWith('https:'), path: '/', ...(maxAge === undefined ? {} : { maxAge }) }
}

/** Only paths of the portal itself are followed after login. */
export function safeReturnTo(value: string | null | undefined): string | undefined {
  return value && /^\/(?![/\\])[\w\-./?=&%]*$/u.test(value) ? value : undefined
}
