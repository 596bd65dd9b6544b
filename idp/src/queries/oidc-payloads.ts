import { batched, preparedStatement as statement, runPrepared, type Knex } from '@opcommerce/shared/db/knex'
import { userWithCompaniesFromJson, userWithCompaniesJson, type UserWithCompanies, type UserWithCompaniesJson } from '@opcommerce/shared/queries/memberships'

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

const alive = (table: string) => `(${table}.expires_at is null or ${table}.expires_at > now())`

/*
 * The statements of the protocol's hot paths (every token issued or presented): written out once
 * and prepared (runPrepared), as knex's query builder and PostgreSQL's planner each cost more than
 * running them at these rates (issue 11).
 */
const UPSERT = statement('oidc_upsert', `insert into oidc_payloads (kind, id, payload, grant_id, user_code, uid, expires_at)
  select kind, id, payload, grant_id, user_code, uid, now() + make_interval(secs => lifetime)
    from unnest(?::text[], ?::text[], ?::jsonb[], ?::text[], ?::text[], ?::text[], ?::int[]) as given (kind, id, payload, grant_id, user_code, uid, lifetime)
  on conflict (kind, id) do update set payload = excluded.payload, grant_id = excluded.grant_id,
    user_code = excluded.user_code, uid = excluded.uid, expires_at = excluded.expires_at`)
const FIND = statement('oidc_find', `select payload, consumed_at from oidc_payloads as token where kind = ? and id = ? and ${alive('token')}`)
const FIND_BY_UID = statement('oidc_find_by_uid', `select payload, consumed_at from oidc_payloads as token where kind = ? and uid = ? and ${alive('token')} limit 1`)
const FIND_BY_USER_CODE = statement('oidc_find_by_user_code', `select payload, consumed_at from oidc_payloads as token where kind = ? and user_code = ? and ${alive('token')} limit 1`)
const FIND_TOKEN_WITH_CONTEXT = statement('oidc_find_token', `select token.kind, token.id, token.payload, token.consumed_at,
    session.payload as session_payload, session.consumed_at as session_consumed_at,
    "grant".payload as grant_payload, "grant".consumed_at as grant_consumed_at,
    case when users.id is null then null else ${userWithCompaniesJson('users')} end as account
  from oidc_payloads as token
  left join oidc_payloads as session on session.kind = 'Session' and session.uid = token.payload->>'sessionUid' and ${alive('session')}
  left join oidc_payloads as "grant" on "grant".kind = 'Grant' and "grant".id = token.payload->>'grantId' and ${alive('"grant"')}
  -- accountId is always one of our users' uuid: the cast lets the primary key find it.
  left join users on users.id = (token.payload->>'accountId')::uuid
  where token.kind = any(?) and token.id = any(?) and ${alive('token')}`)
const CONSUME = statement('oidc_consume', `update oidc_payloads as token set consumed_at = now()
  from unnest(?::text[], ?::text[]) as given (kind, id)
  where token.kind = given.kind and token.id = given.id and token.consumed_at is null
  returning token.kind, token.id`)

interface Artifact {
  kind: string
  id: string
}

interface Upsert extends Artifact {
  payload: Record<string, unknown>
  /** The payload as stored: serialized once, checked before it joins a batch. */
  json: string
  expiresIn: number | undefined
}

const artifactKey = ({ kind, id }: Artifact) => `${kind} ${id}`

/** Every batch locks its rows in key order: two batches never wait for each other in a cycle. */
const inKeyOrder = <T extends Artifact>(artifacts: Iterable<T>): T[] => [...artifacts].sort((a, b) => (artifactKey(a) < artifactKey(b) ? -1 : 1))

const text = (value: unknown) => (value as string | undefined) ?? null

/** A NUL character, escaped by JSON.stringify: after an even number of backslashes (a backslash itself is escaped as two). */
const ESCAPED_NUL = /(?<!\\)(?:\\\\)*\\u0000/u

/**
 * jsonb cannot hold a NUL character (a client's `state` or `nonce` may carry one into an
 * interaction): such a write is refused before it joins a batch, where it would fail the others'.
 */
export class UnstorablePayload extends Error {}

type TokenRow = Omit<TokenWithContext, 'account'> & { id: string; account: UserWithCompaniesJson | null }

/**
 * A row another lookup of the batch got too, for a caller of its own: oidc-provider changes the
 * payloads it reads, so they are cloned; the account's companies (200 for some people) are copied
 * one by one, where a structured clone of them cost a third of a userinfo request's CPU.
 */
