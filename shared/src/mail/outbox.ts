import type { Knex } from '../db/knex'
import { claimDueRows, databaseNowPlus } from '../queries/outbox-rows'
import type { MailData, MailTemplate } from './templates'

export type OutboxStatus = 'pending' | 'sending' | 'sent' | 'failed'
export const OUTBOX_STATUSES: readonly OutboxStatus[] = ['pending', 'sending', 'sent', 'failed']

/** A queued mail as operators see it (`outbox list`): never its data, which holds the links. */
export interface OutboxEntry {
  id: number
  to: string
  template: MailTemplate
  status: OutboxStatus
  attempts: number
  createdAt: Date
  nextAttemptAt: Date
  sentAt: Date | null
  lastError: string | null
  /** Whether its data (links included) is still there to send it again. */
  sendable: boolean
}

interface OutboxEntryRow {
  id: number
  to: string
  template: MailTemplate
  status: OutboxStatus
  attempts: number
  created_at: Date
  next_attempt_at: Date
  sent_at: Date | null
  last_error: string | null
  sendable: boolean
}

const toEntry = (row: OutboxEntryRow): OutboxEntry => ({
  id: row.id,
  to: row.to,
  template: row.template,
  status: row.status,
  attempts: row.attempts,
  createdAt: row.created_at,
  nextAttemptAt: row.next_attempt_at,
  sentAt: row.sent_at,
  lastError: row.last_error,
  sendable: row.sendable,
})

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
  const entries = () =>
    db('mail_outbox').select<OutboxEntryRow[]>('id', 'to', 'template', 'status', 'attempts', 'created_at', 'next_attempt_at', 'sent_at', 'last_error', db.raw(`data <> '{}'::jsonb as sendable`))

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

    /** The newest mails first, of one status or all. */
    async list(filter: { status?: OutboxStatus; limit: number }): Promise<OutboxEntry[]> {
      const rows = await entries()
        .modify((query) => (filter.status ? query.where('status', filter.status) : query))
        .orderBy('id', 'desc')
        .limit(filter.limit)
      return rows.map(toEntry)
    },

    async find(id: number): Promise<OutboxEntry | undefined> {
      const row = await entries().where({ id }).first()
      return row && toEntry(row)
    },

    /**
     * Makes mails due now: mails given up (while their data is still there) and mails waiting
     * for their next attempt; one mail, or all of them. Returns the ids made due.
     */
    async retry(id?: number): Promise<number[]> {
      const rows: { id: number }[] = await db('mail_outbox')
        .modify((query) => (id === undefined ? query : query.where({ id })))
        .andWhere((query) =>
          query.where((failed) => failed.where('status', 'failed').andWhereRaw(`data <> '{}'::jsonb`)).orWhere((waiting) => waiting.where('status', 'pending').andWhere('next_attempt_at', '>', db.fn.now())),
        )
        .update({ status: 'pending', next_attempt_at: db.fn.now() })
        .returning('id')
      return rows.map((row) => row.id).sort((a, b) => a - b)
    },

    /** Deletes the mails sent more than `ageMs` ago. */
    async purgeSentOlderThan(ageMs: number): Promise<number> {
      return db('mail_outbox').where('status', 'sent').andWhere('sent_at', '<', inMs(-ageMs)).delete()
    },
  }
}
