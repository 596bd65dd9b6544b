import type { Account, FindAccount } from 'oidc-provider'
import type { Knex } from '@opcommerce/shared/db/knex'
import { createMembershipQueries, type UserWithCompanies } from '@opcommerce/shared/queries/memberships'
import { fullName } from '@opcommerce/shared/users'
import { requestReads } from './request-reads'

/**
 * The user behind a `sub` (oidc-provider calls it an account). Claims are read at each request,
 * so an ID token, a refresh or a userinfo request always carries the memberships as they are now:
 * the user and their companies in one query, once per request (oidc-provider may ask several
 * times in one request, e.g. to check the account and then to build the ID token), or none when
 * the request's token brought them (request-reads.ts).
 */
export function createFindAccount(db: Knex): FindAccount {
  const memberships = createMembershipQueries(db)
  const load = async (sub: string, prefetched: Promise<unknown> | undefined): Promise<Account | undefined> => {
    const user = await ((prefetched as Promise<UserWithCompanies> | undefined) ?? memberships.userWithCompanies(sub))
    // A disabled user has no account any more: their tokens are refused at the next refresh or userinfo call.
    if (!user?.emailVerifiedAt || user.disabledAt) return undefined
    return {
      accountId: user.id,
      async claims(_use, scope) {
        // Companies requiring a second factor the person lacks are already left out (userWithCompaniesJson).
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
  return (_ctx, sub) => {
    const reads = requestReads()
    const known = reads?.get(`Account:${sub}`) as Promise<Account | undefined> | undefined
    if (known) return known
    const account = load(sub, reads?.get(`User:${sub}`))
    reads?.set(`Account:${sub}`, account)
    return account
  }
}
