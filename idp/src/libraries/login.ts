import { AppError } from '@opcommerce/shared/errors'
import { recordAudit } from '@opcommerce/shared/queries/audit'
import { ipKey } from '@opcommerce/shared/rate-limits'
import { messages } from '../messages'
import { createUserQueries, type User } from '@opcommerce/shared/queries/users'
import type { IdpDependencies } from './context'
import { normalizeEmail } from './emails'
import { verifyDecoyPassword, verifyPassword } from './passwords'

/** Wrong email and wrong password: one answer, one timing. */
class InvalidCredentialsError extends AppError {
  constructor() {
    super(401, messages.login.invalid)
  }
}

export type LoginResult = { status: 'authenticated'; user: User } | { status: 'unvalidated'; user: User }

export function createLogin({ db, limits }: IdpDependencies) {
  const users = createUserQueries(db)

  return {
    /**
     * Checks an email and a password. Attempts are limited per IP, failures per account (the
     * account is then blocked for a while, whoever tries). A right password on an account not
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
        return { status: 'unvalidated', user }
      }
      await recordAudit(db, { type: 'login.succeeded', actor: user.id, subject: user.id, ip })
      return { status: 'authenticated', user }
    },
  }
}

export type Login = ReturnType<typeof createLogin>
