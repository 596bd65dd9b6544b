import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { startEmbeddedServer } from '@opcommerce/shared/db/embedded-server'
import { createKnex } from '@opcommerce/shared/db/knex'

/**
 * Migrates one template database per test run; each test file then gets its own copy (see
 * database.ts), so files run in parallel workers without seeing each other's rows.
 * With TEST_DATABASE_URL: a template database on that PostgreSQL server.
 * Without: a dump of a migrated PGlite, loaded into a fresh in-memory PGlite per file.
 */
export async function prepareTemplateDatabase(): Promise<Record<string, string>> {
  const serverUrl = process.env.TEST_DATABASE_URL
  if (serverUrl) {
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
    return { TEST_TEMPLATE_DATABASE: template }
  }
  const server = await startEmbeddedServer({})
  const knex = createKnex(server.url, { min: 0, max: 1 })
  try {
    await knex.migrate.latest()
  } finally {
    await knex.destroy()
  }
  const dump = await server.db.dumpDataDir('none')
  await server.close()
  const file = path.join(mkdtempSync(path.join(tmpdir(), 'opco-template-')), 'pglite.tar')
  writeFileSync(file, Buffer.from(await dump.arrayBuffer()))
  return { TEST_PGLITE_TEMPLATE: file }
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
