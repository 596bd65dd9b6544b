import { createHash } from 'node:crypto'
import { EncryptJWT, jwtDecrypt } from 'jose'
import * as oidc from 'openid-client'
import { z } from 'zod'
import type { Config } from '@opcommerce/shared/config'
import { decryptText, encryptText, randomToken, sha256 } from '@opcommerce/shared/crypto'
import type { Knex } from '@opcommerce/shared/db/knex'
import type { UserProfile } from '@opcommerce/shared/users'
import { idpConfiguration } from './oidc'

export const SESSION_COOKIE = 'portal_session'
export const LOGIN_COOKIE = 'portal_login'

const SESSION_LIFETIME = 12 * 3600_000 // milliseconds: a working day, as the idp's SSO session
const REFRESH_MARGIN = 60_000 // milliseconds before the access token expires
const REFRESH_CLAIM = 30_000 // milliseconds one request may take to refresh before another may try
const PURPOSE = 'portal session tokens'

/** A portal session: who is signed in, as the portal's pages and handlers see them. */
export interface PortalSession {
  id: string
  user: UserProfile
  idToken: string
  /** Repeated in every form of the portal (double submit). */
  csrf: string
}

/** What a code exchange or a refresh gives the portal session. */
export interface PortalSessionTokens {
  userId: string
  idToken: string
  refreshToken: string | undefined
  accessTokenExpiresAt: Date
}

interface SessionRow {
  id: string
  user_id: string
  email: string
  given_name: string
  family_name: string
  id_token_encrypted: string
  refresh_token_encrypted: string | null
  access_token_expires_at: Date
  csrf: string
}

/**
 * Portal sessions kept in PostgreSQL: the HttpOnly cookie holds only a random value, the row
 * (keyed by its SHA-256) holds the tokens, encrypted. Shortly before the access token expires,
 * one request refreshes the tokens while the others go on with the still-valid ones; when the
 * idp refuses (logout elsewhere, password reset), the session ends.
 */
export function createPortalSessionStore({ db, config, now }: { db: Knex; config: Config; now: () => Date }) {
  const secret = config.secrets.portalSessionSecret
  const encrypt = (value: string) => encryptText(value, secret, PURPOSE)
  const decrypt = (value: string) => decryptText(value, secret, PURPOSE)
  const sessions = () => db('portal_sessions')

  const toSession = (row: SessionRow): PortalSession => ({
    id: row.id,
    user: { id: row.user_id, email: row.email, givenName: row.given_name, familyName: row.family_name },
    idToken: decrypt(row.id_token_encrypted),
    csrf: row.csrf,
  })

  async function refresh(row: SessionRow): Promise<PortalSession | undefined> {
    const claimed = await sessions()
      .where({ id: row.id })
      .andWhere((query) => query.whereNull('refreshing_until').orWhere('refreshing_until', '<', now()))
      .update({ refreshing_until: new Date(now().getTime() + REFRESH_CLAIM) })
    if (claimed === 0 || !row.refresh_token_encrypted) return toSession(row)
    try {
      const tokens = await oidc.refreshTokenGrant(await idpConfiguration(config), decrypt(row.refresh_token_encrypted))
      const refreshed = sessionTokens(tokens, now())
      await sessions().where({ id: row.id }).update({
        id_token_encrypted: encrypt(refreshed.idToken),
        refresh_token_encrypted: refreshed.refreshToken ? encrypt(refreshed.refreshToken) : null,
        access_token_expires_at: refreshed.accessTokenExpiresAt,
        refreshing_until: null,
      })
      return { ...toSession(row), idToken: refreshed.idToken }
    } catch (error) {
      // An OAuth error answer means the SSO session is over; anything else (idp unreachable) is retried later.
      if (typeof (error as { error?: unknown }).error === 'string') {
        await sessions().where({ id: row.id }).delete()
        return undefined
      }
      await sessions().where({ id: row.id }).update({ refreshing_until: null })
      return toSession(row)
    }
  }

  return {
    /** Opens a session after login; returns the cookie value. */
    async open(tokens: PortalSessionTokens): Promise<string> {
      const cookie = randomToken()
      await sessions().where('expires_at', '<', now()).delete()
      await sessions().insert({
        id: sha256(cookie),
        user_id: tokens.userId,
        id_token_encrypted: encrypt(tokens.idToken),
        refresh_token_encrypted: tokens.refreshToken ? encrypt(tokens.refreshToken) : null,
        access_token_expires_at: tokens.accessTokenExpiresAt,
        csrf: randomToken(),
        expires_at: new Date(now().getTime() + SESSION_LIFETIME),
      })
      return cookie
    },

    /** The session a cookie stands for, kept in step with the SSO session; undefined when there is none. */
    async resume(cookie: string | undefined): Promise<PortalSession | undefined> {
      if (!cookie || !/^[\w-]{43}$/u.test(cookie)) return undefined
      const row: SessionRow | undefined = await sessions()
        .join('users', 'users.id', 'portal_sessions.user_id')
        .where('portal_sessions.id', sha256(cookie))
        .andWhere('portal_sessions.expires_at', '>', now())
        .first('portal_sessions.*', 'users.email', 'users.given_name', 'users.family_name')
      if (!row) return undefined
      if (row.access_token_expires_at.getTime() - now().getTime() > REFRESH_MARGIN) return toSession(row)
      return refresh(row)
    },

    async close(session: PortalSession): Promise<void> {
      await sessions().where({ id: session.id }).delete()
    },
  }
}

export type PortalSessionStore = ReturnType<typeof createPortalSessionStore>

/** The session's part of a token response. */
export function sessionTokens(tokens: oidc.TokenEndpointResponse & oidc.TokenEndpointResponseHelpers, now: Date): PortalSessionTokens {
  return {
    userId: tokens.claims()!.sub,
    idToken: tokens.id_token!,
    refreshToken: tokens.refresh_token,
    accessTokenExpiresAt: new Date(now.getTime() + (tokens.expiresIn() ?? 600) * 1000),
  }
}

/** The authorization request in progress, between /auth/login and /auth/callback (encrypted cookie). */
const pendingLogin = z.object({ state: z.string(), nonce: z.string(), codeVerifier: z.string(), returnTo: z.string() })
export type PendingLogin = z.infer<typeof pendingLogin>

const keyOf = (secret: string) => createHash('sha256').update(`pending login ${secret}`).digest()

export function sealPendingLogin(login: PendingLogin, secret: string): Promise<string> {
  return new EncryptJWT({ ...login }).setProtectedHeader({ alg: 'dir', enc: 'A256GCM' }).setIssuedAt().setExpirationTime('10m').encrypt(keyOf(secret))
}

export async function unsealPendingLogin(value: string | undefined, secret: string): Promise<PendingLogin | undefined> {
  if (!value) return undefined
  try {
    const parsed = pendingLogin.safeParse((await jwtDecrypt(value, keyOf(secret))).payload)
    return parsed.success ? parsed.data : undefined
  } catch {
    return undefined
  }
}

/** Attributes of the portal's cookies: not readable by scripts, not sent cross-site. */
export function cookieOptions(portalUrl: string, maxAge?: number) {
  return { httpOnly: true, sameSite: 'lax' as const, secure: portalUrl.startsWith('https:'), path: '/', ...(maxAge === undefined ? {} : { maxAge }) }
}

/** Only paths of the portal itself are followed after login. */
export function safeReturnTo(value: string | null | undefined): string | undefined {
  return value && /^\/(?![/\\])[\w\-./?=&%]*$/u.test(value) ? value : undefined
}
