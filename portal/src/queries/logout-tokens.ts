import type { Knex } from '@opcommerce/shared/db/knex'

/** The only SQL over portal_logout_tokens: the logout tokens the portal has honoured. */
export function createLogoutTokenQueries(db: Knex | Knex.Transaction) {
  return {
    /** Records a token's jti until it expires; false when it was already recorded (a replay). */
    async remember(jti: string, expiresAt: Date, now: Date): Promise<boolean> {
      await db('portal_logout_tokens').where('expires_at', '<', now).delete()
      const inserted = await db('portal_logout_tokens').insert({ jti, expires_at: expiresAt }).onConflict('jti').ignore().returning('jti')
      return inserted.length === 1
    },
  }
}
