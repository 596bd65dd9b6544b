import { z } from 'zod'
import { ValidationError, type FieldErrors } from '@opcommerce/shared/errors'
import { enqueueMail } from '@opcommerce/shared/mail/outbox'
import { recordAudit } from '@opcommerce/shared/queries/audit'
import { messages } from '../messages'
import { createUserQueries } from '@opcommerce/shared/queries/users'
import type { IdpDependencies } from './context'
import { consumeEmailToken, issueEmailToken } from './email-tokens'
import { checkNewPassword, hashPassword } from './passwords'

export interface RegistrationForm {
  email: string
  emailConfirmation: string
  password: string
  passwordConfirmation: string
  givenName: string
  familyName: string
}

const emailSchema = z.email().max(254)

export function normalizeEmail(email: string): string {
  return email.trim().toLowerCase()
}

export function isValidEmail(email: string): boolean {
  return emailSchema.safeParse(email).success
}

/** Every problem of the form at once, keyed by field name. */
export function validateRegistration(form: RegistrationForm): FieldErrors {
  const errors: FieldErrors = {}
  const email = normalizeEmail(form.email)
  if (!isValidEmail(email)) errors.email = [messages.email.invalid]
  else if (normalizeEmail(form.emailConfirmation) !== email) errors.email_confirmation = [messages.email.mismatch]
  const passwordProblems = checkNewPassword(form.password, [email, form.givenName, form.familyName])
  if (passwordProblems.length > 0) errors.password = passwordProblems
  else if (form.passwordConfirmation !== form.password) errors.password_confirmation = [messages.password.mismatch]
  if (form.givenName.trim() === '') errors.given_name = [messages.names.givenNameRequired]
  else if (form.givenName.trim().length > 100) errors.given_name = [messages.form.tooLong]
  if (form.familyName.trim() === '') errors.family_name = [messages.names.familyNameRequired]
  else if (form.familyName.trim().length > 100) errors.family_name = [messages.form.tooLong]
  return errors
}

export function createRegistration({ config, db, limits, now }: IdpDependencies) {
  const validationLink = (token: string) => `${config.idp.issuer}/validation/${token}`

  return {
    /**
     * Creates the account and mails its validation link. An email that already has an account
     * gets the same answer, and its owner a mail instead: nobody learns which accounts exist.
     */
    async register(form: RegistrationForm, ip: string): Promise<{ email: string }> {
      const fieldErrors = validateRegistration(form)
      if (Object.keys(fieldErrors).length > 0) throw new ValidationError(messages.form.invalid, fieldErrors)
      await limits.registrationPerIp.consume(ip, messages.registration.tooMany)
      const email = normalizeEmail(form.email)
      const passwordHash = await hashPassword(form.password)
      await db.transaction(async (trx) => {
        const users = createUserQueries(trx)
        const created = await users.insert({
          email,
          passwordHash,
          givenName: form.givenName.trim(),
          familyName: form.familyName.trim(),
        })
        if (created) {
          const token = await issueEmailToken(trx, created.id, 'verify_email', now())
          await enqueueMail(trx, email, 'verify_email', { link: validationLink(token) })
          await recordAudit(trx, { type: 'account.registered', actor: created.id, subject: created.id, ip })
          return
        }
        const existing = (await users.findByEmail(email))!
        if (existing.emailVerifiedAt) {
          await enqueueMail(trx, existing.email, 'account_exists', {
            loginUrl: config.portal.loginUrl,
            resetUrl: `${config.idp.issuer}/mot-de-passe-oublie`,
          })
        } else {
          const token = await issueEmailToken(trx, existing.id, 'verify_email', now())
          await enqueueMail(trx, existing.email, 'verify_email', { link: validationLink(token) })
        }
        await recordAudit(trx, { type: 'account.registration_for_existing_email', actor: null, subject: existing.id, ip })
      })
      return { email }
    },

    /** "Renvoyer à nouveau l'email": a fresh link for an account still waiting for its validation. */
    async resendValidation(email: string, ip: string): Promise<void> {
      const key = normalizeEmail(email)
      await limits.resendPerAccount.consume(key, messages.validation.resendTooSoon)
      await limits.resendPerAccountPerDay.consume(key, messages.validation.resendTooSoon)
      await db.transaction(async (trx) => {
        const user = await createUserQueries(trx).findByEmail(key)
        if (!user || user.emailVerifiedAt) return
        const token = await issueEmailToken(trx, user.id, 'verify_email', now())
        await enqueueMail(trx, user.email, 'verify_email', { link: validationLink(token) })
        await recordAudit(trx, { type: 'account.validation_mail_resent', actor: null, subject: user.id, ip })
      })
    },

    /** The link of the validation mail: single-use, valid 24 hours. */
    async validateEmail(token: string, ip: string): Promise<'validated' | 'unknown' | 'expired' | 'used' | 'used_validated'> {
      return db.transaction(async (trx) => {
        const check = await consumeEmailToken(trx, token, 'verify_email', now())
        const users = createUserQueries(trx)
        if (check.status !== 'valid') {
          if (check.status === 'used' && check.userId && (await users.findById(check.userId))?.emailVerifiedAt) return 'used_validated'
          return check.status
        }
        await users.markEmailVerified(check.userId, now())
        await recordAudit(trx, { type: 'account.validated', actor: check.userId, subject: check.userId, ip })
        return 'validated'
      })
    },
  }
}

export type Registration = ReturnType<typeof createRegistration>
