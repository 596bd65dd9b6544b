import { z } from 'zod'
import { formText, validateForm, whenValid } from '@opcommerce/shared/forms'
import { enqueueMail } from '@opcommerce/shared/mail/outbox'
import { personName } from '@opcommerce/shared/names'
import { newPassword } from '@opcommerce/shared/password-policy'
import { recordAudit } from '@opcommerce/shared/queries/audit'
import { createUserQueries } from '@opcommerce/shared/queries/users'
import { endSessionsOf } from '@opcommerce/shared/sessions'
import { messages } from '../messages'
import type { AccountSessions, SignedInAccount } from './account-session'
import type { IdpDependencies } from './context'
import { checkNewPassword, hashPassword } from './passwords'

/** « Identité »: the names, with registration's rules. */
const identityForm = z.object({
  given_name: personName({ required: messages.names.givenNameRequired, tooLong: messages.form.tooLong, letters: messages.names.givenNameLetters }),
  family_name: personName({ required: messages.names.familyNameRequired, tooLong: messages.form.tooLong, letters: messages.names.familyNameLetters }),
})

/** « Mot de passe »: the current one, and a new one with registration's rules, against the person's own details. */
const passwordChangeForm = (account: SignedInAccount) =>
  z
    .object({ current_password: formText, password: newPassword, password_confirmation: formText })
    .superRefine(
      checkNewPassword(() => [account.user.email, account.user.givenName, account.user.familyName]),
      { when: whenValid('password') },
    )

/** What a person changes of their own account in « Mon compte »: names and password. */
export function createAccountProfile({ config, db, limits, now }: IdpDependencies, accountSessions: AccountSessions) {
  return {
    /** New names; applications read them at their next token or refresh (claims are read at each one). */
    async changeNames(account: SignedInAccount, input: { given_name: string; family_name: string }, ip: string): Promise<void> {
      const form = validateForm(identityForm, input)
      await limits.accountChangesPerAccount.consume(account.user.id, messages.account.tooManyChanges)
      await db.transaction(async (trx) => {
        await createUserQueries(trx).updateNames(account.user.id, { givenName: form.given_name, familyName: form.family_name }, now())
        await recordAudit(trx, { type: 'account.names_changed', actor: account.user.id, subject: account.user.id, ip })
      })
    },

    /**
     * A new password, the current one given: every other session of the person ends (SSO
     * sessions, their tokens, portal sessions), this one stays, and a notice mail says so.
     */
    async changePassword(account: SignedInAccount, input: { current_password: string; password: string; password_confirmation: string }, ip: string): Promise<void> {
      const form = validateForm(passwordChangeForm(account), input)
      await limits.accountChangesPerAccount.consume(account.user.id, messages.account.tooManyChanges)
      await accountSessions.confirmPassword(account, form.current_password, ip)
      const passwordHash = await hashPassword(form.password)
      await db.transaction(async (trx) => {
        await createUserQueries(trx).updatePassword(account.user.id, passwordHash, now())
        await endSessionsOf(trx, account.user.id, { keep: account.sessionUid })
        await enqueueMail(trx, account.user.email, 'password_changed', { resetUrl: `${config.idp.issuer}/mot-de-passe-oublie` })
        await recordAudit(trx, { type: 'password.changed', actor: account.user.id, subject: account.user.id, ip })
      })
    },
  }
}

export type AccountProfile = ReturnType<typeof createAccountProfile>
