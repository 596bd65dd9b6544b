import { setTimeout as sleep } from 'node:timers/promises'
import { z } from 'zod'
import { AppError, ForbiddenError } from '@opcommerce/shared/errors'
import { formText, validateForm } from '@opcommerce/shared/forms'
import { PASSWORD_MAX_LENGTH } from '@opcommerce/shared/password-policy'
import { recordAudit } from '@opcommerce/shared/queries/audit'
import { createUserQueries, type User } from '@opcommerce/shared/queries/users'
import { ipKey, RateLimit, tooMany } from '@opcommerce/shared/rate-limits'
import { messages } from '../messages'
import { createRegistrationQueries } from '../queries/registrations'
import type { IdpDependencies } from './context'
import { normalizeEmail } from './emails'
import { verifyDecoyPassword, verifyPassword } from './passwords'
import type { PendingRegistration } from './registration'

/** Wrong email and wrong password: one answer, one timing. */
class InvalidCredentialsError extends AppError {
  constructor() {
    super(401, messages.login.invalid)
  }
}

/** How long an attempt past the account's budget may wait for the slow lane before it is refused. */
const SLOW_LANE_WAIT = 10_000 // milliseconds

/** The login form: bounded before anything is looked up (an over-long value is never a right one). */
const loginForm = z.object({
  email: formText.pipe(z.string().max(254, messages.form.tooLong)),
  password: formText.pipe(z.string().max(PASSWORD_MAX_LENGTH, messages.form.tooLong)),
})

/** Who logged in, or, for a registration not validated yet, what "Renvoyer à nouveau l'email" needs. */
export type LoginResult = { status: 'authenticated'; userId: string } | ({ status: 'unvalidated' } & PendingRegistration)

/** A browser's proof that it logged in to a user before (a device cookie, see http/device-cookie.ts). */
export type KnownDevice = (userId: string) => string | undefined

export function createLogin({ db, limits }: IdpDependencies) {
  const users = createUserQueries(db)
  const registrations = createRegistrationQueries(db)

  /**
   * Past the account's budget, a browser that never logged in to it is slowed down, not locked
   * out: one attempt per slow-lane window is evaluated, and an attempt waits up to
   * SLOW_LANE_WAIT for its turn before it is told to come back.
   */
  async function slowLane(email: string): Promise<void> {
    let turn = await limits.loginSlowLanePerAccount.take(email)
    if (!turn.allowed && turn.msBeforeNext <= SLOW_LANE_WAIT) {
      await sleep(turn.msBeforeNext)
      turn = await limits.loginSlowLanePerAccount.take(email)
    }
    if (!turn.allowed) throw tooMany(messages.login.tooMany, turn.msBeforeNext)
  }

  /**
   * Counts the attempt against the budgets it falls under, before the password is checked; the
   * function returned gives the points back when it was right.
   */
  async function countAttempt(email: string, ip: string, device: string | undefined): Promise<() => Promise<void>> {
    const counted: [RateLimit, string][] = [[limits.loginFailuresPerIp, ipKey(ip)]]
    await limits.loginFailuresPerIp.consume(ipKey(ip), messages.login.tooMany)
    if (device) {
      await limits.loginFailuresPerDevice.consume(device, messages.login.tooMany)
      counted.push([limits.loginFailuresPerDevice, device])
    } else {
      const budget = await limits.loginFailuresPerAccount.take(email)
      if (budget.allowed) counted.push([limits.loginFailuresPerAccount, email])
      else await slowLane(email)
    }
    return () => RateLimit.refund(...counted)
  }

  /** The pending registration of this address whose password this is, if any (newest first). */
  async function pendingRegistrationWith(email: string, password: string): Promise<PendingRegistration | undefined> {
    const candidates = await registrations.newestOf(email)
    if (candidates.length === 0) {
      await verifyDecoyPassword(password)
      return undefined
    }
    for (const candidate of candidates) {
      if (await verifyPassword(candidate.passwordHash, password)) return { id: candidate.id, email: candidate.email }
    }
    return undefined
  }

  return {
    /**
     * Checks an email and a password. Failures are counted per client IP and per account before
     * the password is checked; a browser that logged in to the account before (`knownDevice`) has
     * a budget of its own, so that nobody can keep the owner out by failing on purpose. A right
     * password of a registration not validated yet is reported as such: only its owner can get
     * that far.
     */
    async authenticate(input: { email: string; password: string }, ip: string, knownDevice: KnownDevice): Promise<LoginResult> {
      const form = validateForm(loginForm, input)
      const email = normalizeEmail(form.email)
      const { password } = form
      const user: User | undefined = email && password ? await users.findByEmail(email) : undefined
      const giveBack = await countAttempt(email, ip, user && knownDevice(user.id))
      if (!user) {
        const pending = email && password ? await pendingRegistrationWith(email, password) : await verifyDecoyPassword(password)
        if (!pending) {
          await recordAudit(db, { type: 'login.failed', actor: null, subject: email.slice(0, 254), ip })
          throw new InvalidCredentialsError()
        }
        await giveBack()
        await recordAudit(db, { type: 'login.refused_unvalidated', actor: null, subject: pending.email, ip })
        return { status: 'unvalidated', ...pending }
      }
      if (!(await verifyPassword(user.passwordHash, password))) {
        await recordAudit(db, { type: 'login.failed', actor: null, subject: user.id, ip })
        throw new InvalidCredentialsError()
      }
      await giveBack()
      if (user.disabledAt) {
        await recordAudit(db, { type: 'login.refused_disabled', actor: user.id, subject: user.id, ip })
        throw new ForbiddenError(messages.login.disabled)
      }
      await recordAudit(db, { type: 'login.succeeded', actor: user.id, subject: user.id, ip })
      return { status: 'authenticated', userId: user.id }
    },
  }
}

export type Login = ReturnType<typeof createLogin>
