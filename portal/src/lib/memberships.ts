import { memberCodeMatches } from '@opcommerce/shared/companies'
import type { Config } from '@opcommerce/shared/config'
import type { Knex } from '@opcommerce/shared/db/knex'
import { z } from 'zod'
import { BadRequestError, ConflictError, ForbiddenError, NotFoundError, TooManyRequestsError } from '@opcommerce/shared/errors'
import { formText, validateForm } from '@opcommerce/shared/forms'
import { formatWait, RateLimit, type RateLimitRule } from '@opcommerce/shared/rate-limits'
import { enqueueMail } from '@opcommerce/shared/mail/outbox'
import { recordAudit } from '@opcommerce/shared/queries/audit'
import { createCompanyQueries, type Company } from '@opcommerce/shared/queries/companies'
import { createMembershipQueries, type Membership } from '@opcommerce/shared/queries/memberships'
import { createUserQueries } from '@opcommerce/shared/queries/users'
import { checkSiren } from '@opcommerce/shared/siren'
import { fullName, type UserProfile } from '@opcommerce/shared/users'
import { messages } from './messages'

export const REMINDER_INTERVAL = 24 * 3600_000 // milliseconds between two reminders of one request

/** Attempts at "Ajouter cette entreprise", per user and per SIREN. */
const DEFAULT_LINK_LIMITS = {
  linkPerUser: { points: 10, duration: 60 * 60 },
  linkPerCompany: { points: 30, duration: 60 * 60 },
} satisfies Record<string, RateLimitRule>

export type LinkOutcome = 'admin' | 'pending' | 'already_active' | 'already_pending'

/** "Ajouter une entreprise": a valid SIREN (typed with spaces or not) and a code adhérent. */
const linkForm = z.object({
  siren: formText.transform((input, ctx) => {
    const siren = checkSiren(input)
    if (siren.ok) return siren.siren
    ctx.addIssue({ code: 'custom', message: siren.message })
    return z.NEVER
  }),
  code: formText.refine((code) => code.trim() !== '', messages.link.codeRequired),
})

/** "Refuser": an optional reason, shown to the requester. */
const refusalForm = z.object({ reason: formText.transform((reason) => reason.trim()).pipe(z.string().max(500, messages.members.reasonTooLong)) })

export interface MembershipRulesDependencies {
  config: Config
  db: Knex
  now: () => Date
  limits?: Partial<typeof DEFAULT_LINK_LIMITS>
}

/**
 * The membership rules (guide, section 2): the first user to link a company becomes its
 * administrator, everyone after sends an access request to the administrators, who decide.
 * Every decision locks the company row, so concurrent requests are decided one after the other.
 */
