import { randomUUID } from 'node:crypto'
import { z } from 'zod'
import { formText, validateForm, whenValid } from '@opcommerce/shared/forms'
import { enqueueMail } from '@opcommerce/shared/mail/outbox'
import { newPassword } from '@opcommerce/shared/password-policy'
import { recordAudit } from '@opcommerce/shared/queries/audit'
import { createUserQueries } from '@opcommerce/shared/queries/users'
import { ipKey } from '@opcommerce/shared/rate-limits'
import { personName } from '@opcommerce/shared/names'
import { createCompanyQueries } from '@opcommerce/shared/queries/companies'
import { createInvitationQueries } from '@opcommerce/shared/queries/invitations'
import { invitationProblem, invitationTokenHash } from '@opcommerce/shared/invitations'
import { messages } from '../messages'
import { createEmailTokenQueries } from '../queries/email-tokens'
import { createRegistrationQueries, type Registration } from '../queries/registrations'
import type { IdpDependencies } from './context'
import { emailAddress, normalizeEmail } from './emails'
import { checkEmailToken, consumeEmailToken, issueEmailToken, type LinkProblem } from './email-tokens'
import { checkNewPassword, hashPassword } from './passwords'

/** A registration waiting for validation, as the browser that made it remembers it (see http/pending-registration.ts). */
export interface PendingRegistration {
  /** The registration's id; for an address that already has a user, an id that matches nothing. */
  id: string
  email: string
}

/** The fields of "Créer un compte". */
export const REGISTRATION_FIELDS = ['email', 'email_confirmation', 'password', 'password_confirmation', 'given_name', 'family_name'] as const
export type RegistrationInput = Record<(typeof REGISTRATION_FIELDS)[number], string>

/** What every registration asks: a password, twice, and the names. */
const credentialsAndNames = {
  password: newPassword,
  password_confirmation: formText,
  given_name: personName({ required: messages.names.givenNameRequired, tooLong: messages.form.tooLong, letters: messages.names.givenNameLetters }),
  family_name: personName({ required: messages.names.familyNameRequired, tooLong: messages.form.tooLong, letters: messages.names.familyNameLetters }),
}

/** "Créer un compte": every problem of every field at once. */
const registrationForm = z
  .object({ email: emailAddress, email_confirmation: formText, ...credentialsAndNames })
  .refine((form) => normalizeEmail(form.email_confirmation) === form.email, {
    path: ['email_confirmation'],
    message: messages.email.mismatch,
    when: whenValid('email'),
  })
  .superRefine(
    checkNewPassword((form) => [form.email, form.given_name, form.family_name]),
    { when: whenValid('password') },
  )

/** What a validation link shows before it is used in another browser than the one that registered. */
export type ValidationState = { status: 'valid'; registration: Registration } | { status: LinkProblem | 'used_validated' }

/** An invitation of the portal, as its link's addressee creates their user with it (the address is proven). */
export interface InvitedRegistration {
  email: string
  companyName: string
}

/** "Créer un compte" from an invitation: the address is the invitation's, the form asks for the rest. */
const invitedRegistrationForm = z
  .object({ email: z.string(), ...credentialsAndNames })
  .superRefine(checkNewPassword((form) => [form.email, form.given_name, form.family_name]), { when: whenValid('password') })

