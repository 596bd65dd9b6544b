import { z } from 'zod'
import { formText, validateForm, whenValid } from '@opcommerce/shared/forms'
import { enqueueMail } from '@opcommerce/shared/mail/outbox'
import { newPassword } from '@opcommerce/shared/password-policy'
import { recordAudit } from '@opcommerce/shared/queries/audit'
import { endSessionsOf } from '@opcommerce/shared/sessions'
import { ipKey } from '@opcommerce/shared/rate-limits'
import { messages } from '../messages'
import { createUserQueries, type User } from '@opcommerce/shared/queries/users'
import type { IdpDependencies } from './context'
import { emailAddress, normalizeEmail } from './emails'
import { checkEmailToken, consumeEmailToken, issueEmailToken, type LinkProblem } from './email-tokens'
import { checkNewPassword, hashPassword } from './passwords'

/** "Mot de passe oublié ?": the address to send the link to. */
const resetRequestForm = z.object({ email: emailAddress })

/** "Choisir un nouveau mot de passe": the same rules as at registration, against the user's own details. */
const newPasswordForm = (user: User) =>
  z
    .object({ password: newPassword, password_confirmation: formText })
    .superRefine(
      checkNewPassword(() => [user.email, user.givenName, user.familyName]),
      { when: whenValid('password') },
    )

export function createPasswordReset({ config, db, limits, logger, now }: IdpDependencies) {
  async function mailResetLink(email: string, ip: string): Promise<void> {
    await db.transaction(async (trx) => {
      const user = await createUserQueries(trx).findByEmail(email)
      if (!user) return
      const token = await issueEmailToken(trx, { userId: user.id }, 'reset_password', now())
      await enqueueMail(trx, user.email, 'reset_password', { link: `${config.idp.issuer}/mot-de-passe/${token}` })
      await recordAudit(trx, { type: 'password.reset_requested', actor: null, subject: user.id, ip })
    })
  }

  return {
    /** Mails a reset link when the address has a user; the answer is the same either way. */
    async request(input: { email: string }, ip: string): Promise<void> {
      const { email } = validateForm(resetRequestForm, input)
      await limits.resetPerIp.consume(ipKey(ip), messages.reset.tooMany)
      await limits.resetPerAccount.consume(email, messages.reset.tooMany)
      // Answered before the user is even looked up: the response takes as long whether it exists or not.
      mailResetLink(email, ip).catch((error: unknown) => logger.error({ err: error }, 'password reset request failed'))
    },

    /** Whether a reset link may still be used, before its form is shown. */
    async linkState(token: string): Promise<'valid' | LinkProblem> {
      return (await checkEmailToken(db, token, 'reset_password', now())).status
    },

    /**
     * Sets the new password (same policy as at registration), uses the link, and ends every
     * session of the user in both services: whoever knew the old password is logged out. Returns
     * the user, whose mailbox the link proved.
     */
    async reset(token: string, input: { password: string; password_confirmation: string }, ip: string): Promise<{ status: 'done'; userId: string } | { status: LinkProblem }> {
      const check = await checkEmailToken(db, token, 'reset_password', now())
      if (check.status !== 'valid') return check
      const user = (await createUserQueries(db).findById(check.userId!))!
      const { password } = validateForm(newPasswordForm(user), input)
      const passwordHash = await hashPassword(password)
      const outcome = await db.transaction(async (trx) => {
        const consumed = await consumeEmailToken(trx, token, 'reset_password', now())
        if (consumed.status !== 'valid') return { status: consumed.status }
        await createUserQueries(trx).updatePassword(user.id, passwordHash, now())
        await endSessionsOf(trx, user.id)
        await recordAudit(trx, { type: 'password.reset', actor: user.id, subject: user.id, ip })
        return { status: 'done' as const, userId: user.id }
      })
      // Whoever failed to log in before, the owner may now log in at once with the new password.
      if (outcome.status === 'done') await limits.loginFailuresPerAccount.reset(normalizeEmail(user.email))
      return outcome
    },
  }
}

export type PasswordReset = ReturnType<typeof createPasswordReset>
