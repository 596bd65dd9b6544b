import type pg from 'pg'
import { randomToken } from '../crypto'
import type { Knex } from '../db/knex'

/** Announces every change of oidc_clients, from any process (trigger of migration 005). */
const CHANGES_CHANNEL = 'oidc_clients_changed'

/** A connection of its own that hears about every change of oidc_clients. */
export interface ClientChangesListener {
  /** Resolves when the database proved it delivers notifications to this connection; never on PGlite's embedded server. */
  delivering: Promise<void>
  close(): Promise<void>
}

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

    /**
     * Creates the client, or replaces it when it exists (idempotent registration). A client
     * replaced keeps its state: only `clients enable` brings a disabled one back.
     */
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
        .merge(['metadata', 'secret_encrypted', 'name', 'description', 'url', 'initiate_login_uri', 'tool', 'first_party', 'position'])
    },

    /** False when there is no such client. */
    async setEnabled(clientId: string, enabled: boolean): Promise<boolean> {
      return (await db('oidc_clients').where({ client_id: clientId }).update({ enabled })) > 0
    },

    /** Deletes every grant, code and token issued to the client (oidc-provider's rows name it `clientId`). */
    async deleteTokensOf(clientId: string): Promise<number> {
      return db('oidc_payloads')
        .whereIn('kind', ['Grant', 'AuthorizationCode', 'AccessToken', 'RefreshToken', 'ClientCredentials'])
        .andWhereRaw(`payload->>'clientId' = ?`, [clientId])
        .delete()
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

    /**
     * Calls `onChange` after each committed change of oidc_clients, and `onLost` once if the
     * connection ends. PostgreSQL delivers a notification to every listening connection; PGlite's
     * embedded server (one backend shared by all connections) delivers none: `delivering` tells
     * which, by a notification sent to itself.
     */
    async listenForChanges(onChange: () => void, onLost: (error?: Error) => void): Promise<ClientChangesListener> {
      const connection = (await db.client.acquireRawConnection()) as pg.Client
      const probe = randomToken()
      let proven: () => void
      const delivering = new Promise<void>((resolve) => (proven = resolve))
      let closing = false
      connection.on('notification', (message) => {
        if (message.channel !== CHANGES_CHANNEL) return
        if (message.payload === probe) proven()
        else onChange()
      })
      connection.once('error', (error) => closing || onLost(error))
      connection.once('end', () => closing || onLost())
      await connection.query(`listen ${CHANGES_CHANNEL}`)
      await db.raw('select pg_notify(?, ?)', [CHANGES_CHANNEL, probe])
      return {
        delivering,
        async close() {
          closing = true
          await db.client.destroyRawConnection(connection)
        },
      }
    },
  }
}

export type ClientQueries = ReturnType<typeof createClientQueries>
