import { AppError } from '@opcommerce/shared/errors'
import { recordAudit } from '@opcommerce/shared/queries/audit'
import { ipKey } from '@opcommerce/shared/rate-limits'
import { createUserQueries } from '@opcommerce/shared/queries/users'
import { messages } from '../messages'
import type { IdpDependencies } from './context'
import { normalizeEmail } from './emails'
import { credentialsFingerprint, verifyDecoyPassword, verifyPassword } from './passwords'
import type { PendingRegistration } from './registration'

/** Wrong email and wrong password: one answer, one timing. */
class InvalidCredentialsError extends AppError {
  constructor() {
    super(401, messages.login.invalid)
  }
}

/** Who logged in, or, for a user not validated yet, what "Renvoyer à nouveau l'email" needs. */
export type LoginResult = { status: 'authenticated'; userId: string } | ({ status: 'unvalidated' } & PendingRegistration)

export function createLogin({ db, limits }: IdpDependencies) {
  const users = createUserQueries(db)

  return {
    /**
     * Checks an email and a password. Attempts are limited per IP, failures per address (the
     * address is then blocked for a while, whoever tries). A right password of a user not
     * validated yet is reported as such: only its owner can get that far.
     */
    async authenticate(emailInput: string, password: string, ip: string): Promise<LoginResult> {
      const email = normalizeEmail(emailInput)
      await limits.loginPerIp.consume(ipKey(ip), messages.login.tooMany)
      await limits.loginFailuresPerAccount.check(email, messages.login.tooMany)
      const user = email && password ? await users.findByEmail(email) : undefined
      const valid = user ? await verifyPassword(user.passwordHash, password) : await verifyDecoyPassword(password)
      if (!user || !valid) {
        await recordAudit(db, { type: 'login.failed', actor: null, subject: user?.id ?? email.slice(0, 254), ip })
        await limits.loginFailuresPerAccount.consume(email, messages.login.tooMany)
        throw new InvalidCredentialsError()
      }
      await limits.loginFailuresPerAccount.reset(email)
      if (!user.emailVerifiedAt) {
        await recordAudit(db, { type: 'login.refused_unvalidated', actor: user.id, subject: user.id, ip })
        return { status: 'unvalidated', email: user.email, credentials: credentialsFingerprint(user.passwordHash) }
      }
      await recordAudit(db, { type: 'login.succeeded', actor: user.id, subject: user.id, ip })
      return { status: 'authenticated', userId: user.id }
    },
  }
}

export type Login = ReturnType<typeof createLogin>
