import { recordAudit } from '@opcommerce/shared/queries/audit'
import { createSecondFactorQueries, type SecondFactors } from '@opcommerce/shared/queries/second-factors'
import { createUserQueries } from '@opcommerce/shared/queries/users'
import { NotFoundError } from '@opcommerce/shared/errors'
import { ipKey, RateLimit } from '@opcommerce/shared/rate-limits'
import { messages } from '../messages'
import type { AuthenticationMethod } from './authentication-context'
import type { IdpDependencies } from './context'
import { generateRecoveryCodes, hashRecoveryCode } from './recovery-codes'
import { InvalidCodeError, createTotp } from './totp'

/** What follows a right password. */
export type NextStep =
  | { kind: 'done' }
  /** The person has a second factor: they are asked for it. */
  | { kind: 'verify'; factors: SecondFactors }
  /** They have none, and a company of theirs or the application asks for one: they are asked to enrol. */
  | { kind: 'enrol'; companies: string[]; requiredByApplication: boolean }

/**
 * The login's second step, between the password and the end of the interaction: which factor
 * comes next, and the check of a code. Codes are limited like passwords, per account and per IP,
 * each attempt counted before the code is evaluated.
 */
export function createSecondFactor(dependencies: IdpDependencies) {
  const { db, limits } = dependencies
  const factors = createSecondFactorQueries(db)
  const totp = createTotp(dependencies)
  const users = createUserQueries(db)

  /** Counts the attempt before the code is checked; the function returned gives the points back when it was right. */
  async function countAttempt(userId: string, ip: string): Promise<() => Promise<void>> {
    await limits.secondFactorFailuresPerIp.consume(ipKey(ip), messages.twoFactor.tooMany)
    await limits.secondFactorFailuresPerAccount.consume(userId, messages.twoFactor.tooMany)
    return () => RateLimit.refund([limits.secondFactorFailuresPerIp, ipKey(ip)], [limits.secondFactorFailuresPerAccount, userId])
  }

  async function failed(userId: string, ip: string, method: string): Promise<never> {
    await recordAudit(db, { type: 'login.second_factor_failed', actor: null, subject: userId, ip, details: { method } })
    throw new InvalidCodeError(method === 'recovery_code' ? messages.twoFactor.invalidRecoveryCode : messages.twoFactor.invalidCode)
  }

  return {
    factorsOf: (userId: string) => factors.of(userId),

    async afterPassword(userId: string, options: { multiFactorRequired: boolean }): Promise<NextStep> {
      const { companiesRequiring, ...owned } = await factors.afterPasswordOf(userId)
      if (owned.totp || owned.passkeys > 0) return { kind: 'verify', factors: owned }
      if (companiesRequiring.length > 0 || options.multiFactorRequired) {
        return { kind: 'enrol', companies: companiesRequiring, requiredByApplication: options.multiFactorRequired }
      }
      return { kind: 'done' }
    },

    /** The authenticator app being configured by a person who has none (see Totp.enrolment). */
    async totpEnrolment(userId: string, options: { fresh: boolean }) {
      const user = await users.findProfile(userId)
      if (!user) throw new NotFoundError()
      return totp.enrolment(user, options)
    },

    /** Its first code, limited like the others: the app becomes a factor; returns the recovery codes to show once. */
    async confirmTotp(userId: string, code: string, ip: string): Promise<string[]> {
      const refund = await countAttempt(userId, ip)
      const codes = await totp.confirm(userId, code.replace(/\s/gu, ''))
      await refund()
      await recordAudit(db, { type: 'two_factor.totp_enrolled', actor: userId, subject: userId, ip })
      return codes
    },

    /**
     * Turns the authenticator app off, with a current code (the password was checked before).
     * Recovery codes go too when no passkey is left: they stand in for a second factor.
     */
    async disableTotp(userId: string, code: string, ip: string): Promise<void> {
      const refund = await countAttempt(userId, ip)
      if (!(await totp.check(userId, code.replace(/\s/gu, '')))) return failed(userId, ip, 'totp')
      await refund()
      await db.transaction(async (trx) => {
        const inTransaction = createSecondFactorQueries(trx)
        await inTransaction.deleteTotp(userId)
        if ((await inTransaction.of(userId)).passkeys === 0) await inTransaction.replaceRecoveryCodes(userId, [])
        await recordAudit(trx, { type: 'two_factor.totp_removed', actor: userId, subject: userId, ip })
      })
    },

    /** Recovery codes for a person who has none left (their first passkey): shown once, or undefined. */
    async recoveryCodesIfNone(userId: string): Promise<string[] | undefined> {
      if ((await factors.of(userId)).recoveryCodesLeft > 0) return undefined
      const codes = generateRecoveryCodes()
      await factors.replaceRecoveryCodes(userId, codes.map(hashRecoveryCode))
      return codes
    },

    /** An authenticator app's code; throws InvalidCodeError, or a 429 past the limits. */
    async verifyTotp(userId: string, code: string, ip: string): Promise<AuthenticationMethod> {
      const refund = await countAttempt(userId, ip)
      if (!(await totp.check(userId, code.replace(/\s/gu, '')))) return failed(userId, ip, 'totp')
      await refund()
      return 'otp'
    },

    /** A recovery code, used up; the person is told how many are left on the next page they see. */
    async verifyRecoveryCode(userId: string, code: string, ip: string): Promise<AuthenticationMethod> {
      const refund = await countAttempt(userId, ip)
      if (!(await totp.useRecoveryCode(userId, code))) return failed(userId, ip, 'recovery_code')
      await refund()
      await recordAudit(db, { type: 'login.recovery_code_used', actor: userId, subject: userId, ip })
      return 'otp'
    },
  }
}

export type SecondFactor = ReturnType<typeof createSecondFactor>