function copyOf({ account, ...payloads }: TokenRow): TokenRow {
  return { ...structuredClone(payloads), account: account && { ...account, companies: account.companies.map((company) => ({ ...company })) } }
}

/** The SQL behind oidc-provider's storage adapter: one table for every kind of artifact. */
export function createOidcPayloadQueries(db: Knex | Knex.Transaction) {
  /** Writes of the same turn in one statement; of two writes of one artifact, the later counts, as it would one after the other. */
  const upsert = batched(db, async (writes: readonly Upsert[]) => {
    const latest = inKeyOrder(new Map(writes.map((write) => [artifactKey(write), write])).values())
    const column = (read: (write: Upsert) => unknown) => latest.map(read)
    await runPrepared(db, UPSERT, [
      column(({ kind }) => kind),
      column(({ id }) => id),
      column(({ json }) => json),
      column(({ payload }) => text(payload.grantId)),
      column(({ payload }) => text(payload.userCode)),
      column(({ payload }) => text(payload.uid)),
      // No lifetime (or 0): no expiry; make_interval is strict, so null gives a null expires_at.
      column(({ expiresIn }) => expiresIn || null),
    ])
    return writes.map(() => undefined)
  })

  /** Lookups of the same turn in one statement; each gets the rows of its value and kinds. */
  const findTokens = batched(db, async (lookups: readonly { kinds: string[]; id: string }[]) => {
    const kinds = [...new Set(lookups.flatMap((lookup) => lookup.kinds))]
    const ids = [...new Set(lookups.map((lookup) => lookup.id))]
    const { rows } = await runPrepared<TokenRow>(db, FIND_TOKEN_WITH_CONTEXT, [kinds, ids])
    // Each caller gets rows of its own, even when another request presented the same token.
    const served = new Set<TokenRow>()
    return lookups.map((lookup) =>
      rows
        .filter((row) => row.id === lookup.id && lookup.kinds.includes(row.kind))
        .map((row) => (served.has(row) ? copyOf(row) : (served.add(row), row)))
        .map(({ id: _id, ...row }) => ({ ...row, account: row.account && userWithCompaniesFromJson(row.account) })),
    )
  })

  /**
   * Markings of the same turn in one statement; whether each call marked its artifact. Of two
   * calls for one artifact, the first marked it and the second is a replay, as one after the other.
   */
  const consume = batched(db, async (markings: readonly Artifact[]) => {
    const ordered = inKeyOrder(markings)
    const { rows } = await runPrepared<Artifact>(db, CONSUME, [ordered.map(({ kind }) => kind), ordered.map(({ id }) => id)])
    const marked = new Set(rows.map(artifactKey))
    return markings.map((marking) => marked.delete(artifactKey(marking)))
  })

  return {
    async upsert(kind: string, id: string, payload: Record<string, unknown>, expiresIn: number | undefined): Promise<void> {
      const json = JSON.stringify(payload)
      if (ESCAPED_NUL.test(json)) throw new UnstorablePayload(`${kind} holds a NUL character`)
      await upsert({ kind, id, payload, json, expiresIn })
    },

    find: async (kind: string, id: string): Promise<StoredPayload | undefined> => (await runPrepared<StoredPayload>(db, FIND, [kind, id])).rows[0],

    /**
     * A token of any of `kinds` by its value, with the SSO session, the grant and the user (with
     * their companies) it belongs to, in one round trip: oidc-provider reads all of them at every
     * userinfo, introspection, refresh and code exchange (and looks a token up as several kinds
     * at once at introspection).
     */
    findTokenWithContext: (kinds: string[], id: string): Promise<TokenWithContext[]> => findTokens({ kinds, id }),

    findByUid: async (kind: string, uid: string): Promise<StoredPayload | undefined> => (await runPrepared<StoredPayload>(db, FIND_BY_UID, [kind, uid])).rows[0],
    findByUserCode: async (kind: string, userCode: string): Promise<StoredPayload | undefined> => (await runPrepared<StoredPayload>(db, FIND_BY_USER_CODE, [kind, userCode])).rows[0],

    /** Marks an artifact used; the grant it belongs to when another request used it first, else undefined. */
    async consume(kind: string, id: string): Promise<{ replayedGrantId: string | null } | undefined> {
      if (await consume({ kind, id })) return undefined
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
