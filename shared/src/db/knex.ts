import DataLoader from 'dataloader'
import knexFactory, { type Knex } from 'knex'
import pg from 'pg'
import { migrationSource } from '../../../migrations'

export type { Knex }

// count(*) and bigserial ids are int8: return numbers, as PGlite does, rather than strings.
pg.types.setTypeParser(pg.types.builtins.INT8, Number)

/** The one knex configuration of the product; `knexfile.ts` exposes it to the knex CLI. */
export function knexConfig(url: string, pool: Knex.PoolConfig = { min: 0, max: 10 }): Knex.Config {
  return {
    client: 'pg',
    connection: { connectionString: url, connectionTimeoutMillis: 5_000 }, // milliseconds
    pool,
    acquireConnectionTimeout: 10_000, // milliseconds
    migrations: { migrationSource, tableName: 'knex_migrations' },
  }
}

export function createKnex(url: string, pool?: Knex.PoolConfig): Knex {
  return knexFactory(knexConfig(url, pool))
}

/** One round trip: whether the database answers (start-up check, health probe). */
export async function ping(db: Knex): Promise<void> {
  await db.raw('select 1')
}

/** Network errors of a database that went away. */
const CONNECTION_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENOTFOUND', 'EAI_AGAIN'])
/** PostgreSQL's own: admin_shutdown, crash_shutdown, cannot_connect_now, and class 08 (connection exception). */
const SERVER_CODES = /^(57P0[123]|08\d{3})$/u
/** pg and knex say it in words only. */
const CONNECTION_MESSAGES = /Connection terminated|not queryable|Timeout acquiring a connection|connection.*(closed|ended)/iu

/**
 * Whether an error means that the database does not answer right now (restarting, unreachable),
 * rather than that the query was wrong: such a request is answered 503, and works once the
 * database is back. Looks through `cause` chains, as our errors wrap what they catch.
 */
export function isDatabaseUnavailable(error: unknown, depth = 0): boolean {
  if (typeof error !== 'object' || error === null || depth > 5) return false
  const { code, name, message, cause, errors } = error as { code?: unknown; name?: unknown; message?: unknown; cause?: unknown; errors?: unknown }
  if (typeof code === 'string' && (CONNECTION_CODES.has(code) || SERVER_CODES.test(code))) return true
  if (name === 'KnexTimeoutError') return true
  if (typeof message === 'string' && CONNECTION_MESSAGES.test(message)) return true
  if (Array.isArray(errors) && errors.some((inner) => isDatabaseUnavailable(inner, depth + 1))) return true
  return isDatabaseUnavailable(cause, depth + 1)
}

/** `text` inside a LIKE pattern, its wildcards taken literally (escaped with a backslash, the default). */
export const escapeLike = (text: string) => text.replace(/[\\%_]/gu, (character) => `\\${character}`)

/** A statement of a hot path: its name, and its text in knex's notation (`?`) and in PostgreSQL's (`$1…`). */
export interface PreparedStatement {
  name: string
  text: string
  positionalText: string
}

/** A statement for runPrepared, written in knex's notation; its placeholders numbered once, here. */
export function preparedStatement(name: string, text: string): PreparedStatement {
  let position = 0
  return { name, text, positionalText: text.replace(/\?/gu, () => `$${++position}`) }
}

/**
 * Runs a statement of a hot path as a named prepared statement, which PostgreSQL plans once per
 * connection rather than at each execution: planning the token lookup costs three times as much
 * as running it (issue 11). knex cannot name a statement, so this borrows a connection from its
 * pool. The name carries the connection's: PGlite's embedded server may serve several connections
 * with one backend, where one name must not stand for two preparations. In a transaction, the
 * statement goes through knex as any other.
 */
export async function runPrepared<Row>(db: Knex | Knex.Transaction, statement: PreparedStatement, values: unknown[]): Promise<{ rows: Row[]; rowCount: number }> {
  if (db.isTransaction) return db.raw(statement.text, values as Knex.RawBinding[])
  const connection = (await db.client.acquireConnection()) as pg.Client & { __knexUid: string }
  try {
    const result = await connection.query<Row & pg.QueryResultRow>({ name: `${statement.name}_${connection.__knexUid}`, text: statement.positionalText, values })
    return { rows: result.rows, rowCount: result.rowCount ?? 0 }
  } finally {
    await db.client.releaseConnection(connection)
  }
}

/** PostgreSQL refused what it was given (data exception, integrity constraint, program limit), rather than failed. */
const refusedInput = (error: unknown) => /^(22|23|54)/u.test(String((error as { code?: unknown }).code ?? ''))

/** How many calls one batched statement serves at most. */
const MAX_BATCH = 100

/**
 * A hot statement that serves, in one round trip and one commit, every call made in the same turn
 * of the event loop: under load, requests parsed together share PostgreSQL's work rather than
 * queueing for a connection each (issue 11). `runMany` takes the inputs of a batch and gives an
 * output for each, in order. Each call still resolves once its own rows are written or read. When
 * PostgreSQL refuses a shared run's input, each call is run again on its own, so that one bad
 * input fails its request only; any other failure (the database unavailable, a timeout) fails
 * them all at once. In a transaction, calls run one by one, as the transaction's other statements.
 */
export function batched<Input, Output>(db: Knex | Knex.Transaction, runMany: (inputs: readonly Input[]) => Promise<Output[]>): (input: Input) => Promise<Output> {
  const runOne = async (input: Input) => (await runMany([input]))[0]!
  if (db.isTransaction) return runOne
  const loader = new DataLoader<Input, Output>(
    async (inputs) => {
      try {
        return await runMany(inputs)
      } catch (error) {
        if (inputs.length === 1 || !refusedInput(error)) throw error // every call fails with it, at once
        // One after the other, in the order of the calls, as they would have run unbatched.
        const outputs: (Output | Error)[] = []
        for (const input of inputs) outputs.push(await runOne(input).catch((error: unknown) => (error instanceof Error ? error : new Error(String(error)))))
        return outputs
      }
    },
    // Not a cache: each call reaches the database. setImmediate closes a batch after the
    // event loop's poll phase, when every request that arrived with this one has been parsed.
    { cache: false, maxBatchSize: MAX_BATCH, batchScheduleFn: (callback) => setImmediate(callback) },
  )
  return (input) => loader.load(input)
}
