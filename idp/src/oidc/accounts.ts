import type { Account, FindAccount } from 'oidc-provider'
import type { Knex } from '@opcommerce/shared/db/knex'
import { createMembershipQueries } from '@opcommerce/shared/queries/memberships'
import { createSecondFactorQueries } from '@opcommerce/shared/queries/second-factors'
import { createUserQueries } from '@opcommerce/shared/queries/users'
import { fullName } from '@opcommerce/shared/users'

/**
 * The user behind a `sub` (oidc-provider calls it an account). Claims are read at each call, so
 * an ID token, a refresh or a userinfo request always carries the memberships as they are now.
 */
export function createFindAccount(db: Knex): FindAccount {
  const users = createUserQueries(db)
  const memberships = createMembershipQueries(db)
  const secondFactors = createSecondFactorQueries(db)

  /**
   * The active memberships, less the companies that require a second factor when the person
   * has none: they regain them once they configure one (the portal tells them so).
   */
  async function activeCompaniesOf(userId: string) {
    const [active, requiring] = [await memberships.activeOf(userId), await secondFactors.companiesRequiringOf(userId)]
    if (requiring.length === 0) return active
    const factors = await secondFactors.of(userId)
    if (factors.totp || factors.passkeys > 0) return active
    const withheld = new Set(requiring.map((company) => company.siren))
    return active.filter((company) => !withheld.has(company.siren))
  }

  return async (_ctx, sub) => {
    const user = await users.findById(sub)
    // A disabled user has no account any more: their tokens are refused at the next refresh or userinfo call.
    if (!user?.emailVerifiedAt || user.disabledAt) return undefined
    const account: Account = {
      accountId: user.id,
      async claims(_use, scope) {
        const companies = scope.split(' ').includes('companies') ? await activeCompaniesOf(user.id) : []
        return {
          sub: user.id,
          email: user.email,
          email_verified: true,
          given_name: user.givenName,
          family_name: user.familyName,
          name: fullName(user),
          updated_at: Math.floor(user.updatedAt.getTime() / 1000),
          companies,
          company_roles: companies.map((company) => `${company.siren}:${company.role}`),
        }
      },
    }
    return account
  }
}
