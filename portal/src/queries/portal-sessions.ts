import type { Knex } from '@opcommerce/shared/db/knex'

/** A live portal session with the profile of its user (the tokens still encrypted). */
export interface PortalSessionRow {
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

/** The only SQL over portal_sessions. */
export function createPortalSessionQueries(db: Knex | Knex.Transaction) {
  const sessions = () => db('portal_sessions')

  return {
    async insert(session: {
      id: string
      userId: string
      sid: string | null
      idTokenEncrypted: string
      refreshTokenEncrypted: string | null
      accessTokenExpiresAt: Date
      csrf: string
      expiresAt: Date
    }): Promise<void> {
      await sessions().insert({
        id: session.id,
        user_id: session.userId,
        sid: session.sid,
        id_token_encrypted: session.idTokenEncrypted,
        refresh_token_encrypted: session.refreshTokenEncrypted,
        access_token_expires_at: session.accessTokenExpiresAt,
        csrf: session.csrf,
        expires_at: session.expiresAt,
      })
    },

    /** The session, unless it expired or its user was disabled since (it ends at the next request, not at token expiry). */
    async findLive(id: string, now: Date): Promise<PortalSessionRow | undefined> {
      return sessions()
        .join('users', 'users.id', 'portal_sessions.user_id')
        .where('portal_sessions.id', id)
        .andWhere('portal_sessions.expires_at', '>', now)
        .whereNull('users.disabled_at')
        .first('portal_sessions.*', 'users.email', 'users.given_name', 'users.family_name')
    },

    /** Reserves the refresh for one request until `until`; false when another request holds it. */
    async claimRefresh(id: string, now: Date, until: Date): Promise<boolean> {
      const claimed = await sessions()
        .where({ id })
        .andWhere((query) => query.whereNull('refreshing_until').orWhere('refreshing_until', '<', now))
        .update({ refreshing_until: until })
      return claimed > 0
    },

    /** Stores refreshed tokens and lets the next refresh happen. */
    async saveRefresh(id: string, tokens: { idTokenEncrypted: string; refreshTokenEncrypted: string | null; accessTokenExpiresAt: Date }): Promise<void> {
      await sessions().where({ id }).update({
        id_token_encrypted: tokens.idTokenEncrypted,
        refresh_token_encrypted: tokens.refreshTokenEncrypted,
        access_token_expires_at: tokens.accessTokenExpiresAt,
        refreshing_until: null,
      })
    },

    async releaseRefresh(id: string): Promise<void> {
      await sessions().where({ id }).update({ refreshing_until: null })
    },

    async delete(id: string): Promise<void> {
      await sessions().where({ id }).delete()
    },

    /** Ends the sessions a logout token names: those opened under its sid, or, without one, every session of its sub. */
    async deleteLoggedOut({ sub, sid }: { sub?: string; sid?: string }): Promise<number> {
      return sessions()
        .where(sid ? { sid } : { user_id: sub })
        .delete()
    },

    async purgeExpired(now: Date): Promise<void> {
      await sessions().where('expires_at', '<', now).delete()
    },
  }
}
