import net from 'node:net'
import { PGlite } from '@electric-sql/pglite'
import { PGLiteSocketHandler, type PGLiteSocketHandlerOptions } from '@electric-sql/pglite-socket'

/** Extended-protocol messages (Parse, Bind, Describe, Execute, Close, Flush) whose unit ends at the next Sync. */
const UNIT_CONTINUES = new Set([...'PBDECH'].map((letter) => letter.charCodeAt(0)))
const SYNC_MESSAGE = new Uint8Array([0x53, 0, 0, 0, 4])

interface Job {
  handlerId: number
  message: Uint8Array
  onData: (data: Uint8Array) => void
  resolve: (bytes: number) => void
  reject: (error: unknown) => void
}

/**
 * Shares PGlite's single backend between many client connections.
 *
 * pglite-socket's own queue hands the backend to another connection between any two protocol
 * messages outside an explicit transaction, so two connections running parameterized queries
 * (Parse/Bind/Execute/Sync) overwrite each other's unnamed statement ("unnamed prepared statement
 * does not exist"). Here a connection keeps the backend from its first message until the backend
 * is idle again: after a Sync or simple Query outside a transaction block.
 */
class BackendScheduler {
  readonly #db: PGlite
  #queue: Job[] = []
  #owner: number | null = null
  #draining = false

  constructor(db: PGlite) {
    this.#db = db
  }

  enqueue(handlerId: number, message: Uint8Array, onData: (data: Uint8Array) => void): Promise<number> {
    return new Promise((resolve, reject) => {
      this.#queue.push({ handlerId, message, onData, resolve, reject })
      void this.#drain()
    })
  }

  getQueueLength(): number {
    return this.#queue.length
  }

  clearQueueForHandler(handlerId: number): void {
    this.#queue = this.#queue.filter((job) => {
      if (job.handlerId !== handlerId) return true
      job.reject(new Error('Connexion fermée'))
      return false
    })
  }

  /** A client that disconnects while holding the backend must not leave it mid-transaction. */
  async clearTransactionIfNeeded(handlerId: number): Promise<void> {
    if (this.#owner !== handlerId) return
    await this.#db.execProtocolRaw(SYNC_MESSAGE)
    if (this.#db.isInTransaction()) await this.#db.exec('ROLLBACK')
    this.#owner = null
    void this.#drain()
  }

  async #drain(): Promise<void> {
    if (this.#draining) return
    this.#draining = true
    try {
      for (;;) {
        const index = this.#owner === null ? 0 : this.#queue.findIndex((job) => job.handlerId === this.#owner)
        const job = index === -1 ? undefined : this.#queue.splice(index, 1)[0]
        if (!job) return
        let bytes = 0
        try {
          await this.#db.runExclusive(() =>
            this.#db.execProtocolRawStream(job.message, {
              onRawData: (data) => {
                bytes += data.length
                job.onData(data)
              },
            }),
          )
          job.resolve(bytes)
        } catch (error) {
          job.reject(error)
        }
        const holdsBackend = this.#db.isInTransaction() || UNIT_CONTINUES.has(job.message[0]!)
        this.#owner = holdsBackend ? job.handlerId : null
      }
    } finally {
      this.#draining = false
    }
  }
}

export interface EmbeddedServer {
  url: string
  db: PGlite
  close(): Promise<void>
}

/**
 * PGlite served over the PostgreSQL wire protocol on loopback, so every process talks `pg`
 * exactly as it would to a real server. `dataDir` undefined keeps the database in memory.
 */
export async function startEmbeddedServer(options: { dataDir?: string; loadDataDir?: Blob; port?: number }): Promise<EmbeddedServer> {
  const db = await PGlite.create({ dataDir: options.dataDir, loadDataDir: options.loadDataDir })
  const scheduler = new BackendScheduler(db) as unknown as PGLiteSocketHandlerOptions['queryQueue']
  const sockets = new Set<net.Socket>()
  const server = net.createServer((socket) => {
    sockets.add(socket)
    socket.once('close', () => sockets.delete(socket))
    new PGLiteSocketHandler({ queryQueue: scheduler, closeOnDetach: true }).attach(socket).catch(() => socket.destroy())
  })
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(options.port ?? 0, '127.0.0.1', resolve)
  })
  const { port } = server.address() as net.AddressInfo
  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    db,
    async close() {
      for (const socket of sockets) socket.destroy()
      await new Promise((resolve) => server.close(resolve))
      await db.close()
    },
  }
}
