import { spawn } from 'node:child_process'
import pg from 'pg'
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { createKnex, type Knex } from './knex'
import { startEmptyEmbeddedServer } from '../../../tests/support/template-database'
import type { EmbeddedServer } from './embedded-server'

describe('embedded PGlite server', () => {
  let server: EmbeddedServer | undefined
  const clients: Knex[] = []

  beforeAll(async () => {
    server = await startEmptyEmbeddedServer()
    // Three independent pools, as idp, portal and the CLI each hold one.
    for (let i = 0; i < 3; i++) clients.push(createKnex(server.url, { min: 0, max: 10 }))
    await clients[0]!.raw('create table company (id int primary key, has_admin boolean not null)')
    await clients[0]!.raw('create table membership (id serial primary key, client int not null, role text not null)')
    await clients[0]!.raw('insert into company values (1, false)')
  }, 90_000) // a fresh PGlite runs initdb (~5 s alone, much more beside the fuzz test on two busy cores)

  afterAll(async () => {
    await Promise.all(clients.map((client) => client.destroy()))
    await server?.close()
  })

  it('keeps concurrent parameterized queries of many connections apart', async () => {
    const results = await Promise.all(
      clients.flatMap((client, clientIndex) =>
        Array.from({ length: 100 }, async (_, i) => {
          const value = clientIndex * 1000 + i
          const { rows } = await client.raw('select ?::int as value, ?::text as label', [value, `n${value}`])
          return rows[0].value === value && rows[0].label === `n${value}`
        }),
      ),
    )
    expect(results.filter(Boolean)).toHaveLength(300)
  })

  it('serialises SELECT … FOR UPDATE transactions: 60 concurrent first links make one admin', async () => {
    await Promise.all(
      clients.flatMap((client, clientIndex) =>
        Array.from({ length: 20 }, () =>
          client.transaction(async (trx) => {
            const company = await trx('company').where({ id: 1 }).forUpdate().first()
            const role = company.has_admin ? 'member' : 'admin'
            if (role === 'admin') await trx('company').where({ id: 1 }).update({ has_admin: true })
            await trx('membership').insert({ client: clientIndex, role })
          }),
        ),
      ),
    )
    const roles = await clients[1]!('membership').select('role').count({ count: '*' }).groupBy('role').orderBy('role')
    expect(roles).toEqual([
      { role: 'admin', count: 1 },
      { role: 'member', count: 59 },
    ])
  })

  it('does the same for three separate processes, as idp, portal and the CLI are', async () => {
    await clients[0]!.raw('create table process_link (id serial primary key, process int not null, role text not null)')
    await clients[0]!.raw('create table process_company (id int primary key, has_admin boolean not null)')
    await clients[0]!.raw('insert into process_company values (1, false)')
    const script = `
      import knexFactory from 'knex'
      const knex = knexFactory({ client: 'pg', connection: process.env.URL, pool: { min: 0, max: 10 } })
      const me = Number(process.env.ME)
      let wrong = 0
      await Promise.all(Array.from({ length: 100 }, async (_, i) => {
        const { rows } = await knex.raw('select ?::int as value', [me * 1000 + i])
        if (rows[0].value !== me * 1000 + i) wrong++
      }))
      await Promise.all(Array.from({ length: 20 }, () => knex.transaction(async (trx) => {
        const company = await trx('process_company').where({ id: 1 }).forUpdate().first()
        if (!company.has_admin) await trx('process_company').where({ id: 1 }).update({ has_admin: true })
        await trx('process_link').insert({ process: me, role: company.has_admin ? 'member' : 'admin' })
      })))
      await knex.destroy()
      process.exit(wrong)`
    const exitCodes = await Promise.all(
      [1, 2, 3].map(
        (me) =>
          new Promise<number | null>((resolve) => {
            const child = spawn(process.execPath, ['--input-type=module', '-e', script], { env: { ...process.env, URL: server!.url, ME: String(me) }, stdio: 'inherit' })
            child.once('exit', resolve)
          }),
      ),
    )
    expect(exitCodes).toEqual([0, 0, 0])
    const roles = await clients[0]!('process_link').select('role').count({ count: '*' }).groupBy('role').orderBy('role')
    expect(roles).toEqual([
      { role: 'admin', count: 1 },
      { role: 'member', count: 59 },
    ])
  })

  it('rolls back the transaction of a connection that goes away mid-way', async () => {
    const lonely = new pg.Client({ connectionString: server!.url })
    lonely.on('error', () => {}) // its own end is expected
    await lonely.connect()
    await lonely.query('begin')
    await lonely.query('update company set has_admin = $1 where id = $2', [false, 1])
    lonely.connection.stream.destroy() // the process dies while its transaction is open
    const company = await clients[2]!('company').where({ id: 1 }).first()
    expect(company.has_admin).toBe(true)
  })
})
