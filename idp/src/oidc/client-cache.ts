import type { Logger } from '@opcommerce/shared/logger'
import type { ClientChangesListener, ClientQueries, ClientRecord } from '@opcommerce/shared/queries/clients'

/**
 * A client is read again after this, notified or not: notifications make a change take effect at
 * once on PostgreSQL, and this bounds it where they may not arrive (PGlite's embedded server
 * shares one backend between connections and may hand a change's notification to the wrong one;
 * a lost listening connection).
 */
const CLIENT_TTL = 1_000 // milliseconds
const RECONNECT_DELAY = 5_000 // milliseconds

/**
 * The clients, in memory: every protocol request needs its client, and clients change only when
 * an operator runs `clients create|delete` (or edits the table). Each process listens to the
 * changes (migration 005's trigger, PostgreSQL's LISTEN/NOTIFY) and forgets every client at each
 * one; a client is kept CLIENT_TTL at most in any case. Unknown client ids are not kept: registering one takes
 * effect at once.
 */
export class ClientCache {
  readonly #clients: ClientQueries
  readonly #logger: Logger
  readonly #entries = new Map<string, { client: Promise<ClientRecord | undefined>; readAt: number }>()
  #listener: ClientChangesListener | undefined
  #reconnect: NodeJS.Timeout | undefined
  #closed = false

  constructor(clients: ClientQueries, logger: Logger) {
    this.#clients = clients
    this.#logger = logger
  }

  find(clientId: string): Promise<ClientRecord | undefined> {
    const entry = this.#entries.get(clientId)
    if (entry && performance.now() - entry.readAt < CLIENT_TTL) return entry.client
    const client = this.#clients.find(clientId)
    this.#entries.set(clientId, { client, readAt: performance.now() })
    const forget = () => this.#entries.get(clientId)?.client === client && this.#entries.delete(clientId)
    client.then((found) => found || forget(), forget)
    return client
  }

  /** Starts listening; the cache works meanwhile, on CLIENT_TTL. */
  async listen(): Promise<void> {
    if (this.#closed) return
    try {
      const listener = await this.#clients.listenForChanges(
        () => this.#entries.clear(),
        (error) => this.#lost(error),
      )
      if (this.#closed) return void (await listener.close())
      this.#listener = listener
      // Entries read before LISTEN took effect may have missed a change: forget them.
      void listener.delivering.then(() => this.#entries.clear())
    } catch (error) {
      this.#lost(error as Error)
    }
  }

  /** A lost connection may say so twice ('error', then 'end'): one reconnection only. */
  #lost(error?: Error): void {
    this.#entries.clear()
    this.#listener = undefined
    clearTimeout(this.#reconnect)
    if (this.#closed) return
    this.#logger.warn({ err: error }, 'client changes: listening connection lost, clients kept 1 s at most until it is back')
    this.#reconnect = setTimeout(() => void this.listen(), RECONNECT_DELAY)
    this.#reconnect.unref()
  }

  async close(): Promise<void> {
    this.#closed = true
    clearTimeout(this.#reconnect)
    await this.#listener?.close()
  }
}
