import type { Config } from './config'
import type { Knex } from './db/knex'
import { domainOf } from './email-domains'
import { enqueueMail } from './mail/outbox'
import { recordAudit } from './queries/audit'
import type { Company } from './queries/companies'
import { createCompanyDomainQueries } from './queries/company-domains'
import { createMembershipQueries, type Membership } from './queries/memberships'
import { fullName, type UserProfile } from './users'

/** What "Ajouter cette entreprise" did with a right code (guide, section 2; trusted domains beyond it). */
export type LinkOutcome = 'admin' | 'member_by_domain' | 'pending' | 'already_active' | 'already_pending'

const manageUrl = (config: Config, siren: string) => `${config.portal.url}/entreprises/${siren}/utilisateurs`

/** The access request mail to every active administrator of the company (new request or reminder). */
export async function mailAdministrators(trx: Knex.Transaction, config: Config, company: Company, requester: UserProfile, reminder: boolean): Promise<void> {
  for (const email of await createMembershipQueries(trx).activeAdminEmails(company.siren)) {
    await enqueueMail(trx, email, 'access_request', {
      requesterName: fullName(requester),
      requesterEmail: requester.email,
      companyName: company.name,
      siren: company.siren,
      manageUrl: manageUrl(config, company.siren),
      reminder,
    })
  }
}

/** A trusted email domain of the company: its users join as members at once, and the administrators are told. */
async function joinByDomain(trx: Knex.Transaction, config: Config, options: { company: Company; user: UserProfile; at: Date; ip: string | null; actor: string }): Promise<boolean> {
  const { company, user, at, ip, actor } = options
  const domain = domainOf(user.email)
  if (!(await createCompanyDomainQueries(trx).has(company.siren, domain))) return false
  const memberships = createMembershipQueries(trx)
  await memberships.upsert({ userId: user.id, siren: company.siren, role: 'member', status: 'active', at })
  for (const email of await memberships.activeAdminEmails(company.siren)) {
    await enqueueMail(trx, email, 'member_joined_by_domain', {
      memberName: fullName(user),
      memberEmail: user.email,
      domain,
      companyName: company.name,
      siren: company.siren,
      manageUrl: manageUrl(config, company.siren),
    })
  }
  await recordAudit(trx, { type: 'company.joined_by_domain', actor, subject: company.siren, ip, details: { domain, user: user.id } })
  return true
}

/**
 * Links a user to a company whose code they proved (by typing it, or an operator by confirming
 * their held request), in a transaction that holds the company's row lock: the first user of a
 * company without an administrator becomes its administrator; a user of one of its trusted
 * domains joins it; everyone else asks the administrators. `actor` is who decided (the user, or
 * `cli:<operator>`); `beforeRequest` may refuse a new request (the portal's refusal cooldown).
 */
export async function fileLink(
  trx: Knex.Transaction,
  config: Config,
  options: { company: Company; user: UserProfile; at: Date; ip: string | null; actor: string; beforeRequest?: (existing: Membership | undefined) => void },
): Promise<LinkOutcome> {
  const { company, user, at, ip, actor } = options
  const memberships = createMembershipQueries(trx)
  const existing = await memberships.find(user.id, company.siren)
  if (existing?.status === 'active') return 'already_active'
  if (existing?.status === 'pending') return 'already_pending'
  if ((await memberships.countActiveAdmins(company.siren)) === 0) {
    await memberships.upsert({ userId: user.id, siren: company.siren, role: 'admin', status: 'active', at })
    await recordAudit(trx, { type: 'company.linked_as_admin', actor, subject: company.siren, ip, details: { user: user.id } })
    return 'admin'
  }
  options.beforeRequest?.(existing)
  if (await joinByDomain(trx, config, options)) return 'member_by_domain'
  await memberships.upsert({ userId: user.id, siren: company.siren, role: 'member', status: 'pending', at })
  await mailAdministrators(trx, config, company, user, false)
  await recordAudit(trx, { type: 'company.access_requested', actor, subject: company.siren, ip, details: { user: user.id } })
  return 'pending'
}
