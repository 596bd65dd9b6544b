import type { Account, FindAccount } from 'oidc-provider'
import type { Knex } from '@opcommerce/shared/db/knex'
import { activeCompaniesOf } from '@opcommerce/shared/queries/memberships'
import { createUserQueries } from '@opcommerce/shared/queries/users'

/**
 * The account behind a `sub`. Claims are read at each call, so an ID token, a refresh or a
 * userinfo request always carries the memberships as they are now.
 */
export function createFindAccount(db: Knex): FindAccount {
  const users = createUserQueries(db)
  return async (_ctx, sub) => {
    const user = await users.findById(sub)
    if (!user?.emailVerifiedAt) return undefined
    const account: Account = {
      accountId: user.id,
      async claims(_use, scope) {
        const companies = scope.split(' ').includes('companies') ? await activeCompaniesOf(db, user.id) : []
        return {
          sub: user.id,
          email: user.email,
          email_verified: true,
          given_name: user.givenName,
          family_name: user.familyName,
          name: `${user.givenName} ${user.familyName}`,
          updated_at: Math.floor(user.updatedAt.getTime() / 1000),
          companies,
          company_roles: companies.map((company) => `${company.siren}:${company.role}`),
        }
      },
    }
    return account
  }
}
