import type { Knex } from '../db/knex'

/** What oidc-provider keeps for a user (as `accountId`) and ends with their sessions. */
const SESSION_KINDS = ['Session', 'Grant', 'AccessToken', 'RefreshToken', 'AuthorizationCode']

/** The SQL that ends sessions in both services' tables. */
export function createSessionQueries(db: Knex | Knex.Transaction) {
  return {
    /** Deletes every SSO session, grant and token of the user, and every portal session of theirs. */
    async deleteEverythingOf(userId: string): Promise<number> {
      const oidc = await db('oidc_payloads').whereIn('kind', SESSION_KINDS).andWhereRaw(`payload->>'accountId' = ?`, [userId]).delete()
      const portal = await db('portal_sessions').where({ user_id: userId }).delete()
      return oidc + portal
    },
  }
}
