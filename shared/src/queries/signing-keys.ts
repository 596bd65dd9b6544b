import type { Knex } from '../db/knex'

/** A published key (not retired). */
export interface KeyRow {
  kid: string
  created_at: Date
}

/** A published key with its private half, encrypted under SIGNING_KEYS_SECRET. */
export interface KeyRowWithSecret extends KeyRow {
  private_jwk_encrypted: string
}

export function createSigningKeyQueries(db: Knex | Knex.Transaction) {
  const published = () => db('signing_keys').whereNull('retired_at').orderBy([{ column: 'created_at', order: 'desc' }, { column: 'kid', order: 'desc' }])

  return {
    async insert(key: { kid: string; alg: string; publicJwk: Record<string, unknown>; privateJwkEncrypted: string; createdAt: Date }): Promise<void> {
      await db('signing_keys').insert({
        kid: key.kid,
        alg: key.alg,
        public_jwk: JSON.stringify(key.publicJwk),
        private_jwk_encrypted: key.privateJwkEncrypted,
        created_at: key.createdAt,
      })
    },

    /** Published keys, newest first (ties broken by kid, so the order is the same everywhere). */
    listPublished: (): Promise<KeyRow[]> => published().select('kid', 'created_at'),

    /** Published keys with their encrypted private halves, newest first. */
    listPublishedWithSecrets: (): Promise<KeyRowWithSecret[]> => published().select('kid', 'created_at', 'private_jwk_encrypted'),

    /** Until the transaction ends, no other process reads or creates keys this way (two idp processes starting together). */
    async lockUntilCommit(): Promise<void> {
      await db.raw('select pg_advisory_xact_lock(hashtext(?))', ['signing_keys'])
    },

    async retire(kid: string, at: Date): Promise<void> {
      await db('signing_keys').where({ kid }).update({ retired_at: at })
    },
  }
}
