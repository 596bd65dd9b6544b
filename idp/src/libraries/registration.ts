import { z } from 'zod'
import { ConflictError } from '@opcommerce/shared/errors'
import { formText, validateForm, whenValid } from '@opcommerce/shared/forms'
import { enqueueMail } from '@opcommerce/shared/mail/outbox'
import { newPassword } from '@opcommerce/shared/password-policy'
import { recordAudit } from '@opcommerce/shared/queries/audit'
import { ipKey } from '@opcommerce/shared/rate-limits'
import { messages } from '../messages'
import { createUserQueries } from '@opcommerce/shared/queries/users'
import { createCompanyQueries } from '@opcommerce/shared/queries/companies'
import { createInvitationQueries } from '@opcommerce/shared/queries/invitations'
import { invitationProblem, invitationTokenHash } from '@opcommerce/shared/invitations'
import type { IdpDependencies } from './context'
import { emailAddress, normalizeEmail } from './emails'
import { consumeEmailToken, issueEmailToken, type LinkProblem } from './email-tokens'
import { checkNewPassword, credentialsFingerprint, hashPassword } from './passwords'

/** A user waiting for validation, as the browser that set their password remembers them (see http/pending-registration.ts). */
export interface PendingRegistration {
  email: string
  /** credentialsFingerprint of the password this browser set: only it may ask for a new link. */
  credentials: string
}

/** The fields of "Créer un compte". */
export const REGISTRATION_FIELDS = ['email', 'email_confirmation', 'password', 'password_confirmation', 'given_name', 'family_name'] as const
export type RegistrationInput = Record<(typeof REGISTRATION_FIELDS)[number], string>

const nameField = (required: string) => formText.transform((name) => name.trim()).pipe(z.string().min(1, required).max(100, messages.form.tooLong))

/** What every registration asks: a password, twice, and the names. */
const credentialsAndNames = {
  password: newPassword,
  password_confirmation: formText,
  given_name: nameField(messages.names.givenNameRequired),
  family_name: nameField(messages.names.familyNameRequired),
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
     * Creates the user and mails the validation link. An address that already has a user gets
     * the same answer, and its owner a mail instead: nobody learns which addresses have one.
     */
    async register(input: RegistrationInput, ip: string): Promise<PendingRegistration> {
      await limits.registrationPerIp.consume(ipKey(ip), messages.registration.tooMany)
      const form = validateForm(registrationForm, input)
      const { email } = form
      const names = { givenName: form.given_name, familyName: form.family_name }
      const passwordHash = await hashPassword(form.password)
      const owner = await db.transaction(async (trx) => {
        const users = createUserQueries(trx)
        const created = await users.insert({ email, passwordHash, ...names })
        if (created) {
          const token = await issueEmailToken(trx, created.id, 'verify_email', now())
          await enqueueMail(trx, email, 'verify_email', { link: validationLink(token) })
          await recordAudit(trx, { type: 'account.registered', actor: created.id, subject: created.id, ip })
          return undefined
        }
        const existing = (await users.findByEmail(email))!
        await recordAudit(trx, { type: 'account.registration_for_existing_email', actor: null, subject: existing.id, ip })
        if (existing.emailVerifiedAt) return existing
        // Before validation, the latest registration wins: whoever opens the mail validates the
        // password they typed, not one a squatter registered first with their address.
        await users.replaceUnvalidatedRegistration(existing.id, { passwordHash, ...names }, now())
        const token = await issueEmailToken(trx, existing.id, 'verify_email', now())
        await enqueueMail(trx, existing.email, 'verify_email', { link: validationLink(token) })
        return undefined
      })
      // A validated user is told, a few times a day at most: registering someone's
      // address must not flood their mailbox.
      if (owner && (await limits.existingAccountNoticePerAccount.allows(email))) {
        await enqueueMail(db, owner.email, 'account_exists', { loginUrl: config.portal.loginUrl, resetUrl: `${config.idp.issuer}/mot-de-passe-oublie` })
      }
      return { email, credentials: credentialsFingerprint(passwordHash) }
    },

    /**
     * "Créer un compte" from an invitation's link: the link proves the address, so the user is
     * validated at once, without a validation mail. A user not validated yet takes the password
     * typed here (as a new registration would); a validated user is left untouched: they log in.
     */
    async registerInvited(input: RegistrationInput, token: string, ip: string): Promise<'created' | 'already_validated' | 'unusable'> {
      await limits.registrationPerIp.consume(ipKey(ip), messages.registration.tooMany)
      const invitation = await invitationOf(token)
      if (!invitation) return 'unusable'
      const { email } = invitation
      const form = validateForm(invitedRegistrationForm, { ...input, email })
      const names = { givenName: form.given_name, familyName: form.family_name }
      const passwordHash = await hashPassword(form.password)
      return db.transaction(async (trx) => {
        const users = createUserQueries(trx)
        const user = (await users.insert({ email, passwordHash, ...names })) ?? (await users.findByEmail(email))!
        if (user.emailVerifiedAt) return 'already_validated'
        await users.replaceUnvalidatedRegistration(user.id, { passwordHash, ...names }, now())
        await users.markEmailVerified(user.id, now())
        await recordAudit(trx, { type: 'account.registered_by_invitation', actor: user.id, subject: user.id, ip })
        return 'created'
      })
    },

    /**
     * "Renvoyer à nouveau l'email": a fresh link for a user still waiting for their validation,
     * only for the browser whose registration (or login) set its current password (`credentials`).
     */
    async resendValidation(email: string, credentials: string, ip: string): Promise<void> {
      const key = normalizeEmail(email)
      await limits.resendPerAccount.consume(key, messages.validation.resendTooSoon)
      await limits.resendPerAccountPerDay.consume(key, messages.validation.resendTooSoon)
      await db.transaction(async (trx) => {
        const user = await createUserQueries(trx).findByEmail(key)
        if (!user || user.emailVerifiedAt) return
        if (credentialsFingerprint(user.passwordHash) !== credentials) throw new ConflictError(messages.validation.superseded)
        const token = await issueEmailToken(trx, user.id, 'verify_email', now())
        await enqueueMail(trx, user.email, 'verify_email', { link: validationLink(token) })
        await recordAudit(trx, { type: 'account.validation_mail_resent', actor: null, subject: user.id, ip })
      })
    },

    /**
     * The link of the validation mail: single-use, valid 24 hours. A used link of a validated
     * user says so (`used_validated`): they only need to log in.
     */
    async validateEmail(token: string, ip: string): Promise<'done' | LinkProblem | 'used_validated'> {
      return db.transaction(async (trx) => {
        const check = await consumeEmailToken(trx, token, 'verify_email', now())
        const users = createUserQueries(trx)
        if (check.status !== 'valid') {
          if (check.status === 'used' && check.userId && (await users.findById(check.userId))?.emailVerifiedAt) return 'used_validated'
          return check.status
        }
        await users.markEmailVerified(check.userId, now())
        await recordAudit(trx, { type: 'account.validated', actor: check.userId, subject: check.userId, ip })
        return 'done'
      })
    },
  }
}

export type Registration = ReturnType<typeof createRegistration>
