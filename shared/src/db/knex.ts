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

/** `text` inside a LIKE pattern, its wildcards taken literally (escaped with a backslash, the default). */
export const escapeLike = (text: string) => text.replace(/[\\%_]/gu, (character) => `\\${character}`)
