import { memberCodeMatches } from '@opcommerce/shared/companies'
import type { Config } from '@opcommerce/shared/config'
import type { Knex } from '@opcommerce/shared/db/knex'
import { z } from 'zod'
import { BadRequestError, ConflictError, ForbiddenError, NotFoundError, TooManyRequestsError } from '@opcommerce/shared/errors'
import { formText, validateForm } from '@opcommerce/shared/forms'
import type { Logger } from '@opcommerce/shared/logger'
import { fileLink, mailAdministrators, type LinkOutcome } from '@opcommerce/shared/memberships'
import { formatWait, ipKey, RateLimit, type RateLimitRule, type Taken } from '@opcommerce/shared/rate-limits'
import { enqueueMail } from '@opcommerce/shared/mail/outbox'
import { recordAudit } from '@opcommerce/shared/queries/audit'
import { createCompanyQueries, type Company } from '@opcommerce/shared/queries/companies'
import { createHeldRequestQueries } from '@opcommerce/shared/queries/held-requests'
import { createMembershipQueries, type Membership } from '@opcommerce/shared/queries/memberships'
import { createUserQueries } from '@opcommerce/shared/queries/users'
import { checkSiren } from '@opcommerce/shared/siren'
import type { UserProfile } from '@opcommerce/shared/users'
import { messages } from './messages'

export const REMINDER_INTERVAL = 24 * 3600_000 // milliseconds between two reminders of one request

/**
 * Codes adhérent checked at "Ajouter cette entreprise", counted before the code is compared
 * (docs/SECURITY.md). A right code gives its points back, so these count wrong codes.
 */
const DEFAULT_LINK_LIMITS = {
  linkPerUser: { points: 10, duration: 60 * 60 },
  linkPerIp: { points: 30, duration: 60 * 60 },
  /** Checks with a differentiated answer per company and day; past it, the company is under protection. */
  linkPerCompanyPerDay: { points: 20, duration: 24 * 60 * 60 },
} satisfies Record<string, RateLimitRule>

export type LinkLimitRules = typeof DEFAULT_LINK_LIMITS

/** What "Ajouter cette entreprise" answers: a right code's outcome with its company, or held for the Opcommerce (nothing said of the code). */
export type LinkResult = { outcome: LinkOutcome; company: Company } | { outcome: 'held' }

/** The longest code adhérent the directory holds (company-import.ts). */
const MEMBER_CODE_MAX_LENGTH = 64

/** "Ajouter une entreprise": a valid SIREN (typed with spaces or not) and a code adhérent. */
const linkForm = z.object({
  siren: formText.pipe(z.string().max(20, messages.link.sirenTooLong)).transform((input, ctx) => {
    const siren = checkSiren(input)
    if (siren.ok) return siren.siren
    ctx.addIssue({ code: 'custom', message: siren.message })
    return z.NEVER
  }),
  code: formText.refine((code) => code.trim() !== '', messages.link.codeRequired).pipe(z.string().max(MEMBER_CODE_MAX_LENGTH, messages.link.codeTooLong)),
})

/** "Refuser": an optional reason, shown to the requester. */
const refusalForm = z.object({ reason: formText.transform((reason) => reason.trim()).pipe(z.string().max(500, messages.members.reasonTooLong)) })

export interface MembershipRulesDependencies {
  config: Config
  db: Knex
  logger: Logger
  now: () => Date
  limits?: Partial<LinkLimitRules>
}

/**
 * The membership rules (guide, section 2): the first user to link a company becomes its
 * administrator, everyone after sends an access request to the administrators, who decide.
 * Every decision locks the company row, so concurrent requests are decided one after the other.
 * A company whose daily budget of code checks is spent is under protection: every request for
 * it is held for the Opcommerce, whatever its code, and nobody becomes its administrator alone.
 */
export function createMembershipRules({ config, db, logger, now, limits = {} }: MembershipRulesDependencies) {
  const rules = { ...DEFAULT_LINK_LIMITS, ...limits }
  const linkPerUser = new RateLimit(db, 'portal_link_user', rules.linkPerUser)
  const linkPerIp = new RateLimit(db, 'portal_link_ip', rules.linkPerIp)
  const linkPerCompanyPerDay = new RateLimit(db, 'portal_link_company_day', rules.linkPerCompanyPerDay)
  const codeMatches = (code: string, company: Company | undefined) =>
    // An unknown company is compared with a hash nothing matches: same work, same answer.
    memberCodeMatches(code, company?.memberCodeHash ?? '0'.repeat(64), config.secrets.memberCodeHmacKey) && company !== undefined

  /**
   * Under protection: the code is checked but the answer is the same whatever it is; the request
   * waits for an operator. Wrong codes are recorded for operators and never become memberships.
   */
  async function hold(user: UserProfile, siren: string, code: string, ip: string, budget: Taken): Promise<LinkResult> {
    await db.transaction(async (trx) => {
      const company = await createCompanyQueries(trx).find(siren)
      const matched = codeMatches(code, company)
      await createHeldRequestQueries(trx).record({ userId: user.id, siren, codeMatched: matched, at: now() })
      await recordAudit(trx, { type: 'company.link_held', actor: user.id, subject: siren, ip, details: { codeMatched: matched } })
      if (budget.justExhausted) {
        const until = new Date(Date.now() + budget.msBeforeNext)
        await recordAudit(trx, { type: 'company.protection_started', actor: null, subject: siren, ip, details: { until: until.toISOString() } })
        logger.warn({ siren, until, budget: rules.linkPerCompanyPerDay.points }, 'company under protection: too many wrong codes adhérent today')
      }
    })
    return { outcome: 'held' }
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

    /**
     * "Ajouter cette entreprise": Siren + code adhérent. The attempt is counted for the user, their
     * IP and the company before the code is compared; a right code gives the points back.
     */
    async linkCompany(user: UserProfile, input: { siren: string; code: string }, ip: string): Promise<LinkResult> {
      const { siren, code } = validateForm(linkForm, input)
      // The user's and the IP's own budgets first: someone past theirs spends nothing of the company's.
      await linkPerUser.consume(user.id, messages.link.tooManyForUser)
      await linkPerIp.consume(ipKey(ip), messages.link.tooManyForUser)
      const budget = await linkPerCompanyPerDay.take(siren)
      if (!budget.allowed) return hold(user, siren, code, ip, budget)

      const result = await db.transaction(async (trx) => {
        const company = await createCompanyQueries(trx).lock(siren)
        // An unknown company and a wrong code get the same answer: the directory cannot be probed.
        if (!company || !codeMatches(code, company)) {
          await recordAudit(trx, { type: 'company.link_failed', actor: user.id, subject: siren, ip })
          return undefined
        }
        return { outcome: await fileLink(trx, config, { company, user, at: now(), ip, actor: user.id }), company }
      })
      if (!result) throw new BadRequestError(messages.link.noMatch)
      await linkPerUser.refund(user.id)
      await linkPerIp.refund(ipKey(ip))
      await linkPerCompanyPerDay.refund(siren)
      return result
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
        await mailAdministrators(trx, config, company, user, true)
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
export type { LinkOutcome }
