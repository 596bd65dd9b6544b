import type { Knex } from '@opcommerce/shared/db/knex'
import { idpLimitName } from '@opcommerce/shared/login-limits'
import { RateLimit, type RateLimitRule } from '@opcommerce/shared/rate-limits'

/**
 * Attempts allowed per key and window, shared by every idp process through PostgreSQL. Each is
 * counted before it is evaluated; the login budgets give the point back when the password was
 * right, so they count failures. docs/SECURITY.md explains the numbers.
 */
const DEFAULT_IDP_LIMITS = {
  loginFailuresPerIp: { points: 30, duration: 15 * 60 },
  /** Browsers that never logged in to the account; past it, the slow lane below. */
  loginFailuresPerAccount: { points: 10, duration: 15 * 60 },
  /** Past the account's budget: one attempt per window, waited for rather than refused (tarpit). */
  loginSlowLanePerAccount: { points: 1, duration: 30 },
  /** A browser holding a device cookie of the account: its own budget, untouched by the account's. */
  loginFailuresPerDevice: { points: 10, duration: 15 * 60 },
  /** Codes of authenticator apps and recovery codes, like passwords: per account and per IP. */
  secondFactorFailuresPerAccount: { points: 10, duration: 15 * 60 },
  secondFactorFailuresPerIp: { points: 30, duration: 15 * 60 },
  registrationPerIp: { points: 20, duration: 60 * 60 },
  /** Validation and "compte existant" mails to one address, whoever asks for them. */
  validationMailsPerAddress: { points: 5, duration: 24 * 60 * 60 },
  resendPerAddress: { points: 1, duration: 60 },
  resetPerIp: { points: 10, duration: 60 * 60 },
  resetPerAccount: { points: 3, duration: 60 * 60 },
  strengthPerIp: { points: 120, duration: 60 }, // the meter asks at most every 250 ms while typing
  /** « Mon compte »: changes of names, sessions ended, data downloaded, closing. */
  accountChangesPerAccount: { points: 30, duration: 60 * 60 },
  emailChangesPerAccount: { points: 5, duration: 24 * 60 * 60 },
  /** « Votre adresse email a été proposée pour un autre compte » to one address. */
  emailChangeNoticesPerAddress: { points: 3, duration: 24 * 60 * 60 },
} satisfies Record<string, RateLimitRule>

export type IdpLimitRules = typeof DEFAULT_IDP_LIMITS
export type IdpLimits = { [name in keyof IdpLimitRules]: RateLimit }

export function createIdpLimits(db: Knex, overrides: Partial<IdpLimitRules> = {}): IdpLimits {
  const rules = { ...DEFAULT_IDP_LIMITS, ...overrides }
  return Object.fromEntries(
    Object.entries(rules).map(([name, rule]) => [name, new RateLimit(db, idpLimitName(name), rule)]),
  ) as IdpLimits
}
