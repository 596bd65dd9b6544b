import type { Knex } from '@opcommerce/shared/db/knex'

/** A change of a person's address, from its request to its validation or cancellation. */
export interface EmailChange {
  id: string
  userId: string
  oldEmail: string
  newEmail: string
  createdAt: Date
  expiresAt: Date
  cancelExpiresAt: Date
  validatedAt: Date | null
  cancelledAt: Date | null
}

interface EmailChangeRow {
  id: string
  user_id: string
  old_email: string
  new_email: string
  created_at: Date
  expires_at: Date
  cancel_expires_at: Date
  validated_at: Date | null
  cancelled_at: Date | null
}

const fromRow = (row: EmailChangeRow): EmailChange => ({
  id: row.id,
  userId: row.user_id,
  oldEmail: row.old_email,
  newEmail: row.new_email,
  createdAt: row.created_at,
  expiresAt: row.expires_at,
  cancelExpiresAt: row.cancel_expires_at,
  validatedAt: row.validated_at,
  cancelledAt: row.cancelled_at,
})

/** The SQL of email_changes. Times are the application's clock (the links' expiry is compared with it). */
export function createEmailChangeQueries(db: Knex | Knex.Transaction) {
  return {
    /** Replaces the pending change of the user, if any, with this one. */
    async replacePending(change: Omit<EmailChange, 'id' | 'validatedAt' | 'cancelledAt'> & { tokenHash: string; cancelTokenHash: string }): Promise<void> {
      await db('email_changes').where({ user_id: change.userId }).whereNull('validated_at').whereNull('cancelled_at').update({ cancelled_at: change.createdAt })
      await db('email_changes').insert({
        user_id: change.userId,
        old_email: change.oldEmail,
        new_email: change.newEmail,
        token_hash: change.tokenHash,
        cancel_token_hash: change.cancelTokenHash,
        created_at: change.createdAt,
        expires_at: change.expiresAt,
        cancel_expires_at: change.cancelExpiresAt,
      })
    },

    /** The change a link names (by the SHA-256 of its secret), locked until the transaction ends. */
    async lockByTokenHash(column: 'token_hash' | 'cancel_token_hash', hash: string): Promise<EmailChange | undefined> {
      const row = await db<EmailChangeRow>('email_changes').where(column, hash).forUpdate().first()
      return row && fromRow(row)
    },

    async findByTokenHash(column: 'token_hash' | 'cancel_token_hash', hash: string): Promise<EmailChange | undefined> {
      const row = await db<EmailChangeRow>('email_changes').where(column, hash).first()
      return row && fromRow(row)
    },

    /** The change of the user waiting for its validation link, if any. */
    async pendingOf(userId: string, now: Date): Promise<EmailChange | undefined> {
      const row = await db<EmailChangeRow>('email_changes')
        .where({ user_id: userId })
        .whereNull('validated_at')
        .whereNull('cancelled_at')
        .andWhere('expires_at', '>', now)
        .first()
      return row && fromRow(row)
    },

    async markValidated(id: string, at: Date): Promise<void> {
      await db('email_changes').where({ id }).update({ validated_at: at })
    },

    async markCancelled(id: string, at: Date): Promise<void> {
      await db('email_changes').where({ id }).update({ cancelled_at: at })
    },

    /** Changes whose cancel link expired before `before`. */
    async purgeExpiredBefore(before: Date): Promise<number> {
      return db('email_changes').where('cancel_expires_at', '<', before).delete()
    },
  }
}
