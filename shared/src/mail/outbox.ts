import type { Knex } from '../db/knex'
import { claimDueRows, databaseNowPlus } from '../queries/outbox-rows'
import type { MailData, MailTemplate } from './templates'

export interface OutboxRow {
  id: number
  to: string
  template: MailTemplate
  data: Record<string, unknown>
  attempts: number
}

/**
 * Queues a mail in the caller's transaction: it is sent if and only if the change that caused it
 * commits, and it survives any SMTP outage (see MailSender).
 */
export async function enqueueMail<T extends MailTemplate>(
  db: Knex | Knex.Transaction,
  to: string,
  template: T,
  data: MailData<T>,
): Promise<void> {
  await db('mail_outbox').insert({ to, template, data: JSON.stringify(data) })
}

/**
 * The only SQL over mail_outbox besides enqueueMail. Every time here is the database's own
 * `now()`: a mail is queued with it (the column's default), and every sender process, whatever
 * its own clock, compares with the same one.
 */
export function createOutboxQueries(db: Knex) {
  const inMs = (milliseconds: number) => databaseNowPlus(db, milliseconds)

  return {
    /** Takes due rows for `leaseMs` for `claimant` (claimDueRows). */
    claimDue: (leaseMs: number, limit: number, claimant: string) =>
      claimDueRows<OutboxRow>(db, 'mail_outbox', leaseMs, limit, ['id', 'to', 'template', 'data', 'attempts'], claimant),

    /** Gives claimed rows back at once (a sender that stops), so another sender needs not wait for their lease. */
    async release(ids: number[]): Promise<void> {
      if (ids.length > 0) await db('mail_outbox').whereIn('id', ids).andWhere({ status: 'sending' }).update({ status: 'pending', next_attempt_at: db.fn.now(), attempts: db.raw('attempts - 1') })
    },

    async markSent(id: number): Promise<void> {
      await db('mail_outbox').where({ id }).update({ status: 'sent', sent_at: db.fn.now(), data: '{}', last_error: null })
    },

    /** Retried in `retryInMs`, or given up for good when it is null (its links forgotten then, as a sent mail's). */
    async markFailed(id: number, error: string, retryInMs: number | null): Promise<void> {
      await db('mail_outbox')
        .where({ id })
        .update(retryInMs === null ? { status: 'failed', data: '{}', last_error: error } : { status: 'pending', next_attempt_at: inMs(retryInMs), last_error: error })
    },

    /** Mails not sent yet (queued, or being sent) and mails given up, for the metrics. */
    async countByStatus(): Promise<{ pending: number; failed: number }> {
      const [row] = await db('mail_outbox').select(
        db.raw("count(*) filter (where status in ('pending', 'sending'))::int as pending"),
        db.raw("count(*) filter (where status = 'failed')::int as failed"),
      )
      return { pending: Number(row.pending), failed: Number(row.failed) }
    },

    /** Deletes the mails sent more than `ageMs` ago. */
    async purgeSentOlderThan(ageMs: number): Promise<number> {
      return db('mail_outbox').where('status', 'sent').andWhere('sent_at', '<', inMs(-ageMs)).delete()
    },
  }
}
