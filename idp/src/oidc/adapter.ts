import { errors, type Adapter, type AdapterPayload } from 'oidc-provider'
import type { ClientQueries } from '@opcommerce/shared/queries/clients'
import type { OidcPayloadQueries, StoredPayload } from '../queries/oidc-payloads'

const toPayload = (row: StoredPayload | undefined): AdapterPayload | undefined =>
  row && ({ ...row.payload, ...(row.consumed_at ? { consumed: true } : {}) } as AdapterPayload)

/**
 * oidc-provider's storage in PostgreSQL: sessions, grants, codes and tokens in oidc_payloads;
 * clients read from oidc_clients (managed with the CLI, never registered dynamically), through
 * the process's ClientCache.
 */
export function createAdapterClass(payloads: OidcPayloadQueries, clients: Pick<ClientQueries, 'find'>) {
  return class PostgresAdapter implements Adapter {
    readonly #kind: string

    constructor(kind: string) {
      this.#kind = kind
    }

    async upsert(id: string, payload: AdapterPayload, expiresIn: number): Promise<void> {
      await payloads.upsert(this.#kind, id, payload as Record<string, unknown>, expiresIn)
    }

    async find(id: string): Promise<AdapterPayload | undefined> {
      if (this.#kind === 'Client') {
        const client = await clients.find(id)
        if (!client?.enabled) return undefined
        return { client_name: client.name, ...client.metadata, first_party: client.firstParty } as unknown as AdapterPayload
      }
      return toPayload(await payloads.find(this.#kind, id))
    }

    async findByUid(uid: string): Promise<AdapterPayload | undefined> {
      return toPayload(await payloads.findByUid(this.#kind, uid))
    }

    async findByUserCode(userCode: string): Promise<AdapterPayload | undefined> {
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
