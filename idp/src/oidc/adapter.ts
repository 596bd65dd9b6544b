import { errors, type Adapter, type AdapterPayload } from 'oidc-provider'
import { decryptClientSecret } from '@opcommerce/shared/clients'
import type { ClientQueries } from '@opcommerce/shared/queries/clients'
import type { OidcPayloadQueries, StoredPayload } from '../queries/oidc-payloads'

/** An identifier a client sent that PostgreSQL cannot even compare (a NUL character): nothing has it. */
const unstorable = (value: string) => value.includes('\u0000')

const toPayload = (row: StoredPayload | undefined): AdapterPayload | undefined =>
  row && ({ ...row.payload, ...(row.consumed_at ? { consumed: true } : {}) } as AdapterPayload)

/**
 * oidc-provider's storage in PostgreSQL: sessions, grants, codes and tokens in oidc_payloads;
 * clients read from oidc_clients (managed with the CLI, never registered dynamically), their
 * secret decrypted for oidc-provider only.
 */
export function createAdapterClass(payloads: OidcPayloadQueries, clients: ClientQueries, clientSecretsKey: string) {
  return class PostgresAdapter implements Adapter {
    readonly #kind: string

    constructor(kind: string) {
      this.#kind = kind
    }

    async upsert(id: string, payload: AdapterPayload, expiresIn: number): Promise<void> {
      await payloads.upsert(this.#kind, id, payload as Record<string, unknown>, expiresIn)
    }

    async find(id: string): Promise<AdapterPayload | undefined> {
      if (unstorable(id)) return undefined
      if (this.#kind === 'Client') {
        const client = await clients.find(id)
        if (!client?.enabled) return undefined
        const secret = client.secretEncrypted ? { client_secret: decryptClientSecret(client.secretEncrypted, clientSecretsKey) } : {}
        return { client_name: client.name, ...client.metadata, ...secret, first_party: client.firstParty } as unknown as AdapterPayload
      }
      return toPayload(await payloads.find(this.#kind, id))
    }

    async findByUid(uid: string): Promise<AdapterPayload | undefined> {
      if (unstorable(uid)) return undefined
      return toPayload(await payloads.findByUid(this.#kind, uid))
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
      const replay = await payloads.consume(this.#kind, id)
      if (!replay) return
      if (replay.replayedGrantId) await payloads.revokeGrant(replay.replayedGrantId)
      throw new errors.InvalidGrant(`${this.#kind} already consumed`)
    }

    async destroy(id: string): Promise<void> {
      await payloads.destroy(this.#kind, id)
    }

    async revokeByGrantId(grantId: string): Promise<void> {
      await payloads.revokeByGrantId(this.#kind, grantId)
    }
  }
}
