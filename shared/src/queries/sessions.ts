import type { Knex } from '../db/knex'

/** What oidc-provider keeps for a user (as `accountId`) and ends with their sessions. */
const SESSION_KINDS = ['Session', 'Grant', 'AccessToken', 'RefreshToken', 'AuthorizationCode']

/**
 * Which sessions of a user end: all of them, all but one SSO session (`keep`, its `uid`: the
 * browser that asked stays signed in), or one (`only`).
 */
export type SessionsToEnd = { keep?: undefined; only?: undefined } | { keep: string; only?: undefined } | { keep?: undefined; only: string }

interface Authorization {
  grantId?: string
  sid?: string
}

/** The SQL that ends sessions in both services' tables. */
export function createSessionQueries(db: Knex | Knex.Transaction) {
  /** The grants and `sid`s an SSO session holds, one per application it signed in to. */
  async function authorizationsOf(userId: string, sessionUid: string): Promise<{ found: boolean; grantIds: string[]; sids: string[] }> {
    const row = await db('oidc_payloads').where({ kind: 'Session', uid: sessionUid }).andWhereRaw(`payload->>'accountId' = ?`, [userId]).first('payload')
    const payload = (typeof row?.payload === 'string' ? JSON.parse(row.payload) : row?.payload) as { authorizations?: Record<string, Authorization> } | undefined
    const authorizations = Object.values(payload?.authorizations ?? {})
    return {
      found: row !== undefined,
      grantIds: authorizations.flatMap((entry) => (entry.grantId ? [entry.grantId] : [])),
      sids: authorizations.flatMap((entry) => (entry.sid ? [entry.sid] : [])),
    }
  }

  return {
    authorizationsOf,

    /**
     * Deletes the SSO sessions of the user that `which` names, the grants and tokens issued
     * under them, and the portal sessions opened from them (by `sid`); everything when `which`
     * names nothing. Returns how many rows went.
     */
    async deleteEverythingOf(userId: string, which: SessionsToEnd = {}): Promise<number> {
      const ofUser = () => db('oidc_payloads').whereIn('kind', SESSION_KINDS).andWhereRaw(`payload->>'accountId' = ?`, [userId])
      if (which.only) {
        const { found, grantIds, sids } = await authorizationsOf(userId, which.only)
        if (!found) return 0
        const oidc = await ofUser()
          .andWhere((query) =>
            query
              .where({ kind: 'Session', uid: which.only })
              .orWhere((grants) => grants.where({ kind: 'Grant' }).whereIn('id', grantIds))
              .orWhereIn('grant_id', grantIds),
          )
          .delete()
        const portal = sids.length ? await db('portal_sessions').where({ user_id: userId }).whereIn('sid', sids).delete() : 0
        return oidc + portal
      }
      const kept = which.keep ? await authorizationsOf(userId, which.keep) : { grantIds: [], sids: [] }
      const oidc = await ofUser()
        .modify((query) => {
          if (!which.keep) return
          query
            .whereNot((session) => session.where({ kind: 'Session', uid: which.keep }))
            .whereNot((grants) => grants.where({ kind: 'Grant' }).whereIn('id', kept.grantIds))
            .andWhere((tokens) => tokens.whereNull('grant_id').orWhereNotIn('grant_id', kept.grantIds))
        })
        .delete()
      const portal = await db('portal_sessions')
        .where({ user_id: userId })
        .andWhere((query) => query.whereNull('sid').orWhereNotIn('sid', kept.sids))
        .delete()
      return oidc + portal
    },
  }
}
