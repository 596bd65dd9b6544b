import type { Knex } from '@opcommerce/shared/db/knex'

export type EmailTokenPurpose = 'verify_email' | 'reset_password'

export interface EmailTokenRow {
  id: string
  user_id: string
  purpose: EmailTokenPurpose
  expires_at: Date
  consumed_at: Date | null
}

export function createEmailTokenQueries(db: Knex | Knex.Transaction) {
  return {
    async insert(token: { userId: string; purpose: EmailTokenPurpose; tokenHash: string; expiresAt: Date }): Promise<void> {
      await db('email_tokens').insert({
        user_id: token.userId,
        purpose: token.purpose,
        token_hash: token.tokenHash,
        expires_at: token.expiresAt,
      })
    },

    async findByHash(tokenHash: string, purpose: EmailTokenPurpose): Promise<EmailTokenRow | undefined> {
      return db('email_tokens').where({ token_hash: tokenHash, purpose }).first() as Promise<EmailTokenRow | undefined>
    },

    /** Marks the token used; false when another request used it first. */
    async consume(id: string, at: Date): Promise<boolean> {
      return (await db('email_tokens').where({ id }).whereNull('consumed_at').update({ consumed_at: at })) === 1
    },

    /** Deletes the tokens that expired before `date`, used or not. */
    async purgeExpiredBefore(date: Date): Promise<number> {
      return db('email_tokens').where('expires_at', '<', date).delete()
    },

    /** A new link replaces the previous ones of the same purpose. */
    async expireUnused(userId: string, purpose: EmailTokenPurpose, at: Date): Promise<void> {
      await db('email_tokens')
        .where({ user_id: userId, purpose })
        .whereNull('consumed_at')
        .andWhere('expires_at', '>', at)
        .update({ expires_at: at })
    },
  }
}
