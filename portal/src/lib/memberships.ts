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
import { DAY, formatDay } from '@opcommerce/shared/dates'
import { checkSiren } from '@opcommerce/shared/siren'
import { fullName, type UserProfile } from '@opcommerce/shared/users'
import { messages } from './messages'

export const REMINDER_INTERVAL = DAY // milliseconds between two reminders of one request
/** How long a refused user waits before asking the same company again. */
export const REFUSAL_COOLDOWN = 30 * DAY // milliseconds
/** How long a request stays pending before its requester may escalate it to the Opcommerce. */
export const ESCALATION_DELAY = 7 * DAY // milliseconds

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

/**
 * Locks the company and checks that `actor` is one of its active administrators: every decision
 * on a company's members is taken under this lock, one after the other.
 */
export async function lockAsAdministrator(trx: Knex.Transaction, actor: UserProfile, siren: string): Promise<Company> {
  const company = await createCompanyQueries(trx).lock(siren)
  const membership = company ? await createMembershipQueries(trx).find(actor.id, siren) : undefined
  if (!company || membership?.status !== 'active' || membership.role !== 'admin') throw new ForbiddenError(messages.members.forbidden)
  return company
}

/**
 * The same check without the lock, before a limit keyed by the company is counted: nobody but
 * its administrators can spend the company's points. The decision itself is taken again under
 * lockAsAdministrator.
 */
