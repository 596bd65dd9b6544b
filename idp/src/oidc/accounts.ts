import type { Account, FindAccount, KoaContextWithOIDC } from 'oidc-provider'
import type { Knex } from '@opcommerce/shared/db/knex'
import { createMembershipQueries } from '@opcommerce/shared/queries/memberships'
import { fullName } from '@opcommerce/shared/users'

/**
 * The user behind a `sub` (oidc-provider calls it an account). Claims are read at each request,
 * so an ID token, a refresh or a userinfo request always carries the memberships as they are now:
 * the user and their companies in one query, once per request (oidc-provider may ask several
 * times in one request, e.g. to check the account and then to build the ID token).
 */
export function createFindAccount(db: Knex): FindAccount {
  const memberships = createMembershipQueries(db)
  const perRequest = new WeakMap<KoaContextWithOIDC, Map<string, Promise<Account | undefined>>>()
  const load = async (sub: string): Promise<Account | undefined> => {
    const user = await memberships.userWithCompanies(sub)
    if (!user?.emailVerifiedAt) return undefined
    return {
      accountId: user.id,
      async claims(_use, scope) {
        const companies = scope.split(' ').includes('companies') ? user.companies : []
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
  }
  return (ctx, sub) => {
    if (!ctx) return load(sub)
    const accounts = perRequest.get(ctx) ?? new Map<string, Promise<Account | undefined>>()
    perRequest.set(ctx, accounts)
    const account = accounts.get(sub) ?? load(sub)
    accounts.set(sub, account)
    return account
  }
}