export function createMembershipRules({ config, db, now, limits = {} }: MembershipRulesDependencies) {
  const rules = { ...DEFAULT_LINK_LIMITS, ...limits }
  const linkPerUser = new RateLimit(db, 'portal_link_user', rules.linkPerUser)
  const linkPerCompany = new RateLimit(db, 'portal_link_company', rules.linkPerCompany)
  const manageUrl = (siren: string) => `${config.portal.url}/entreprises/${siren}/utilisateurs`

  async function mailAdmins(trx: Knex.Transaction, company: Company, requester: UserProfile, reminder: boolean) {
    const memberships = createMembershipQueries(trx)
    for (const email of await memberships.activeAdminEmails(company.siren)) {
      await enqueueMail(trx, email, 'access_request', {
        requesterName: fullName(requester),
        requesterEmail: requester.email,
        companyName: company.name,
        siren: company.siren,
        manageUrl: manageUrl(company.siren),
        reminder,
      })
    }
  }

  /** Locks the company and checks that `actor` is one of its active administrators. */
  async function asAdministrator(trx: Knex.Transaction, actor: UserProfile, siren: string): Promise<Company> {
    const company = await createCompanyQueries(trx).lock(siren)
    const membership = company ? await createMembershipQueries(trx).find(actor.id, siren) : undefined
    if (!company || membership?.status !== 'active' || membership.role !== 'admin') throw new ForbiddenError(messages.members.forbidden)
    return company
  }

  const profileOf = async (trx: Knex.Transaction, userId: string) => (await createUserQueries(trx).findProfile(userId))!

  async function assertNotLastAdmin(trx: Knex.Transaction, siren: string, membership: Membership) {
    if (membership.role === 'admin' && (await createMembershipQueries(trx).countActiveAdmins(siren)) <= 1) {
      throw new ConflictError(messages.members.lastAdmin)
    }
  }

  return {
    /**
     * Where a user lands after logging in: the home of their first company, or "Ajouter une
     * entreprise" while they have no active membership.
     */
    async landingPath(userId: string): Promise<string> {
      const [first] = await createMembershipQueries(db).activeOf(userId)
      return first ? `/entreprises/${first.siren}` : '/entreprises/ajouter'
    },

    /** "Ajouter cette entreprise": Siren + code adhérent. */
    async linkCompany(user: UserProfile, input: { siren: string; code: string }, ip: string): Promise<{ outcome: LinkOutcome; company: Company }> {
      const { siren, code } = validateForm(linkForm, input)
      // Only wrong codes count: nobody can block a company, and linking many companies stays possible.
      await linkPerUser.check(user.id, messages.link.tooManyForUser)
      await linkPerCompany.check(siren, messages.link.tooManyForCompany)

      const result = await db.transaction(async (trx) => {
        const company = await createCompanyQueries(trx).lock(siren)
        // An unknown company and a wrong code get the same answer: the directory cannot be probed.
        const codeHash = company?.memberCodeHash ?? '0'.repeat(64)
        if (!memberCodeMatches(code, codeHash, config.secrets.memberCodeHmacKey) || !company) {
          await recordAudit(trx, { type: 'company.link_failed', actor: user.id, subject: siren, ip })
          return undefined
        }
        const memberships = createMembershipQueries(trx)
        const existing = await memberships.find(user.id, company.siren)
        if (existing?.status === 'active') return { outcome: 'already_active' as const, company }
        if (existing?.status === 'pending') return { outcome: 'already_pending' as const, company }
        if ((await memberships.countActiveAdmins(company.siren)) === 0) {
          await memberships.upsert({ userId: user.id, siren: company.siren, role: 'admin', status: 'active', at: now() })
          await recordAudit(trx, { type: 'company.linked_as_admin', actor: user.id, subject: company.siren, ip })
          return { outcome: 'admin' as const, company }
        }
        await memberships.upsert({ userId: user.id, siren: company.siren, role: 'member', status: 'pending', at: now() })
        await mailAdmins(trx, company, user, false)
        await recordAudit(trx, { type: 'company.access_requested', actor: user.id, subject: company.siren, ip })
        return { outcome: 'pending' as const, company }
      })
      if (result) return result
      await linkPerUser.allows(user.id)
      await linkPerCompany.allows(siren)
      throw new BadRequestError(messages.link.noMatch)
    },

    /** "Relancer ma demande": mails the administrators again, once per 24 hours at most. */
    async remindAdministrators(user: UserProfile, siren: string, ip: string): Promise<Company> {
      return db.transaction(async (trx) => {
        const company = await createCompanyQueries(trx).lock(siren)
        const memberships = createMembershipQueries(trx)
        const membership = company && (await memberships.find(user.id, siren))
        if (!company || membership?.status !== 'pending') throw new NotFoundError(messages.reminder.notPending)
        const at = now()
        if (!(await memberships.recordReminder(user.id, siren, at, new Date(at.getTime() - REMINDER_INTERVAL)))) {
          const wait = membership.lastReminderAt!.getTime() + REMINDER_INTERVAL - at.getTime()
          throw new TooManyRequestsError(`${messages.reminder.tooSoon} Vous pourrez la relancer dans ${formatWait(wait)}.`, Math.ceil(wait / 1000))
        }
        await mailAdmins(trx, company, user, true)
        await recordAudit(trx, { type: 'company.access_reminded', actor: user.id, subject: siren, ip })
        return company
      })
    },

    /** "Autoriser l'accès". */
    async approve(actor: UserProfile, siren: string, userId: string, ip: string): Promise<UserProfile> {
      return db.transaction(async (trx) => {
        const company = await asAdministrator(trx, actor, siren)
        const memberships = createMembershipQueries(trx)
        if ((await memberships.find(userId, siren))?.status !== 'pending') throw new ConflictError(messages.members.notPending)
        await memberships.decide(userId, siren, { status: 'active', role: 'member', by: actor.id, at: now() })
        const requester = await profileOf(trx, userId)
        await enqueueMail(trx, requester.email, 'access_approved', { companyName: company.name, siren, portalUrl: `${config.portal.url}/entreprises/${siren}` })
        await recordAudit(trx, { type: 'company.access_approved', actor: actor.id, subject: userId, ip, details: { siren } })
        return requester
      })
    },

    /** "Refuser", with an optional reason shown to the requester. */
    async refuse(actor: UserProfile, siren: string, userId: string, input: { reason: string }, ip: string): Promise<UserProfile> {
      const { reason } = validateForm(refusalForm, input)
      return db.transaction(async (trx) => {
        const company = await asAdministrator(trx, actor, siren)
        const memberships = createMembershipQueries(trx)
        if ((await memberships.find(userId, siren))?.status !== 'pending') throw new ConflictError(messages.members.notPending)
        await memberships.decide(userId, siren, { status: 'rejected', by: actor.id, at: now(), reason: reason || null })
        const requester = await profileOf(trx, userId)
        await enqueueMail(trx, requester.email, 'access_refused', { companyName: company.name, siren, reason: reason || null })
        await recordAudit(trx, { type: 'company.access_refused', actor: actor.id, subject: userId, ip, details: { siren } })
        return requester
      })
    },

    async promote(actor: UserProfile, siren: string, userId: string, ip: string): Promise<UserProfile> {
      return db.transaction(async (trx) => {
        await asAdministrator(trx, actor, siren)
        const memberships = createMembershipQueries(trx)
        if ((await memberships.find(userId, siren))?.status !== 'active') throw new ConflictError(messages.members.notActive)
        await memberships.setRole(userId, siren, 'admin')
        await recordAudit(trx, { type: 'company.member_promoted', actor: actor.id, subject: userId, ip, details: { siren } })
        return profileOf(trx, userId)
      })
    },

    async demote(actor: UserProfile, siren: string, userId: string, ip: string): Promise<UserProfile> {
      return db.transaction(async (trx) => {
        await asAdministrator(trx, actor, siren)
        const memberships = createMembershipQueries(trx)
        const membership = await memberships.find(userId, siren)
        if (membership?.status !== 'active') throw new ConflictError(messages.members.notActive)
        await assertNotLastAdmin(trx, siren, membership)
        await memberships.setRole(userId, siren, 'member')
        await recordAudit(trx, { type: 'company.member_demoted', actor: actor.id, subject: userId, ip, details: { siren } })
        return profileOf(trx, userId)
      })
    },

    /** Removes a member (administrators), or lets a member leave the company. */
    async remove(actor: UserProfile, siren: string, userId: string, ip: string): Promise<UserProfile> {
      return db.transaction(async (trx) => {
        if (actor.id !== userId) await asAdministrator(trx, actor, siren)
        else await createCompanyQueries(trx).lock(siren)
        const memberships = createMembershipQueries(trx)
        const membership = await memberships.find(userId, siren)
        if (membership?.status !== 'active') throw new ConflictError(messages.members.notActive)
        await assertNotLastAdmin(trx, siren, membership)
        await memberships.decide(userId, siren, { status: 'revoked', by: actor.id, at: now() })
        await recordAudit(trx, { type: 'company.member_removed', actor: actor.id, subject: userId, ip, details: { siren } })
        return profileOf(trx, userId)
      })
    },
  }
}

export type MembershipRules = ReturnType<typeof createMembershipRules>
