import type { Knex } from '@opcommerce/shared/db/knex'

export type EmailTokenPurpose = 'verify_email' | 'reset_password'

/** Whom a link is for: a user (reset), or a pending registration (validation). */
export type TokenOwner = { userId: string } | { registrationId: string }

export interface EmailTokenRow {
  id: string
  user_id: string | null
  registration_id: string | null
  purpose: EmailTokenPurpose
  expires_at: Date
  consumed_at: Date | null
}

const ownerColumns = (owner: TokenOwner) => ('userId' in owner ? { user_id: owner.userId } : { registration_id: owner.registrationId })

export function createEmailTokenQueries(db: Knex | Knex.Transaction) {
  return {
    async insert(token: { owner: TokenOwner; purpose: EmailTokenPurpose; tokenHash: string; expiresAt: Date }): Promise<void> {
      await db('email_tokens').insert({ ...ownerColumns(token.owner), purpose: token.purpose, token_hash: token.tokenHash, expires_at: token.expiresAt })
    },

    async findByHash(tokenHash: string, purpose: EmailTokenPurpose): Promise<EmailTokenRow | undefined> {
      return db('email_tokens').where({ token_hash: tokenHash, purpose }).first() as Promise<EmailTokenRow | undefined>
    },

    /** Marks the token used; false when another request used it first. */
    async consume(id: string, at: Date): Promise<boolean> {
      return (await db('email_tokens').where({ id }).whereNull('consumed_at').update({ consumed_at: at })) === 1
    },

    /** The validation link of a registration now belongs to the user it created (a second click says "déjà utilisé"). */
    async transferToUser(id: string, userId: string): Promise<void> {
      await db('email_tokens').where({ id }).update({ user_id: userId, registration_id: null })
    },

    /** Deletes the tokens that expired before `date`, used or not. */
    async purgeExpiredBefore(date: Date): Promise<number> {
      return db('email_tokens').where('expires_at', '<', date).delete()
    },

    /** A new link replaces the previous ones of the same purpose. */
    async expireUnused(owner: TokenOwner, purpose: EmailTokenPurpose, at: Date): Promise<void> {
      await db('email_tokens')
        .where({ ...ownerColumns(owner), purpose })
        .whereNull('consumed_at')
        .andWhere('expires_at', '>', at)
        .update({ expires_at: at })
    },
  }
}
