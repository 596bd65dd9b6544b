import { readFileSync } from 'node:fs'
import path from 'node:path'
import pg from 'pg'
import { STACK_STATE_VARIABLE, type StackState } from './stack'

function withDatabase(serverUrl: string, database: string): string {
  const url = new URL(serverUrl)
  url.pathname = `/${database}`
  return url.toString()
}

async function onServer(serverUrl: string, sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: serverUrl })
  await client.connect()
  try {
    await client.query(sql)
  } finally {
    await client.end()
  }
}

/** A new, empty database on the server of `serverUrl`; returns its URL. */
export async function createDatabase(serverUrl: string, name: string): Promise<string> {
  await onServer(serverUrl, `create database ${pg.escapeIdentifier(name)}`)
  return withDatabase(serverUrl, name)
}

export async function dropDatabase(serverUrl: string, name: string): Promise<void> {
  await onServer(serverUrl, `drop database if exists ${pg.escapeIdentifier(name)} with (force)`)
}

/**
 * Runs one statement on the running stack's database, for what no page can do within a test's
 * time (making a request a week old). The embedded server's address is in DATA_DIR.
 */
export async function onStackDatabase(sql: string, values: unknown[] = []): Promise<void> {
  const state = JSON.parse(process.env[STACK_STATE_VARIABLE] ?? 'null') as StackState | null
  if (!state) throw new Error('The e2e stack is not running (no stack state).')
  const url = state.database
    ? withDatabase(state.database.serverUrl, state.database.name)
    : (JSON.parse(readFileSync(path.join(state.dataDir, 'embedded-db.json'), 'utf8')) as { url: string }).url
  const client = new pg.Client({ connectionString: url })
  await client.connect()
  try {
    await client.query(sql, values)
  } finally {
    await client.end()
  }
}
