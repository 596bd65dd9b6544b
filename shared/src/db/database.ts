import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import net from 'node:net'
import path from 'node:path'
import type { Config } from '../config'
import { ConfigError } from '../errors'
import { createKnex, ping, type Knex } from './knex'

export interface DatabaseLocation {
  url: string
  /** Which setting the URL comes from, for error messages. */
  origin: 'DATABASE_URL' | 'embedded'
  /** Stops the embedded server when this process started it. */
  release(): Promise<void>
}

interface EmbeddedRecord {
  pid: number
  url: string | null
}

const STARTUP_WAIT = 30_000 // milliseconds: opening a fresh data directory runs initdb (~5 s)

/**
 * Where this process finds its database: DATABASE_URL when set; otherwise the embedded PGlite
 * server of DATA_DIR, reused when another process (`npm start`) already serves it, else started
 * here when `startEmbedded` allows it. PGlite has no lock of its own, so `embedded-db.json`
 * (created exclusively) makes sure one process at most opens the data directory.
 */
export async function locateDatabase(config: Config, options: { startEmbedded: boolean }): Promise<DatabaseLocation> {
  if (config.databaseUrl) return { url: config.databaseUrl, origin: 'DATABASE_URL', release: async () => {} }
  mkdirSync(config.dataDir, { recursive: true })
  const recordFile = path.join(config.dataDir, 'embedded-db.json')
  const deadline = Date.now() + STARTUP_WAIT
  for (;;) {
    const record = readRecord(recordFile)
    if (record && isAlive(record.pid)) {
      if (record.url && (await isListening(record.url))) return { url: record.url, origin: 'embedded', release: async () => {} }
    } else if (options.startEmbedded) {
      if (record) rmSync(recordFile, { force: true })
      const started = await tryStartEmbedded(recordFile, path.join(config.dataDir, 'pglite'))
      if (started) return started
    } else {
      throw new ConfigError(
        "Base de données embarquée non démarrée : lancez « npm start » ou définissez DATABASE_URL.",
      )
    }
    if (Date.now() > deadline) {
      throw new ConfigError(`Base de données embarquée injoignable : le processus ${record?.pid} ne répond pas (${recordFile}).`)
    }
    await new Promise((resolve) => setTimeout(resolve, 200))
  }
}

async function tryStartEmbedded(recordFile: string, dataDir: string): Promise<DatabaseLocation | undefined> {
  try {
    writeFileSync(recordFile, JSON.stringify({ pid: process.pid, url: null } satisfies EmbeddedRecord), { flag: 'wx' })
  } catch {
    return undefined // another process won the race: wait for its URL
  }
  try {
    // Loaded only here: processes that never open PGlite (the portal) do not bundle it.
    const { startEmbeddedServer } = await import('./embedded-server')
    const server = await startEmbeddedServer({ dataDir })
    writeFileSync(recordFile, JSON.stringify({ pid: process.pid, url: server.url } satisfies EmbeddedRecord))
    return {
      url: server.url,
      origin: 'embedded',
      async release() {
        rmSync(recordFile, { force: true })
        await server.close()
      },
    }
  } catch (error) {
    rmSync(recordFile, { force: true })
    throw error
  }
}

function readRecord(file: string): EmbeddedRecord | undefined {
  if (!existsSync(file)) return undefined
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as EmbeddedRecord
  } catch {
    return { pid: -1, url: null }
  }
}

function isAlive(pid: number): boolean {
  if (pid <= 0) return false
  try {
    process.kill(pid, 0)
    return true
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM'
  }
}

function isListening(url: string): Promise<boolean> {
  const { hostname, port } = new URL(url)
  return new Promise((resolve) => {
    const socket = net.connect({ host: hostname, port: Number(port) })
    socket.setTimeout(1000)
    socket.once('connect', () => {
      socket.destroy()
      resolve(true)
    })
    socket.once('error', () => resolve(false))
    socket.once('timeout', () => {
      socket.destroy()
      resolve(false)
    })
  })
}

/** A knex connected to the database, checked with one query: an unreachable server stops the start. */
export async function connectDatabase(location: Pick<DatabaseLocation, 'url' | 'origin'>, pool?: Knex.PoolConfig): Promise<Knex> {
  const knex = createKnex(location.url, pool)
  try {
    await ping(knex)
    return knex
  } catch (error) {
    await knex.destroy()
    const where = location.origin === 'DATABASE_URL' ? `DATABASE_URL (${redactUrl(location.url)})` : 'base embarquée'
    throw new ConfigError(`Base de données injoignable via ${where} : ${(error as Error).message || String(error)}`, { cause: error })
  }
}

function redactUrl(url: string): string {
  const parsed = new URL(url)
  if (parsed.password) parsed.password = '***'
  return parsed.toString()
}
