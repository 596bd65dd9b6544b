import type { Knex } from '../db/knex'
import { claimDueRows, databaseNowPlus } from './outbox-rows'

/** A logout token to deliver: which client, about which user and session. */
export interface LogoutDelivery {
  id: number
  clientId: string
  sub: string
  sid: string | null
  attempts: number
}

/** A row as operators see it (`npm run cli -- logouts list`). */
export interface LogoutDeliveryState extends LogoutDelivery {
  status: 'pending' | 'sending' | 'failed'
  createdAt: Date
  nextAttemptAt: Date
  lastError: string | null
}

/**
 * OpenID Connect Back-Channel Logout 1.0: queues a logout token for every client with a
 * backchannel_logout_uri that the user's SSO sessions signed in — all of them, only the
 * authorizations whose `sid` is listed, or all but those of the SSO session `exceptSessionUid`. Call it in the transaction that ends the sessions,
 * before their rows are deleted: it reads who they signed in from them. The idp delivers the
 * tokens (LogoutSender), retrying until the client answers. Returns how many were queued.
 */
export async function scheduleBackchannelLogouts(db: Knex | Knex.Transaction, target: { userId: string; sids?: string[]; exceptSessionUid?: string }): Promise<number> {
  const { rows } = await db.raw(
    `insert into logout_deliveries (client_id, sub, sid)
     select client.client_id, session.payload->>'accountId', authorized.entry->>'sid'
       from oidc_payloads session
       cross join lateral jsonb_each(session.payload->'authorizations') as authorized(client_id, entry)
       join oidc_clients client on client.client_id = authorized.client_id
      where session.kind = 'Session' and session.payload->>'accountId' = ?
        and client.enabled and coalesce(client.metadata->>'backchannel_logout_uri', '') <> ''
        ${target.sids ? `and authorized.entry->>'sid' = any(?)` : ''}
        ${target.exceptSessionUid ? `and session.uid <> ?` : ''}
     returning id`,
    [target.userId, ...(target.sids ? [target.sids] : []), ...(target.exceptSessionUid ? [target.exceptSessionUid] : [])],
  )
  return (rows as unknown[]).length
}

interface LogoutDeliveryRow {
  id: number
  client_id: string
  sub: string
  sid: string | null
  attempts: number
  status: LogoutDeliveryState['status']
  created_at: Date
  next_attempt_at: Date
  last_error: string | null
}

const toDelivery = (row: Pick<LogoutDeliveryRow, 'id' | 'client_id' | 'sub' | 'sid' | 'attempts'>): LogoutDelivery => ({
  id: row.id,
  clientId: row.client_id,
  sub: row.sub,
  sid: row.sid,
  attempts: row.attempts,
})

/**
 * The only SQL over logout_deliveries besides scheduleBackchannelLogouts. As in the mail outbox,
 * every time is the database's own `now()`, whatever the clock of the process comparing.
 */
export function createLogoutDeliveryQueries(db: Knex) {
  const inMs = (milliseconds: number) => databaseNowPlus(db, milliseconds)

  return {
    /** Takes due rows for `leaseMs` (claimDueRows). */
    async claimDue(leaseMs: number, limit: number): Promise<LogoutDelivery[]> {
      const rows = await claimDueRows<LogoutDeliveryRow>(db, 'logout_deliveries', leaseMs, limit, ['id', 'client_id', 'sub', 'sid', 'attempts'])
      return rows.map(toDelivery)
    },

    /** Delivered, or no longer deliverable (client gone): nothing to keep. */
    async remove(id: number): Promise<void> {
      await db('logout_deliveries').where({ id }).delete()
    },

    /** Retried in `retryInMs`, unless the row is older than `giveUpAfterMs`: then it is failed for good. */
    async markFailed(id: number, error: string, retryInMs: number, giveUpAfterMs: number): Promise<'pending' | 'failed'> {
      const [row] = await db('logout_deliveries')
        .where({ id })
        .update({
          status: db.raw("case when created_at < ? then 'failed' else 'pending' end", [inMs(-giveUpAfterMs)]),
          next_attempt_at: inMs(retryInMs),
          last_error: error.slice(0, 500),
        })
        .returning('status')
      return row?.status
    },

    /** What operators see: every row, or those of one status, oldest first. */
    async list(status?: LogoutDeliveryState['status']): Promise<LogoutDeliveryState[]> {
      const query = db('logout_deliveries').orderBy('id')
      const rows: LogoutDeliveryRow[] = await (status ? query.where({ status }) : query)
      return rows.map((row) => ({
        ...toDelivery(row),
        status: row.status,
        createdAt: row.created_at,
        nextAttemptAt: row.next_attempt_at,
        lastError: row.last_error,
      }))
    },

    /** Deletes the deliveries given up more than `ageMs` ago. */
    async purgeFailedOlderThan(ageMs: number): Promise<number> {
      return db('logout_deliveries').where('status', 'failed').andWhere('created_at', '<', inMs(-ageMs)).delete()
    },
  }
}

export type LogoutDeliveryQueries = ReturnType<typeof createLogoutDeliveryQueries>
