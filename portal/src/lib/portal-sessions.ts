import * as oidc from 'openid-client'
import type { Config } from '@opcommerce/shared/config'
import { decryptText, encryptText, randomToken, sha256 } from '@opcommerce/shared/crypto'
import type { Knex } from '@opcommerce/shared/db/knex'
import type { LogoutTokenClaims } from '@opcommerce/shared/logout-token'
import type { UserProfile } from '@opcommerce/shared/users'
import { createLogoutTokenQueries } from '@/queries/logout-tokens'
import { createPortalSessionQueries, type PortalSessionRow } from '@/queries/portal-sessions'
import { idpConfiguration } from './oidc'

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
  /** The SSO session's id for the portal (ID token `sid`): what a logout token names. */
  sid: string | undefined
  idToken: string
  refreshToken: string | undefined
  accessTokenExpiresAt: Date
}

/** The portal session's part of a token response. */
export function sessionTokens(tokens: oidc.TokenEndpointResponse & oidc.TokenEndpointResponseHelpers, now: Date): PortalSessionTokens {
  return {
    userId: tokens.claims()!.sub,
    sid: tokens.claims()!.sid as string | undefined,
    idToken: tokens.id_token!,
    refreshToken: tokens.refresh_token,
    accessTokenExpiresAt: new Date(now.getTime() + (tokens.expiresIn() ?? 600) * 1000),
  }
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
  const sessions = createPortalSessionQueries(db)

  const toSession = (row: PortalSessionRow): PortalSession => ({
    id: row.id,
    user: { id: row.user_id, email: row.email, givenName: row.given_name, familyName: row.family_name },
    idToken: decrypt(row.id_token_encrypted),
    csrf: row.csrf,
  })

  async function refresh(row: PortalSessionRow): Promise<PortalSession | undefined> {
    const claimed = await sessions.claimRefresh(row.id, now(), new Date(now().getTime() + REFRESH_CLAIM))
    if (!claimed || !row.refresh_token_encrypted) return toSession(row)
    try {
      const tokens = await oidc.refreshTokenGrant(await idpConfiguration(config), decrypt(row.refresh_token_encrypted))
      const refreshed = sessionTokens(tokens, now())
      await sessions.saveRefresh(row.id, {
        idTokenEncrypted: encrypt(refreshed.idToken),
        refreshTokenEncrypted: refreshed.refreshToken ? encrypt(refreshed.refreshToken) : null,
        accessTokenExpiresAt: refreshed.accessTokenExpiresAt,
      })
      return { ...toSession(row), idToken: refreshed.idToken }
    } catch (error) {
      // An OAuth error answer means the SSO session is over; anything else (idp unreachable) is retried later.
      if (typeof (error as { error?: unknown }).error === 'string') {
        await sessions.delete(row.id)
        return undefined
      }
      await sessions.releaseRefresh(row.id)
      return toSession(row)
    }
  }

  return {
    /** Opens a session after login; returns the cookie value. */
    async open(tokens: PortalSessionTokens): Promise<string> {
      const cookie = randomToken()
      await sessions.purgeExpired(now())
      await sessions.insert({
        id: sha256(cookie),
        userId: tokens.userId,
        sid: tokens.sid ?? null,
        idTokenEncrypted: encrypt(tokens.idToken),
        refreshTokenEncrypted: tokens.refreshToken ? encrypt(tokens.refreshToken) : null,
        accessTokenExpiresAt: tokens.accessTokenExpiresAt,
        csrf: randomToken(),
        expiresAt: new Date(now().getTime() + SESSION_LIFETIME),
      })
      return cookie
    },

    /** The session a cookie stands for, kept in step with the SSO session; undefined when there is none. */
    async resume(cookie: string | undefined): Promise<PortalSession | undefined> {
      if (!cookie || !/^[\w-]{43}$/u.test(cookie)) return undefined
      const row = await sessions.findLive(sha256(cookie), now())
      if (!row) return undefined
      if (row.access_token_expires_at.getTime() - now().getTime() > REFRESH_MARGIN) return toSession(row)
      return refresh(row)
    },

    async close(session: PortalSession): Promise<void> {
      await sessions.delete(session.id)
    },

    /**
     * Back-Channel Logout 1.0 §2.7: ends the sessions a verified logout token names. False when
     * the same token (its jti) was honoured already: a replay is refused.
     */
    async endLoggedOut(claims: LogoutTokenClaims): Promise<boolean> {
      return db.transaction(async (trx) => {
        if (!(await createLogoutTokenQueries(trx).remember(claims.jti, claims.expiresAt, now()))) return false
        await createPortalSessionQueries(trx).deleteLoggedOut(claims)
        return true
      })
    },
  }
}

export type PortalSessionStore = ReturnType<typeof createPortalSessionStore>
