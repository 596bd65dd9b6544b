import type { Knex } from '@opcommerce/shared/db/knex'

/** An SSO session of a person, as « Mon compte » lists it. */
export interface ActiveSession {
  uid: string
  userAgent: string | null
  ip: string | null
  startedAt: Date
  lastSeenAt: Date
}

/** How often at most a session's last activity moves forward (one write a minute per session at most). */
export const TOUCH_INTERVAL = 60 // seconds

/**
 * Where each SSO session was opened and last used: oidc-provider keeps neither. Times are the
 * database's `now()`, like the sessions' own expiry.
 */
export function createSessionActivityQueries(db: Knex | Knex.Transaction) {
  return {
    /**
     * A session used by a browser: recorded at its first use (a login), then its last activity,
     * browser and address moved forward at most once a minute. A session that changed hands (another
     * person logged in in the same browser) starts again.
     */
    async touch(entry: { uid: string; userId: string; userAgent: string | undefined; ip: string }): Promise<void> {
      await db.raw(
        `insert into sso_session_activity as activity (uid, user_id, user_agent, ip)
         values (?, ?, ?, ?)
         on conflict (uid) do update set
           user_agent = excluded.user_agent, ip = excluded.ip, last_seen_at = now(), user_id = excluded.user_id,
           started_at = case when activity.user_id = excluded.user_id then activity.started_at else now() end
         where activity.user_id <> excluded.user_id or activity.last_seen_at < now() - make_interval(secs => ?)`,
        [entry.uid, entry.userId, entry.userAgent?.slice(0, 512) ?? null, entry.ip, TOUCH_INTERVAL],
      )
    },

    /** A refresh of the tokens of a session (from an application's server: its address is not the person's). */
    async touchLastSeen(uid: string): Promise<void> {
      await db('sso_session_activity')
        .where({ uid })
        .andWhereRaw('last_seen_at < now() - make_interval(secs => ?)', [TOUCH_INTERVAL])
        .update({ last_seen_at: db.fn.now() })
    },

    /** The live SSO sessions of a user, the most recently used first (one opened before this table existed has no details). */
    async activeOf(userId: string): Promise<ActiveSession[]> {
      const { rows } = await db.raw(
        `select session.uid, activity.user_agent, activity.ip,
                coalesce(activity.started_at, to_timestamp((session.payload->>'loginTs')::bigint)) as started_at,
                coalesce(activity.last_seen_at, activity.started_at, to_timestamp((session.payload->>'loginTs')::bigint)) as last_seen_at
           from oidc_payloads session
           left join sso_session_activity activity on activity.uid = session.uid and activity.user_id = ?::uuid
          where session.kind = 'Session' and session.payload->>'accountId' = ?
            and (session.expires_at is null or session.expires_at > now())
          order by last_seen_at desc`,
        [userId, userId],
      )
      return (rows as { uid: string; user_agent: string | null; ip: string | null; started_at: Date; last_seen_at: Date }[]).map((row) => ({
        uid: row.uid,
        userAgent: row.user_agent,
        ip: row.ip,
        startedAt: new Date(row.started_at),
        lastSeenAt: new Date(row.last_seen_at),
      }))
    },

    /** Rows of sessions that no longer exist (ended, expired); not one just recorded for a session being saved. */
    async purgeEnded(): Promise<number> {
      return db('sso_session_activity')
        .whereRaw(`last_seen_at < now() - interval '1 hour'`)
        .whereNotExists(db('oidc_payloads').where({ kind: 'Session' }).andWhereRaw('oidc_payloads.uid = sso_session_activity.uid'))
        .delete()
    },
  }
}
