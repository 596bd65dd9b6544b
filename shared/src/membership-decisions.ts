import type { Config } from './config'
import type { Knex } from './db/knex'
import { ConflictError } from './errors'
import { enqueueMail } from './mail/outbox'
import { recordAudit } from './queries/audit'
import type { Company } from './queries/companies'
import { createMembershipQueries, type Membership, type Role } from './queries/memberships'
import { createUserQueries } from './queries/users'

/**
 * Decisions on a company's members taken outside « Gérer les utilisateurs »: by an operator
 * (`memberships grant|revoke`, `users delete`) or by the person closing their account. The same
 * mails and audit events as the portal's, and one guard against leaving a company's members
 * without an administrator. Each runs in the caller's transaction, which holds the company's
 * row lock (createCompanyQueries(trx).lock) so that decisions on one company happen one at a time.
 */

/** Who decides: a user's id, or `cli:<account>` for an operator; and from where, when known. */
export interface Decider {
  actor: string
  ip: string | null
  at: Date
}

/** A company the user is the only active administrator of, while other people are in it (active or waiting). */
export interface AdministeredCompany {
  siren: string
  name: string
  /** Active members and pending requests besides the administrator. */
  others: number
}

/**
 * The companies that would be left with members but no administrator if the user went: they must
 * name another administrator first. A company where the user is alone is not one: once they are
 * gone, the next person to link it with its code becomes its administrator.
 */
export function companiesOnlyAdministeredBy(db: Knex | Knex.Transaction, userId: string): Promise<AdministeredCompany[]> {
  return createMembershipQueries(db).onlyAdministeredBy(userId)
}

/** The refusal when `membership` is the only administrator of a company that has other members. */
export async function assertCompanyKeepsAnAdministrator(trx: Knex.Transaction, membership: Membership, message: (company: AdministeredCompany) => string): Promise<void> {
  if (membership.status !== 'active' || membership.role !== 'admin') return
  const blocked = (await companiesOnlyAdministeredBy(trx, membership.userId)).find((company) => company.siren === membership.siren)
  if (blocked) throw new ConflictError(message(blocked))
}

const decidedBy = (decider: Decider) => (decider.actor.startsWith('cli:') ? null : decider.actor)
const homeUrl = (config: Config, siren: string) => `${config.portal.url}/entreprises/${siren}`

export type GrantOutcome = 'activated' | 'promoted' | 'demoted' | 'unchanged'

/**
 * Gives the user an active access to the company with `role`: a new access, a pending request
 * approved, a refused or removed one given back (the « access activated » mail), or the role of an
 * active member changed (the « role changed » mail). Naming a member of a company without an
 * administrator is how an operator replaces one who left.
 */
export async function grantAccess(trx: Knex.Transaction, config: Config, company: Company, userId: string, role: Role, decider: Decider, message: (company: AdministeredCompany) => string): Promise<GrantOutcome> {
  const memberships = createMembershipQueries(trx)
  const membership = await memberships.find(userId, company.siren)
  const user = (await createUserQueries(trx).findProfile(userId))!
  const details = { siren: company.siren, role }
  if (membership?.status === 'active') {
    if (membership.role === role) return 'unchanged'
    if (role === 'member') await assertCompanyKeepsAnAdministrator(trx, membership, message)
    await memberships.setRole(userId, company.siren, role)
    await recordAudit(trx, { type: role === 'admin' ? 'company.member_promoted' : 'company.member_demoted', actor: decider.actor, subject: userId, ip: decider.ip, details })
    await enqueueMail(trx, user.email, 'role_changed', { companyName: company.name, siren: company.siren, role, portalUrl: homeUrl(config, company.siren) })
    return role === 'admin' ? 'promoted' : 'demoted'
  }
  if (membership?.status === 'pending') await memberships.decide(userId, company.siren, { status: 'active', role, by: decidedBy(decider), at: decider.at })
  else await memberships.upsert({ userId, siren: company.siren, role, status: 'active', at: decider.at, decidedBy: decidedBy(decider) })
  await recordAudit(trx, { type: 'company.access_approved', actor: decider.actor, subject: userId, ip: decider.ip, details })
  await enqueueMail(trx, user.email, 'access_approved', { companyName: company.name, siren: company.siren, portalUrl: homeUrl(config, company.siren) })
  if (role === 'admin') await enqueueMail(trx, user.email, 'role_changed', { companyName: company.name, siren: company.siren, role, portalUrl: homeUrl(config, company.siren) })
  return 'activated'
}

/**
 * Removes an active access (the « access removed » mail), refused for the only administrator of a
 * company that has other members. False when the user had no active access.
 */
export async function revokeAccess(trx: Knex.Transaction, company: Company, userId: string, decider: Decider, message: (company: AdministeredCompany) => string): Promise<boolean> {
  const memberships = createMembershipQueries(trx)
  const membership = await memberships.find(userId, company.siren)
  if (membership?.status !== 'active') return false
  await assertCompanyKeepsAnAdministrator(trx, membership, message)
  await memberships.decide(userId, company.siren, { status: 'revoked', by: decidedBy(decider), at: decider.at })
  await recordAudit(trx, { type: 'company.member_removed', actor: decider.actor, subject: userId, ip: decider.ip, details: { siren: company.siren } })
  const user = (await createUserQueries(trx).findProfile(userId))!
  await enqueueMail(trx, user.email, 'access_removed', { companyName: company.name, siren: company.siren })
  return true
}
