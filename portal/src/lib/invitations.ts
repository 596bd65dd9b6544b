import { z } from 'zod'
import type { Config } from '@opcommerce/shared/config'
import { randomToken, sha256 } from '@opcommerce/shared/crypto'
import { DAY } from '@opcommerce/shared/dates'
import type { Knex } from '@opcommerce/shared/db/knex'
import { ConflictError, ForbiddenError, NotFoundError } from '@opcommerce/shared/errors'
import { formText, validateForm } from '@opcommerce/shared/forms'
import { enqueueMail } from '@opcommerce/shared/mail/outbox'
import { recordAudit } from '@opcommerce/shared/queries/audit'
import { createCompanyQueries, type Company } from '@opcommerce/shared/queries/companies'
import { invitationProblem, invitationTokenHash, type InvitationProblem } from '@opcommerce/shared/invitations'
import { createInvitationQueries, type Invitation } from '@opcommerce/shared/queries/invitations'
import { createMembershipQueries } from '@opcommerce/shared/queries/memberships'
import { createUserQueries } from '@opcommerce/shared/queries/users'
import { RateLimit, type RateLimitRule } from '@opcommerce/shared/rate-limits'
import { fullName, type UserProfile } from '@opcommerce/shared/users'
import { assertAdministrator, lockAsAdministrator } from './memberships'
import { messages } from './messages'

/** How long an invitation link works. */
export const INVITATION_LIFETIME = 7 * DAY // milliseconds

/** Invitations sent or sent again, per administrator and per company. */
export const DEFAULT_INVITATION_LIMITS = {
  invitePerAdmin: { points: 30, duration: 60 * 60 },
  invitePerCompany: { points: 100, duration: 24 * 60 * 60 },
} satisfies Record<string, RateLimitRule>


/** "Inviter un collègue": an address and the role it will have. */
const invitationForm = z.object({
  email: formText
    .transform((email) => email.trim().toLowerCase())
    .pipe(z.email({ error: messages.invitations.emailInvalid }).max(254, { error: messages.invitations.emailInvalid })),
  role: z.enum(['member', 'admin'], { error: messages.invitations.roleInvalid }),
})

export interface InvitationRulesDependencies {
  config: Config
  db: Knex
  now: () => Date
  limits?: Partial<typeof DEFAULT_INVITATION_LIMITS>
}

/**
 * Invitations by email (« Gérer les utilisateurs »): an administrator invites a colleague as
 * member or administrator; the link of the mail (256-bit secret, kept as its SHA-256, single
 * use, 7 days) proves the address, so the access is active as soon as its owner logs in.
 */
