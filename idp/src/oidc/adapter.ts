import { errors, type Adapter, type AdapterPayload } from 'oidc-provider'
import { decryptClientSecret } from '@opcommerce/shared/clients'
import type { ClientQueries, ClientRecord } from '@opcommerce/shared/queries/clients'
import { UnstorablePayload, type OidcPayloadQueries, type StoredPayload } from '../queries/oidc-payloads'
import { forgetRequestReads, requestReads } from './request-reads'

/** PostgreSQL can neither compare nor store a NUL character: an identifier with one names nothing. */
const unstorable = (id: string): boolean => id.includes('\u0000')

const toPayload = (row: StoredPayload | undefined): AdapterPayload | undefined =>
  row && ({ ...row.payload, ...(row.consumed_at ? { consumed: true } : {}) } as AdapterPayload)

/** The kinds a token value can be: looked up together, with their session and grant. */
const TOKEN_KINDS = ['AccessToken', 'ClientCredentials', 'RefreshToken', 'AuthorizationCode']

type Memo = Map<string, Promise<unknown>>

/**
 * oidc-provider's storage in PostgreSQL: sessions, grants, codes and tokens in oidc_payloads;
 * clients read from oidc_clients (managed with the CLI, never registered dynamically) through the
 * process's ClientCache, their secret decrypted for oidc-provider only.
 */
export function createAdapterClass(payloads: OidcPayloadQueries, clients: Pick<ClientQueries, 'find'>, clientSecretsKey: string) {
  /**
   * What oidc-provider knows of a client, built once per record read (ClientCache hands out the
   * same record until it reads the client again): the secret is decrypted once, not at every request.
   */
  const metadataOf = new WeakMap<ClientRecord, AdapterPayload>()
  function clientMetadata(client: ClientRecord): AdapterPayload {
    const known = metadataOf.get(client)
    if (known) return known
    const secret = client.secretEncrypted ? { client_secret: decryptClientSecret(client.secretEncrypted, clientSecretsKey) } : {}
    const metadata = { client_name: client.name, ...client.metadata, ...secret, first_party: client.firstParty } as unknown as AdapterPayload
    metadataOf.set(client, metadata)
    return metadata
  }

  /** A token by value, and what comes with it (session, grant, user), read once for the request. */
  function findToken(kind: string, id: string, memo: Memo): Promise<AdapterPayload | undefined> {
    const key = `${kind}:${id}`
    const known = memo.get(key) as Promise<AdapterPayload | undefined> | undefined
    if (known) return known
    const rows = payloads.findTokenWithContext(TOKEN_KINDS, id).then((found) => {
      for (const row of found) {
        const { sessionUid, grantId, accountId } = row.payload as { sessionUid?: string; grantId?: string; accountId?: string }
        if (sessionUid && row.session_payload) memo.set(`Session:uid:${sessionUid}`, Promise.resolve(toPayload({ payload: row.session_payload, consumed_at: row.session_consumed_at })))
        if (grantId && row.grant_payload) memo.set(`Grant:${grantId}`, Promise.resolve(toPayload({ payload: row.grant_payload, consumed_at: row.grant_consumed_at })))
        if (accountId && row.account) memo.set(`User:${accountId}`, Promise.resolve(row.account))
      }
      return found
    })
    for (const tokenKind of TOKEN_KINDS) memo.set(`${tokenKind}:${id}`, rows.then((found) => toPayload(found.find((row) => row.kind === tokenKind))))
    return memo.get(key) as Promise<AdapterPayload | undefined>
  }

  return class PostgresAdapter implements Adapter {
    readonly #kind: string

    constructor(kind: string) {
      this.#kind = kind
    }

    async upsert(id: string, payload: AdapterPayload, expiresIn: number): Promise<void> {
      forgetRequestReads()
      await payloads.upsert(this.#kind, id, payload as Record<string, unknown>, expiresIn).catch((error: unknown) => {
        throw error instanceof UnstorablePayload ? new errors.InvalidRequest('a parameter holds a NUL character') : error
      })
    }

    async find(id: string): Promise<AdapterPayload | undefined> {
      if (unstorable(id)) return undefined
      if (this.#kind === 'Client') {
        const client = await clients.find(id)
        return client?.enabled ? clientMetadata(client) : undefined
      }
      const memo = requestReads()
      if (memo && TOKEN_KINDS.includes(this.#kind)) return findToken(this.#kind, id, memo)
      const known = memo?.get(`${this.#kind}:${id}`) as Promise<AdapterPayload | undefined> | undefined
      return known ?? toPayload(await payloads.find(this.#kind, id))
    }

    async findByUid(uid: string): Promise<AdapterPayload | undefined> {
      if (unstorable(uid)) return undefined
      const known = requestReads()?.get(`${this.#kind}:uid:${uid}`) as Promise<AdapterPayload | undefined> | undefined
      return known ?? toPayload(await payloads.findByUid(this.#kind, uid))
    }

    async findByUserCode(userCode: string): Promise<AdapterPayload | undefined> {
      if (unstorable(userCode)) return undefined
      return toPayload(await payloads.findByUserCode(this.#kind, userCode))
    }

    /**
     * Two requests may both read a code or refresh token as unused before either marks it:
     * only the first marking counts; the other is a replay, answered as oidc-provider answers
     * one it sees (the grant revoked, invalid_grant).
     */
    async consume(id: string): Promise<void> {
      forgetRequestReads()
      const replay = await payloads.consume(this.#kind, id)
      if (!replay) return
      if (replay.replayedGrantId) await payloads.revokeGrant(replay.replayedGrantId)
      throw new errors.InvalidGrant(`${this.#kind} already consumed`)
    }

    async destroy(id: string): Promise<void> {
      forgetRequestReads()
      await payloads.destroy(this.#kind, id)
    }

    async revokeByGrantId(grantId: string): Promise<void> {
      forgetRequestReads()
      await payloads.revokeByGrantId(this.#kind, grantId)
    }
  }
}
