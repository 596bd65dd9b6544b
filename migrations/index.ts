import type { Knex } from 'knex'
import * as initial from './20261129_001_initial'

/**
 * Every migration, in order. Listed here rather than discovered on disk so that the same files
 * run under tsx, jest and any bundler. Append-only: a released migration is never edited.
 */
const migrations: Record<string, Knex.Migration> = {
  '20261129_001_initial': initial,
}

export const migrationSource: Knex.MigrationSource<string> = {
  getMigrations: async () => Object.keys(migrations),
  getMigrationName: (name) => name,
  getMigration: async (name) => migrations[name]!,
}
