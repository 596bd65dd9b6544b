import type { Knex } from '@opcommerce/shared/db/knex'

export interface StoredPayload {
  payload: Record<string, unknown>
  consumed_at: Date | null
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
