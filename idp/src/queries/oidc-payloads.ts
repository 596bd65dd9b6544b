import type { Knex } from '@opcommerce/shared/db/knex'
import { userWithCompaniesFromJson, userWithCompaniesJson, type UserWithCompanies } from '@opcommerce/shared/queries/memberships'

export interface StoredPayload {
  payload: Record<string, unknown>
  consumed_at: Date | null
}

export interface TokenWithContext extends StoredPayload {
  kind: string
  session_payload: Record<string, unknown> | null
  session_consumed_at: Date | null
  grant_payload: Record<string, unknown> | null
  grant_consumed_at: Date | null
  /** The user the token was issued for, with their companies (none for a machine client). */
  account: UserWithCompanies | null
}

/** The SQL behind oidc-provider's storage adapter: one table for every kind of artifact. */
export function createOidcPayloadQueries(db: Knex | Knex.Transaction) {
  const live = (kind: string) =>
    db('oidc_payloads')
      .select('payload', 'consumed_at')
      .where({ kind })
      .andWhere((query) => query.whereNull('expires_at').orWhere('expires_at', '>', db.fn.now()))

  return {
    async upsert(kind: string, id: string, payload: Record<string, unknown>, expiresIn: number | undefined): Promise<void> {
      const row = {
        kind,
        id,
        payload: JSON.stringify(payload),
        grant_id: (payload.grantId as string | undefined) ?? null,
        user_code: (payload.userCode as string | undefined) ?? null,
        uid: (payload.uid as string | undefined) ?? null,
        expires_at: expiresIn ? db.raw(`now() + make_interval(secs => ?)`, [expiresIn]) : null,
      }
      await db('oidc_payloads').insert(row).onConflict(['kind', 'id']).merge()
    },

    find: (kind: string, id: string): Promise<StoredPayload | undefined> => live(kind).andWhere({ id }).first(),

    /**
     * A token of any of `kinds` by its value, with the SSO session, the grant and the user (with
     * their companies) it belongs to, in one round trip: oidc-provider reads all of them at every
     * userinfo, introspection, refresh and code exchange (and looks a token up as several kinds
     * at once at introspection).
     */
    async findTokenWithContext(kinds: string[], id: string): Promise<TokenWithContext[]> {
      const alive = (table: string) => `(${table}.expires_at is null or ${table}.expires_at > now())`
      const rows = await db
        .select(
          'token.kind',
          'token.payload',
          'token.consumed_at',
          'session.payload as session_payload',
          'session.consumed_at as session_consumed_at',
          'grant.payload as grant_payload',
          'grant.consumed_at as grant_consumed_at',
          db.raw(`case when users.id is null then null else ${userWithCompaniesJson('users')} end as account`),
        )
        .from('oidc_payloads as token')
        .leftJoin(
          db.raw(`oidc_payloads as session on session.kind = 'Session' and session.uid = token.payload->>'sessionUid' and ${alive('session')}`),
        )
        .leftJoin(db.raw(`oidc_payloads as "grant" on "grant".kind = 'Grant' and "grant".id = token.payload->>'grantId' and ${alive('"grant"')}`))
        // accountId is always one of our users' uuid: the cast lets the primary key find it.
        .leftJoin(db.raw(`users on users.id = (token.payload->>'accountId')::uuid`))
        .whereIn('token.kind', kinds)
        .andWhere('token.id', id)
        .andWhereRaw(alive('token'))
      return rows.map((row) => ({ ...row, account: row.account && userWithCompaniesFromJson(row.account) }))
    },

    findByUid: (kind: string, uid: string): Promise<StoredPayload | undefined> => live(kind).andWhere({ uid }).first(),
    findByUserCode: (kind: string, userCode: string): Promise<StoredPayload | undefined> => live(kind).andWhere({ user_code: userCode }).first(),

    /** Marks an artifact used; the grant it belongs to when another request used it first, else undefined. */
    async consume(kind: string, id: string): Promise<{ replayedGrantId: string | null } | undefined> {
      const updated = await db('oidc_payloads').where({ kind, id }).whereNull('consumed_at').update({ consumed_at: db.fn.now() })
      if (updated === 1) return undefined
      const row = await db('oidc_payloads').where({ kind, id }).first('grant_id')
      return { replayedGrantId: row?.grant_id ?? null }
    },

    /** Revokes a grant and everything issued under it. */
    async revokeGrant(grantId: string): Promise<void> {
      await db('oidc_payloads').where({ grant_id: grantId }).orWhere({ kind: 'Grant', id: grantId }).delete()
    },

    async destroy(kind: string, id: string): Promise<void> {
      await db('oidc_payloads').where({ kind, id }).delete()
    },

    async revokeByGrantId(kind: string, grantId: string): Promise<void> {
      await db('oidc_payloads').where({ kind, grant_id: grantId }).delete()
    },

    async purgeExpired(): Promise<number> {
      return db('oidc_payloads').where('expires_at', '<', db.fn.now()).delete()
    },
  }
}

export type OidcPayloadQueries = ReturnType<typeof createOidcPayloadQueries>