export function createInvitationRules({ config, db, now, limits = {} }: InvitationRulesDependencies) {
  const rules = { ...DEFAULT_INVITATION_LIMITS, ...limits }
  const perAdmin = new RateLimit(db, 'portal_invite_admin', rules.invitePerAdmin)
  const perCompany = new RateLimit(db, 'portal_invite_company', rules.invitePerCompany)

  /** Every invitation mail counts, once the sender is known to be an administrator of the company. */
  async function countMail(actor: UserProfile, siren: string) {
    await assertAdministrator(db, actor, siren)
    await perAdmin.consume(actor.id, messages.invitations.tooManyForAdmin)
    await perCompany.consume(siren, messages.invitations.tooManyForCompany)
  }

  const problemOf = (invitation: Invitation) => invitationProblem(invitation, now())

  /** A new secret for the invitation, mailed; returns its SHA-256 and expiry. */
  async function mailInvitation(trx: Knex.Transaction, actor: UserProfile, company: Company, email: string, role: Invitation['role']) {
    const token = randomToken()
    const expiresAt = new Date(now().getTime() + INVITATION_LIFETIME)
    await enqueueMail(trx, email, 'invitation', {
      inviterName: fullName(actor),
      companyName: company.name,
      siren: company.siren,
      role,
      link: `${config.portal.url}/invitation/${token}`,
      expiresAt: expiresAt.toISOString(),
    })
    return { tokenHash: sha256(token), expiresAt }
  }

  return {
    /** "Envoyer l'invitation"; an address already invited gets the same invitation anew. */
    async invite(actor: UserProfile, siren: string, input: { email: string; role: string }, ip: string): Promise<string> {
      const { email, role } = validateForm(invitationForm, input)
      await countMail(actor, siren)
      return db.transaction(async (trx) => {
        const company = await lockAsAdministrator(trx, actor, siren)
        const invitee = await createUserQueries(trx).findByEmail(email)
        if (invitee && (await createMembershipQueries(trx).find(invitee.id, siren))?.status === 'active') throw new ConflictError(messages.invitations.alreadyMember)
        const invitations = createInvitationQueries(trx)
        const open = await invitations.findOpen(siren, email)
        const { tokenHash, expiresAt } = await mailInvitation(trx, actor, company, email, role)
        if (open) await invitations.renew(open.id, { tokenHash, role, invitedBy: actor.id, at: now(), expiresAt })
        else await invitations.insert({ siren, email, role, invitedBy: actor.id, tokenHash, at: now(), expiresAt })
        await recordAudit(trx, { type: open ? 'company.invitation_resent' : 'company.invitation_sent', actor: actor.id, subject: email, ip, details: { siren, role } })
        return email
      })
    },

    /** "Renvoyer l'invitation": a new link (the previous one stops working), valid 7 days again. */
    async resend(actor: UserProfile, siren: string, invitationId: string, ip: string): Promise<string> {
      await countMail(actor, siren)
      return db.transaction(async (trx) => {
        const company = await lockAsAdministrator(trx, actor, siren)
        const invitations = createInvitationQueries(trx)
        const invitation = await invitations.lock(invitationId, siren)
        if (!invitation || invitation.acceptedAt || invitation.cancelledAt) throw new ConflictError(messages.invitations.notOpen)
        const { tokenHash, expiresAt } = await mailInvitation(trx, actor, company, invitation.email, invitation.role)
        await invitations.renew(invitation.id, { tokenHash, role: invitation.role, invitedBy: actor.id, at: now(), expiresAt })
        await recordAudit(trx, { type: 'company.invitation_resent', actor: actor.id, subject: invitation.email, ip, details: { siren } })
        return invitation.email
      })
    },

    /** "Annuler l'invitation": its link stops working. */
    async cancel(actor: UserProfile, siren: string, invitationId: string, ip: string): Promise<string> {
      return db.transaction(async (trx) => {
        await lockAsAdministrator(trx, actor, siren)
        const invitations = createInvitationQueries(trx)
        const invitation = await invitations.lock(invitationId, siren)
        if (!invitation || invitation.acceptedAt || invitation.cancelledAt) throw new ConflictError(messages.invitations.notOpen)
        await invitations.markCancelled(invitation.id, now())
        await recordAudit(trx, { type: 'company.invitation_cancelled', actor: actor.id, subject: invitation.email, ip, details: { siren } })
        return invitation.email
      })
    },

    /** The invitation of a link and whether its address has a validated user, or why it cannot be used. */
    async inspect(token: string): Promise<{ status: 'valid'; invitation: Invitation; registered: boolean } | { status: InvitationProblem }> {
      const tokenHash = invitationTokenHash(token)
      const invitation = tokenHash && (await createInvitationQueries(db).findByTokenHash(tokenHash))
      if (!invitation) return { status: 'unknown' }
      const problem = problemOf(invitation)
      if (problem) return { status: problem }
      const user = await createUserQueries(db).findByEmail(invitation.email)
      return { status: 'valid', invitation, registered: Boolean(user?.emailVerifiedAt) }
    },

    /**
     * The link opened by its addressee, signed in with the invited address: their membership is
     * active at once with the invited role (an existing active one is left as it is). The link
     * works once; of two concurrent uses, one only succeeds.
     */
    async accept(user: UserProfile, token: string, ip: string): Promise<Company> {
      const tokenHash = invitationTokenHash(token) ?? ''
      return db.transaction(async (trx) => {
        const invitations = createInvitationQueries(trx)
        // The company first, then the invitation: the order resend and cancel lock them in.
        const found = await invitations.findByTokenHash(tokenHash)
        const company = found && (await createCompanyQueries(trx).lock(found.siren))
        const invitation = company && (await invitations.lockByTokenHash(tokenHash))
        if (!company || !invitation) throw new NotFoundError(messages.invitations.link.unknown)
        const problem = problemOf(invitation)
        if (problem) throw new ConflictError(messages.invitations.link[problem])
        if (invitation.email.toLowerCase() !== user.email.toLowerCase()) throw new ForbiddenError(messages.invitations.link.otherUser)
        const memberships = createMembershipQueries(trx)
        if ((await memberships.find(user.id, invitation.siren))?.status !== 'active') {
          await memberships.upsert({ userId: user.id, siren: invitation.siren, role: invitation.role, status: 'active', at: now(), decidedBy: invitation.invitedBy })
        }
        await invitations.markAccepted(invitation.id, user.id, now())
        await recordAudit(trx, { type: 'company.invitation_accepted', actor: user.id, subject: invitation.siren, ip, details: { invitation: invitation.id, role: invitation.role } })
        return company
      })
    },
  }
}

export type InvitationRules = ReturnType<typeof createInvitationRules>
