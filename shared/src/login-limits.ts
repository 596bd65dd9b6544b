import type { Knex } from './db/knex'
import { removeRateLimitKey } from './rate-limits'

/** The name of an idp limit in rate_limits (idp/src/libraries/limits.ts names every one so). */
export const idpLimitName = (rule: string) => `idp_${rule}`

/**
 * The login budgets of one account, keyed by its address: failures from browsers that never logged
 * in to it, and the slow lane past them. What `users unlock` gives back; the per-IP and per-device
 * budgets are not the account's and stay.
 */
export const ACCOUNT_LOGIN_LIMITS = ['loginFailuresPerAccount', 'loginSlowLanePerAccount'] as const

/** Gives the account its whole login budget back at once (the idp keys it by the address in lower case). */
export async function unlockLogins(db: Knex, email: string): Promise<void> {
  for (const rule of ACCOUNT_LOGIN_LIMITS) await removeRateLimitKey(db, idpLimitName(rule), email.trim().toLowerCase())
}
