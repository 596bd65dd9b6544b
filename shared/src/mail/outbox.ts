import type { Knex } from '../db/knex'
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

/** The only SQL over mail_outbox besides enqueueMail. */
export function createOutboxQueries(db: Knex) {
  return {
    /** Takes due rows for `leaseMs`; a sender that dies mid-way leaves them due again afterwards. */
    async claimDue(now: Date, leaseMs: number, limit: number): Promise<OutboxRow[]> {
      const due = db('mail_outbox')
        .select('id')
        .whereIn('status', ['pending', 'sending'])
        .andWhere('next_attempt_at', '<=', now)
        .orderBy('id')
        .limit(limit)
        .forUpdate()
        .skipLocked()
      return db('mail_outbox')
        .whereIn('id', due)
        .update({ status: 'sending', attempts: db.raw('attempts + 1'), next_attempt_at: new Date(now.getTime() + leaseMs) })
        .returning(['id', 'to', 'template', 'data', 'attempts'])
    },

    async markSent(id: number, now: Date): Promise<void> {
      await db('mail_outbox').where({ id }).update({ status: 'sent', sent_at: now, data: '{}', last_error: null })
    },

    async markFailed(id: number, error: string, retryAt: Date | null): Promise<void> {
      await db('mail_outbox')
        .where({ id })
        .update(retryAt ? { status: 'pending', next_attempt_at: retryAt, last_error: error } : { status: 'failed', last_error: error })
    },

    async purgeSentBefore(date: Date): Promise<number> {
      return db('mail_outbox').where('status', 'sent').andWhere('sent_at', '<', date).delete()
    },
  }
}
