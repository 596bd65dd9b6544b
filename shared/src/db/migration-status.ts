import { migrationSource } from '../../../migrations'
import { ConfigError } from '../errors'
import type { Knex } from './knex'

/**
 * The migrations this code expects that the database has not recorded; all of them when it was
 * never migrated. Reads knex_migrations only: unlike `knex.migrate.list()`, it never creates it.
 */
export async function pendingMigrations(db: Knex): Promise<string[]> {
  const expected = await migrationSource.getMigrations([])
  let recorded: Set<string>
  try {
    recorded = new Set((await db('knex_migrations').select('name')).map((row: { name: string }) => row.name))
  } catch (error) {
    if ((error as { code?: string }).code === '42P01') return expected // undefined_table: never migrated
    throw error
  }
  return expected.filter((name) => !recorded.has(name))
}

/** Stops a service's start on a database that lacks migrations, with the command that fixes it. */
export async function assertMigrated(db: Knex): Promise<void> {
  const pending = await pendingMigrations(db)
  if (pending.length === 0) return
  throw new ConfigError(
    `Base de données non migrée (${pending.length} migration(s) en attente) : lancez d'abord « npm run migrate » (« npm run migrate:prod » en production).`,
  )
}
