import type { Knex } from '../db/knex'

export type Role = 'admin' | 'member'
export type MembershipStatus = 'pending' | 'active' | 'rejected' | 'revoked'

/** One element of the `companies` claim. */
export interface CompanyAccess {
  siren: string
  name: string
  role: Role
}

/** The user's active memberships, the companies they may act for. */
export async function activeCompaniesOf(db: Knex, userId: string): Promise<CompanyAccess[]> {
  return db('memberships')
    .join('companies', 'companies.siren', 'memberships.siren')
    .where({ 'memberships.user_id': userId, 'memberships.status': 'active' })
    .orderBy('companies.name')
    .select('companies.siren', 'companies.name', 'memberships.role')
}
