import type { Knex } from '../db/knex'

/** OpenID Connect client metadata (RFC 7591 names), as oidc-provider reads it, less the secret (kept encrypted aside). */
export interface ClientMetadata {
  client_id: string
  client_name?: string
  redirect_uris: string[]
  post_logout_redirect_uris?: string[]
  grant_types: string[]
  response_types: string[]
  scope?: string
  token_endpoint_auth_method: 'client_secret_basic' | 'client_secret_post' | 'none'
  backchannel_logout_uri?: string
  backchannel_logout_session_required?: boolean
  /** Ours (extraClientMetadata): may introspect tokens issued to other clients. */
  resource_server?: boolean
}

export interface ClientRecord {
  clientId: string
  metadata: ClientMetadata
  /** The client secret, encrypted (shared/src/clients.ts); null for a public client. */
  secretEncrypted: string | null
  name: string
  description: string | null
  url: string | null
  initiateLoginUri: string | null
  enabled: boolean
  tool: boolean
  firstParty: boolean
  position: number
}

/** A tool of "Liste des outils de l'Opcommerce". */
export interface Tool {
  clientId: string
  name: string
  description: string | null
  /** The tool's initiate_login_uri when it has one: the tool starts the login and lands signed in. */
  href: string
}

interface ClientRow {
  client_id: string
  metadata: ClientMetadata
  secret_encrypted: string | null
  name: string
  description: string | null
  url: string | null
  initiate_login_uri: string | null
  enabled: boolean
  tool: boolean
  first_party: boolean
  position: number
}

const fromRow = (row: ClientRow): ClientRecord => ({
  clientId: row.client_id,
  metadata: row.metadata,
  secretEncrypted: row.secret_encrypted,
  name: row.name,
  description: row.description,
  url: row.url,
  initiateLoginUri: row.initiate_login_uri,
  enabled: row.enabled,
  tool: row.tool,
  firstParty: row.first_party,
  position: row.position,
})

export function createClientQueries(db: Knex) {
  return {
    async find(clientId: string): Promise<ClientRecord | undefined> {
      const row = await db<ClientRow>('oidc_clients').where({ client_id: clientId }).first()
      return row && fromRow(row)
    },

    async list(): Promise<ClientRecord[]> {
      const rows = await db<ClientRow>('oidc_clients').orderBy([{ column: 'position' }, { column: 'client_id' }])
      return rows.map(fromRow)
    },

    async listTools(): Promise<Tool[]> {
      const rows = await db<ClientRow>('oidc_clients')
        .where({ enabled: true, tool: true })
        .orderBy([{ column: 'position' }, { column: 'name' }])
      return rows.flatMap((row) => {
        const href = row.initiate_login_uri ?? row.url
        return href ? [{ clientId: row.client_id, name: row.name, description: row.description, href }] : []
      })
    },

    /** Creates the client, or replaces it when it exists (idempotent registration). */
    async save(client: ClientRecord): Promise<void> {
      await db('oidc_clients')
        .insert({
          client_id: client.clientId,
          metadata: JSON.stringify(client.metadata),
          secret_encrypted: client.secretEncrypted,
          name: client.name,
          description: client.description,
          url: client.url,
          initiate_login_uri: client.initiateLoginUri,
          enabled: client.enabled,
          tool: client.tool,
          first_party: client.firstParty,
          position: client.position,
        })
        .onConflict('client_id')
        .merge()
    },

    /** Clients registered before secrets were encrypted: the secret still in their metadata. */
    async listWithClearSecrets(): Promise<{ clientId: string; secret: string }[]> {
      const rows: { client_id: string; secret: string }[] = await db('oidc_clients').whereRaw("metadata->>'client_secret' is not null").select('client_id', db.raw("metadata->>'client_secret' as secret"))
      return rows.map((row) => ({ clientId: row.client_id, secret: row.secret }))
    },

    /** Moves a clear secret out of the metadata into its encrypted column. */
    async encryptSecret(clientId: string, secretEncrypted: string): Promise<void> {
      await db('oidc_clients').where({ client_id: clientId }).update({ secret_encrypted: secretEncrypted, metadata: db.raw("metadata - 'client_secret'") })
    },

    async remove(clientId: string): Promise<boolean> {
      return (await db('oidc_clients').where({ client_id: clientId }).delete()) > 0
    },
  }
}

export type ClientQueries = ReturnType<typeof createClientQueries>
