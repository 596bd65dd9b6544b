import type { Knex } from './db/knex'
import { scheduleBackchannelLogouts } from './queries/logout-deliveries'
import { createSessionQueries, type SessionsToEnd } from './queries/sessions'

/**
 * Ends sessions of a user at once: SSO sessions, grants and tokens of the idp, and portal
 * sessions, with a logout token queued for every application they signed in to. All of them by
 * default (a password reset, an operator disabling the user, « Se déconnecter partout »); all
 * but the SSO session `keep` (a password changed from « Mon compte »: the browser that changed
 * it stays signed in); or only the SSO session `only` (« Déconnecter cette session »). Whoever
 * held one must log in again at their next request. Runs in the caller's transaction when given
 * one. Returns how many rows went.
 */
export async function endSessionsOf(db: Knex | Knex.Transaction, userId: string, which: SessionsToEnd = {}): Promise<number> {
  const queries = createSessionQueries(db)
  if (which.only) {
    const { sids } = await queries.authorizationsOf(userId, which.only)
    if (sids.length) await scheduleBackchannelLogouts(db, { userId, sids })
  } else if (which.keep) {
    await scheduleBackchannelLogouts(db, { userId, exceptSessionUid: which.keep })
  } else {
    await scheduleBackchannelLogouts(db, { userId })
  }
  return queries.deleteEverythingOf(userId, which)
}
