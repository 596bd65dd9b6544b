import type { Knex } from './db/knex'
import { scheduleBackchannelLogouts } from './queries/logout-deliveries'
import { createSessionQueries } from './queries/sessions'

/**
 * Ends every session of a user at once: SSO sessions, grants and tokens of the idp, and portal
 * sessions; the applications that asked for it get a back-channel logout token. Whoever held one
 * must log in again at their next request (a password reset, an operator disabling the user).
 * Runs in the caller's transaction when given one.
 */
export async function endSessionsOf(db: Knex | Knex.Transaction, userId: string): Promise<number> {
  await scheduleBackchannelLogouts(db, { userId })
  return createSessionQueries(db).deleteEverythingOf(userId)
}
