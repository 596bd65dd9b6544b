import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { startEmbeddedServer, type EmbeddedServer } from '@opcommerce/shared/db/embedded-server'
import { createKnex } from '@opcommerce/shared/db/knex'

/**
 * Migrates one template database per test run; each test file then gets its own copy (see
 * database.ts), so files run in parallel workers without seeing each other's rows.
 * With TEST_DATABASE_URL: a template database on that PostgreSQL server.
 * Without: a dump of a migrated PGlite, loaded into a fresh in-memory PGlite per file.
 * In both cases, a dump of an empty PGlite too, for the tests of PGlite itself and of migrations
 * from nothing: opening a fresh PGlite runs initdb, ~5 s on an idle machine and 30 s or more on
 * two busy cores, once here rather than in every such file.
 */
export async function prepareTemplateDatabase(): Promise<Record<string, string>> {
  const directory = mkdtempSync(path.join(tmpdir(), 'opco-template-'))
  const dumpTo = async (server: EmbeddedServer, name: string) => {
    const file = path.join(directory, name)
    writeFileSync(file, Buffer.from(await (await server.db.dumpDataDir('none')).arrayBuffer()))
    return file
  }
  const server = await startEmbeddedServer({})
  const empty = await dumpTo(server, 'empty.tar')
  const serverUrl = process.env.TEST_DATABASE_URL
  if (serverUrl) {
    await server.close()
    const template = `opco_template_${process.pid}`
    const admin = createKnex(serverUrl, { min: 0, max: 1 })
    try {
      await admin.raw('drop database if exists ??', [template])
      await admin.raw('create database ??', [template])
    } finally {
      await admin.destroy()
    }
    const templateUrl = withDatabase(serverUrl, template)
    const knex = createKnex(templateUrl, { min: 0, max: 1 })
    try {
      await knex.migrate.latest()
    } finally {
      await knex.destroy()
    }
    return { TEST_TEMPLATE_DATABASE: template, TEST_PGLITE_EMPTY: empty }
  }
  const knex = createKnex(server.url, { min: 0, max: 1 })
  try {
    await knex.migrate.latest()
  } finally {
    await knex.destroy()
  }
  const migrated = await dumpTo(server, 'pglite.tar')
  await server.close()
  return { TEST_PGLITE_TEMPLATE: migrated, TEST_PGLITE_EMPTY: empty }
}

/** A new embedded PGlite server, loaded from the run's dump of an empty database. */
export function startEmptyEmbeddedServer(): Promise<EmbeddedServer> {
  const dump = process.env.TEST_PGLITE_EMPTY
  if (!dump) throw new Error('The template databases are missing: run the tests through jest (npm test).')
  return startEmbeddedServer({ loadDataDir: new Blob([readFileSync(dump)]) })
}

export async function dropTemplateDatabase(): Promise<void> {
  const serverUrl = process.env.TEST_DATABASE_URL
  const template = process.env.TEST_TEMPLATE_DATABASE
  if (!serverUrl || !template) return
  const admin = createKnex(serverUrl, { min: 0, max: 1 })
  try {
    await admin.raw('drop database if exists ?? with (force)', [template])
  } finally {
    await admin.destroy()
  }
}

export function withDatabase(serverUrl: string, database: string): string {
  const url = new URL(serverUrl)
  url.pathname = `/${database}`
  return url.toString()
}
