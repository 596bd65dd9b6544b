import { createRemoteJWKSet, jwtVerify, type JWTVerifyGetKey } from 'jose'

/** The member of `events` that makes a JWT a logout token. */
export const BACKCHANNEL_LOGOUT_EVENT = 'http://schemas.openid.net/event/backchannel-logout'

/** A logout token its receiver must refuse (answered 400, Back-Channel Logout 1.0 §2.8). */
export class InvalidLogoutTokenError extends Error {}

/** What a valid logout token says: which user, or which of their sessions, logged out. */
export interface LogoutTokenClaims {
  jti: string
  sub?: string
  sid?: string
  /** Until when the same token could be replayed: its `jti` is worth remembering until then. */
  expiresAt: Date
}

const keySets = new Map<string, JWTVerifyGetKey>()

/** The issuer's published keys, kept per process (jose fetches them again for an unknown kid). */
function publishedKeys(jwksUri: string): JWTVerifyGetKey {
  let keys = keySets.get(jwksUri)
  if (!keys) {
    keys = createRemoteJWKSet(new URL(jwksUri))
    keySets.set(jwksUri, keys)
  }
  return keys
}

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value)

/**
 * Checks a logout token as a relying party must (Back-Channel Logout 1.0 §2.6): signed by one
 * of the keys the issuer publishes at `jwksUri`, typed `logout+jwt`, issued by `issuer` for
 * `clientId`, with iat, exp and jti, the logout event, a sub or a sid, and no nonce (so that an
 * ID token cannot pass for one). The caller refuses a `jti` it has already seen, then ends the
 * sessions named. Needs only jose: other applications may copy it.
 */
export async function verifyLogoutToken(token: string, expected: { issuer: string; clientId: string; jwksUri: string }): Promise<LogoutTokenClaims> {
  let payload
  try {
    ;({ payload } = await jwtVerify(token, publishedKeys(expected.jwksUri), {
      issuer: expected.issuer,
      audience: expected.clientId,
      typ: 'logout+jwt',
      requiredClaims: ['iat', 'exp', 'jti'],
    }))
  } catch (error) {
    throw new InvalidLogoutTokenError(`logout token refused: ${(error as Error).message}`, { cause: error })
  }
  if (!isObject(payload.events) || !isObject(payload.events[BACKCHANNEL_LOGOUT_EVENT])) throw new InvalidLogoutTokenError('logout token refused: no back-channel logout event')
  if ('nonce' in payload) throw new InvalidLogoutTokenError('logout token refused: it carries a nonce')
  const sub = typeof payload.sub === 'string' ? payload.sub : undefined
  const sid = typeof payload.sid === 'string' ? payload.sid : undefined
  if (!sub && !sid) throw new InvalidLogoutTokenError('logout token refused: neither sub nor sid')
  return { jti: payload.jti!, sub, sid, expiresAt: new Date(payload.exp! * 1000) }
}
