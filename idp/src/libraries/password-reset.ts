import { ValidationError, type FieldErrors } from '@opcommerce/shared/errors'
import { enqueueMail } from '@opcommerce/shared/mail/outbox'
import { recordAudit } from '@opcommerce/shared/queries/audit'
import { ipKey } from '@opcommerce/shared/rate-limits'
import { messages } from '../messages'
import { createOidcPayloadQueries } from '../queries/oidc-payloads'
import { createUserQueries } from '@opcommerce/shared/queries/users'
import type { IdpDependencies } from './context'
import { checkEmailToken, consumeEmailToken, issueEmailToken } from './email-tokens'
import { checkNewPassword, hashPassword } from './passwords'
import { isValidEmail, normalizeEmail } from './registration'

export type ResetLinkState = 'valid' | 'unknown' | 'expired' | 'used'

export function createPasswordReset({ config, db, limits, logger, now }: IdpDependencies) {
  async function mailResetLink(email: string, ip: string): Promise<void> {
    await db.transaction(async (trx) => {
      const user = await createUserQueries(trx).findByEmail(email)
      if (!user) return
      const token = await issueEmailToken(trx, user.id, 'reset_password', now())
      await enqueueMail(trx, user.email, 'reset_password', { link: `${config.idp.issuer}/mot-de-passe/${token}` })
      await recordAudit(trx, { type: 'password.reset_requested', actor: null, subject: user.id, ip })
    })
  }

  return {
    /** Mails a reset link when the account exists; the answer is the same either way. */
    async request(emailInput: string, ip: string): Promise<void> {
      const email = normalizeEmail(emailInput)
      if (!isValidEmail(email)) throw new ValidationError(messages.form.invalid, { email: [messages.email.invalid] })
      await limits.resetPerIp.consume(ipKey(ip), messages.reset.tooMany)
      await limits.resetPerAccount.consume(email, messages.reset.tooMany)
      // Answered before the account is even looked up: the response takes as long whether it exists or not.
      mailResetLink(email, ip).catch((error: unknown) => logger.error({ err: error }, 'password reset request failed'))
    },

    async linkState(token: string): Promise<ResetLinkState> {
      return (await checkEmailToken(db, token, 'reset_password', now())).status
    },

    /**
     * Sets the new password (same policy as at registration), uses the link, and ends every SSO
     * session and token of the account: whoever knew the old password is logged out.
     */
    async reset(token: string, password: string, confirmation: string, ip: string): Promise<ResetLinkState> {
      const check = await checkEmailToken(db, token, 'reset_password', now())
      if (check.status !== 'valid') return check.status
      const user = (await createUserQueries(db).findById(check.userId))!
      const fieldErrors: FieldErrors = {}
      const problems = checkNewPassword(password, [user.email, user.givenName, user.familyName])
      if (problems.length > 0) fieldErrors.password = problems
      else if (confirmation !== password) fieldErrors.password_confirmation = [messages.password.mismatch]
      if (Object.keys(fieldErrors).length > 0) throw new ValidationError(messages.form.invalid, fieldErrors)
      const passwordHash = await hashPassword(password)
      const outcome = await db.transaction(async (trx) => {
        const consumed = await consumeEmailToken(trx, token, 'reset_password', now())
        if (consumed.status !== 'valid') return consumed.status
        const users = createUserQueries(trx)
        await users.updatePassword(user.id, passwordHash, now())
        await users.markEmailVerified(user.id, now())
        await createOidcPayloadQueries(trx).endEverythingOf(user.id)
        await recordAudit(trx, { type: 'password.reset', actor: user.id, subject: user.id, ip })
        return 'valid' as const
      })
      // Whoever failed to log in before, the owner may now log in at once with the new password.
      if (outcome === 'valid') await limits.loginFailuresPerAccount.reset(normalizeEmail(user.email))
      return outcome
    },
  }
}

export type PasswordReset = ReturnType<typeof createPasswordReset>