export async function assertAdministrator(db: Knex, actor: UserProfile, siren: string): Promise<void> {
  const membership = await createMembershipQueries(db).find(actor.id, siren)
  if (membership?.status !== 'active' || membership.role !== 'admin') throw new ForbiddenError(messages.members.forbidden)
}

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

  const homeUrl = (siren: string) => `${config.portal.url}/entreprises/${siren}`

  /** A refused user asks the same company again only once REFUSAL_COOLDOWN has passed. */
  function assertRefusalOver(membership: Membership | undefined, at: Date) {
    if (membership?.status !== 'rejected' || !membership.decidedAt) return
    const again = new Date(membership.decidedAt.getTime() + REFUSAL_COOLDOWN)
    if (again <= at) return
    throw new TooManyRequestsError(messages.link.refusedRecently(formatDay(membership.decidedAt), formatDay(again)), Math.ceil((again.getTime() - at.getTime()) / 1000))
  }

  const profileOf = async (trx: Knex.Transaction, userId: string) => (await createUserQueries(trx).findProfile(userId))!

  async function assertNotLastAdmin(trx: Knex.Transaction, siren: string, membership: Membership, message: string = messages.members.lastAdmin) {
    if (membership.role === 'admin' && (await createMembershipQueries(trx).countActiveAdmins(siren)) <= 1) {
      throw new ConflictError(message)
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
        const beforeRequest = (existing: Membership | undefined) => assertRefusalOver(existing, now())
        return { outcome: await fileLink(trx, config, { company, user, at: now(), ip, actor: user.id, beforeRequest }), company }
      })
      if (!result) throw new BadRequestError(messages.link.noMatch)
      await RateLimit.refund([linkPerUser, user.id], [linkPerIp, ipKey(ip)], [linkPerCompanyPerDay, siren])
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

    /** "Annuler ma demande": the pending request is withdrawn; the administrators can no longer decide on it. */
    async cancelRequest(user: UserProfile, siren: string, ip: string): Promise<Company> {
      return db.transaction(async (trx) => {
        const company = await createCompanyQueries(trx).lock(siren)
        if (!company || !(await createMembershipQueries(trx).deletePending(user.id, siren))) throw new NotFoundError(messages.reminder.notPending)
        await recordAudit(trx, { type: 'company.access_request_cancelled', actor: user.id, subject: siren, ip })
        return company
      })
    },

    /**
     * "Contacter l'Opcommerce": a request pending for ESCALATION_DELAY is sent once to the
     * Opcommerce's address, and listed for the operators (`memberships escalated`).
     */
    async escalate(user: UserProfile, siren: string, ip: string): Promise<Company> {
      return db.transaction(async (trx) => {
        const company = await createCompanyQueries(trx).lock(siren)
        const memberships = createMembershipQueries(trx)
        const membership = company && (await memberships.find(user.id, siren))
        if (!company || membership?.status !== 'pending') throw new NotFoundError(messages.reminder.notPending)
        if (membership.escalatedAt) throw new ConflictError(messages.request.alreadyEscalated(formatDay(membership.escalatedAt)))
        const at = now()
        if (!(await memberships.recordEscalation(user.id, siren, at, new Date(at.getTime() - ESCALATION_DELAY)))) {
          throw new ConflictError(messages.request.escalationTooSoon(formatDay(new Date(membership.requestedAt.getTime() + ESCALATION_DELAY))))
        }
        await enqueueMail(trx, config.opcoContactEmail, 'access_escalated', {
          requesterName: fullName(user),
          requesterEmail: user.email,
          companyName: company.name,
          siren,
          requestedAt: membership.requestedAt.toISOString(),
          adminEmails: await memberships.activeAdminEmails(siren),
        })
        await recordAudit(trx, { type: 'company.access_escalated', actor: user.id, subject: siren, ip })
        return company
      })
    },

    /** Whether the company home owes « Vous pouvez accéder au portail ! »: true once after each activation. */
    takeWelcome(userId: string, siren: string): Promise<boolean> {
      return createMembershipQueries(db).takeWelcome(userId, siren)
    },

    /** "Autoriser l'accès". */
    async approve(actor: UserProfile, siren: string, userId: string, ip: string): Promise<UserProfile> {
      return db.transaction(async (trx) => {
        const company = await lockAsAdministrator(trx, actor, siren)
        const memberships = createMembershipQueries(trx)
        if ((await memberships.find(userId, siren))?.status !== 'pending') throw new ConflictError(messages.members.notPending)
        await memberships.decide(userId, siren, { status: 'active', role: 'member', by: actor.id, at: now() })
        const requester = await profileOf(trx, userId)
        await enqueueMail(trx, requester.email, 'access_approved', { companyName: company.name, siren, portalUrl: homeUrl(siren) })
        await recordAudit(trx, { type: 'company.access_approved', actor: actor.id, subject: userId, ip, details: { siren } })
        return requester
      })
    },

    /** "Refuser", with an optional reason shown to the requester. */
    async refuse(actor: UserProfile, siren: string, userId: string, input: { reason: string }, ip: string): Promise<UserProfile> {
      const { reason } = validateForm(refusalForm, input)
      return db.transaction(async (trx) => {
        const company = await lockAsAdministrator(trx, actor, siren)
        const memberships = createMembershipQueries(trx)
        if ((await memberships.find(userId, siren))?.status !== 'pending') throw new ConflictError(messages.members.notPending)
        await memberships.decide(userId, siren, { status: 'rejected', by: actor.id, at: now(), reason: reason || null })
        const requester = await profileOf(trx, userId)
        await enqueueMail(trx, requester.email, 'access_refused', { companyName: company.name, siren, reason: reason || null })
        await recordAudit(trx, { type: 'company.access_refused', actor: actor.id, subject: userId, ip, details: { siren } })
        return requester
      })
    },

    /** "Nommer administrateur"; the person is told by mail. */
    async promote(actor: UserProfile, siren: string, userId: string, ip: string): Promise<UserProfile> {
      return db.transaction(async (trx) => {
        const company = await lockAsAdministrator(trx, actor, siren)
        const memberships = createMembershipQueries(trx)
        if ((await memberships.find(userId, siren))?.status !== 'active') throw new ConflictError(messages.members.notActive)
        await memberships.setRole(userId, siren, 'admin')
        await recordAudit(trx, { type: 'company.member_promoted', actor: actor.id, subject: userId, ip, details: { siren } })
        const member = await profileOf(trx, userId)
        await enqueueMail(trx, member.email, 'role_changed', { companyName: company.name, siren, role: 'admin', portalUrl: homeUrl(siren) })
        return member
      })
    },

    /** "Retirer le rôle d'administrateur"; the person is told by mail unless they stepped down themselves. */
    async demote(actor: UserProfile, siren: string, userId: string, ip: string): Promise<UserProfile> {
      return db.transaction(async (trx) => {
        const company = await lockAsAdministrator(trx, actor, siren)
        const memberships = createMembershipQueries(trx)
        const membership = await memberships.find(userId, siren)
        if (membership?.status !== 'active') throw new ConflictError(messages.members.notActive)
        await assertNotLastAdmin(trx, siren, membership)
        await memberships.setRole(userId, siren, 'member')
        await recordAudit(trx, { type: 'company.member_demoted', actor: actor.id, subject: userId, ip, details: { siren } })
        const member = await profileOf(trx, userId)
        if (userId !== actor.id) await enqueueMail(trx, member.email, 'role_changed', { companyName: company.name, siren, role: 'member', portalUrl: homeUrl(siren) })
        return member
      })
    },

    /**
     * Removes a member (administrators; the person is told by mail), or lets a member leave the
     * company ("Quitter l'entreprise"); the last administrator names another one first.
     */
    async remove(actor: UserProfile, siren: string, userId: string, ip: string): Promise<UserProfile> {
      const leaving = actor.id === userId
      return db.transaction(async (trx) => {
        const company = leaving ? await createCompanyQueries(trx).lock(siren) : await lockAsAdministrator(trx, actor, siren)
        const memberships = createMembershipQueries(trx)
        const membership = await memberships.find(userId, siren)
        if (!company || membership?.status !== 'active') throw new ConflictError(messages.members.notActive)
        await assertNotLastAdmin(trx, siren, membership, leaving ? messages.members.lastAdminLeaving : messages.members.lastAdmin)
        await memberships.decide(userId, siren, { status: 'revoked', by: actor.id, at: now() })
        await recordAudit(trx, { type: 'company.member_removed', actor: actor.id, subject: userId, ip, details: { siren } })
        const member = await profileOf(trx, userId)
        if (!leaving) await enqueueMail(trx, member.email, 'access_removed', { companyName: company.name, siren })
        return member
      })
    },
  }
}

export type MembershipRules = ReturnType<typeof createMembershipRules>
export type { LinkOutcome }