export function createRegistration({ config, db, limits, now }: IdpDependencies) {
  const validationLink = (token: string) => `${config.idp.issuer}/validation/${token}`

  /** A used link whose user exists says so: they only need to log in. */
  async function problemOf(check: { status: LinkProblem; userId?: string | null }): Promise<LinkProblem | 'used_validated'> {
    if (check.status === 'used' && check.userId && (await createUserQueries(db).findById(check.userId))) return 'used_validated'
    return check.status
  }

  /**
   * The invitation of a link, when it can still be used. The portal owns invitations and says
   * why one cannot be used (its /invitation/:token page); the idp only reads one to prove an address.
   */
  async function invitationOf(token: string): Promise<InvitedRegistration | undefined> {
    const tokenHash = invitationTokenHash(token)
    const invitation = tokenHash && (await createInvitationQueries(db).findByTokenHash(tokenHash))
    if (!invitation || invitationProblem(invitation, now())) return undefined
    const company = await createCompanyQueries(db).find(invitation.siren)
    return { email: invitation.email, companyName: company?.name ?? '' }
  }

  return {
    invitation: invitationOf,

    /**
     * Records the registration as its own request and mails its validation link. A second
     * registration of the same address is another request: it never replaces the first one's
     * password. An address that already has a user gets the same answer, and its owner a mail
     * instead: nobody learns which addresses have one.
     */
    async register(input: RegistrationInput, ip: string): Promise<PendingRegistration> {
      await limits.registrationPerIp.consume(ipKey(ip), messages.registration.tooMany)
      const form = validateForm(registrationForm, input)
      const { email } = form
      await limits.validationMailsPerAddress.consume(email, messages.registration.tooManyMails)
      const passwordHash = await hashPassword(form.password)
      return db.transaction(async (trx) => {
        const users = createUserQueries(trx)
        await users.lockEmail(email)
        const existing = await users.findByEmail(email)
        if (existing) {
          await recordAudit(trx, { type: 'account.registration_for_existing_email', actor: null, subject: existing.id, ip })
          await enqueueMail(trx, existing.email, 'account_exists', { loginUrl: config.portal.loginUrl, resetUrl: `${config.idp.issuer}/mot-de-passe-oublie` })
          return { id: randomUUID(), email }
        }
        const registration = await createRegistrationQueries(trx).insert({ email, passwordHash, givenName: form.given_name, familyName: form.family_name, createdAt: now() })
        const token = await issueEmailToken(trx, { registrationId: registration.id }, 'verify_email', now())
        await enqueueMail(trx, email, 'verify_email', { link: validationLink(token) })
        await recordAudit(trx, { type: 'account.registered', actor: null, subject: email, ip, details: { registration: registration.id } })
        return { id: registration.id, email }
      })
    },

    /**
     * "Créer un compte" from an invitation's link: the link proves the address, so the user is
     * created validated, without a validation mail, and the address's pending registrations go
     * (the first validated wins). A user who already exists is left untouched: they log in.
     */
    async registerInvited(input: RegistrationInput, token: string, ip: string): Promise<'created' | 'already_validated' | 'unusable'> {
      await limits.registrationPerIp.consume(ipKey(ip), messages.registration.tooMany)
      const invitation = await invitationOf(token)
      if (!invitation) return 'unusable'
      const { email } = invitation
      const form = validateForm(invitedRegistrationForm, { ...input, email })
      const passwordHash = await hashPassword(form.password)
      return db.transaction(async (trx) => {
        const users = createUserQueries(trx)
        await users.lockEmail(email)
        const user = await users.insertValidated({ email, passwordHash, givenName: form.given_name, familyName: form.family_name }, now())
        if (!user) return 'already_validated'
        await createRegistrationQueries(trx).deleteAllOf(email)
        await recordAudit(trx, { type: 'account.registered_by_invitation', actor: user.id, subject: user.id, ip })
        return 'created'
      })
    },

    /**
     * "Renvoyer à nouveau l'email": a fresh link for the registration this browser made (the
     * previous link stops working). Counted before anything is looked up, the same for every
     * address.
     */
    async resendValidation(pending: PendingRegistration, ip: string): Promise<void> {
      const email = normalizeEmail(pending.email)
      await limits.resendPerAddress.consume(email, messages.validation.resendTooSoon)
      await limits.validationMailsPerAddress.consume(email, messages.registration.tooManyMails)
      await db.transaction(async (trx) => {
        const registration = await createRegistrationQueries(trx).find(pending.id)
        if (!registration) return
        const token = await issueEmailToken(trx, { registrationId: registration.id }, 'verify_email', now())
        await enqueueMail(trx, registration.email, 'verify_email', { link: validationLink(token) })
        await recordAudit(trx, { type: 'account.validation_mail_resent', actor: null, subject: registration.email, ip, details: { registration: registration.id } })
      })
    },

    /** What a validation link is about, without using it. */
    async validationState(token: string): Promise<ValidationState> {
      const check = await checkEmailToken(db, token, 'verify_email', now())
      if (check.status !== 'valid') return { status: await problemOf(check) }
      const registration = check.registrationId ? await createRegistrationQueries(db).find(check.registrationId) : undefined
      return registration ? { status: 'valid', registration } : { status: 'unknown' }
    },

    /**
     * Uses the link of a validation mail (single-use, valid 24 hours): its registration becomes
     * the user, and every other pending registration of the address is deleted with its links.
     */
    async validateEmail(token: string, ip: string): Promise<'done' | LinkProblem | 'used_validated'> {
      const outcome = await db.transaction(async (trx) => {
        const check = await consumeEmailToken(trx, token, 'verify_email', now())
        if (check.status !== 'valid') return check
        const registrations = createRegistrationQueries(trx)
        const registration = check.registrationId ? await registrations.find(check.registrationId) : undefined
        if (!registration) return { status: 'unknown' as const }
        const users = createUserQueries(trx)
        await users.lockEmail(registration.email)
        const user = await users.insertValidated(registration, now())
        if (!user) return { status: 'unknown' as const }
        await createEmailTokenQueries(trx).transferToUser(check.id, user.id)
        await registrations.deleteAllOf(registration.email)
        await recordAudit(trx, { type: 'account.validated', actor: user.id, subject: user.id, ip, details: { registration: registration.id } })
        return { status: 'done' as const }
      })
      return outcome.status === 'done' ? 'done' : problemOf(outcome)
    },
  }
}

export type Registrations = ReturnType<typeof createRegistration>
