import { randomBytes } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { startEmbeddedServer } from '@opcommerce/shared/db/embedded-server'
import { createKnex, type Knex } from '@opcommerce/shared/db/knex'
import { startEmptyEmbeddedServer, withDatabase } from './template-database'

export interface TestDatabase {
  url: string
  knex: Knex
  close(): Promise<void>
}

/**
 * A migrated database of this test file's own, copied from the run's template; `empty` gives
 * one without any table (to test migrations themselves).
 */
export async function createTestDatabase(options: { empty?: boolean } = {}): Promise<TestDatabase> {
  const serverUrl = process.env.TEST_DATABASE_URL
  const template = process.env.TEST_TEMPLATE_DATABASE
  if (serverUrl && template) {
    const name = `opco_test_${randomBytes(6).toString('hex')}`
    const admin = createKnex(serverUrl, { min: 0, max: 1 })
    if (options.empty) await admin.raw('create database ??', [name])
    else await admin.raw('create database ?? template ??', [name, template])
    const url = withDatabase(serverUrl, name)
    const knex = createKnex(url)
    return {
      url,
      knex,
      async close() {
        await knex.destroy()
        await admin.raw('drop database if exists ?? with (force)', [name])
        await admin.destroy()
      },
    }
  }
  const dump = process.env.TEST_PGLITE_TEMPLATE
  if (!dump) throw new Error('The template database is missing: run the tests through jest (npm test).')
  const server = options.empty ? await startEmptyEmbeddedServer() : await startEmbeddedServer({ loadDataDir: new Blob([readFileSync(dump)]) })
  const knex = createKnex(server.url)
  return {
    url: server.url,
    knex,
    async close() {
      await knex.destroy()
      await server.close()
    },
  }
}
