import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import type pg from 'pg'
import { createOidcPayloadQueries } from '@opcommerce/idp/src/queries/oidc-payloads'
import type { Knex } from '@opcommerce/shared/db/knex'
import { scheduleBackchannelLogouts } from '@opcommerce/shared/queries/logout-deliveries'
import { createMembershipQueries } from '@opcommerce/shared/queries/memberships'
import { createSecondFactorQueries } from '@opcommerce/shared/queries/second-factors'
import { createSessionQueries } from '@opcommerce/shared/queries/sessions'
import { createUserQueries } from '@opcommerce/shared/queries/users'
import { createTestDatabase, type TestDatabase } from '../support/database'

/** Tables that grow with the number of people, companies and sessions. */
const LARGE_TABLES = new Set(['users', 'memberships', 'companies', 'oidc_payloads'])
const PEOPLE = 20_000

interface PlanNode {
  'Node Type': string
  'Relation Name'?: string
  Plans?: PlanNode[]
}

const sequentialScans = (node: PlanNode): string[] => [
  ...(node['Node Type'] === 'Seq Scan' && node['Relation Name'] && LARGE_TABLES.has(node['Relation Name']) ? [node['Relation Name']] : []),
  ...(node.Plans ?? []).flatMap(sequentialScans),
]

/**
 * The queries behind a login, a token, a refresh, userinfo and the end of sessions, as the code
 * sends them (captured from knex), explained by PostgreSQL on tables large enough for its planner
 * to choose between a scan and an index as it would in production, statistics up to date: each
 * with its values, and as the generic plan a prepared statement ends up with. On a few rows a
 * sequential scan is the right plan, so the tables are filled first.
 */
describe('hot queries use indexes, not sequential scans, on large tables', () => {
  let database: TestDatabase | undefined
  let knex: Knex
  let someone: { id: string; email: string }

  beforeAll(async () => {
    database = await createTestDatabase()
    knex = database.knex
    await knex.raw(
      `insert into users (email, password_hash, given_name, family_name, email_verified_at)
       select 'personne' || n || '@exemple.fr', 'hash', 'Prénom', 'Nom', now() from generate_series(1, ?) n`,
      [PEOPLE],
    )
    await knex.raw(`insert into companies (siren, name, member_code_hash) select lpad(n::text, 9, '0'), 'Entreprise ' || n, 'hash' from generate_series(1, ?) n`, [PEOPLE / 2])
    await knex.raw(
      `insert into memberships (user_id, siren, role, status)
       select id, lpad((1 + row_number() over () % ?)::text, 9, '0'), 'member', 'active' from users`,
      [PEOPLE / 2],
    )
    await knex.raw(
      `insert into oidc_payloads (kind, id, payload, grant_id, uid, expires_at)
       select kind, kind || n, jsonb_build_object('accountId', u.id, 'grantId', 'grant' || n, 'sessionUid', 'uid' || n), 'grant' || n, 'uid' || n, now() + interval '1 hour'
         from (select id, row_number() over () n from users) u,
              unnest(array['Session', 'Grant', 'AccessToken', 'RefreshToken']) kind`,
    )
    await knex.raw('analyze')
    someone = (await knex('users').first('id', 'email'))!
  }, 120_000)

  afterAll(async () => {
    await database?.close()
  })

  /** What `work` sends to the database, each statement explained as PostgreSQL would run it. */
  async function plansOf(work: (db: Knex) => Promise<unknown>): Promise<{ sql: string; scans: string[] }[]> {
    const statements: { sql: string; bindings: unknown[] }[] = []
    const record = (query: { sql: string; bindings?: unknown[] }) => statements.push({ sql: query.sql, bindings: query.bindings ?? [] })
    knex.on('query', record)
    try {
      await knex.transaction(async (trx) => {
        await work(trx)
        throw new Rollback() // plans only: the rows stay as they were for the next query
      })
    } catch (error) {
      if (!(error instanceof Rollback)) throw error
    } finally {
      knex.removeListener('query', record)
    }
    const connection = (await knex.client.acquireConnection()) as pg.Client
    try {
      const explained = statements.filter((statement) => /^\s*(select|insert|update|delete|with)/iu.test(statement.sql))
      expect(explained.length).toBeGreaterThan(0)
      const plans = []
      const scansOf = (rows: unknown[]) => sequentialScans((rows[0] as { 'QUERY PLAN': [{ Plan: PlanNode }] })['QUERY PLAN'][0].Plan)
      for (const { sql, bindings } of explained) {
        plans.push({ sql, scans: scansOf((await connection.query(`explain (format json) ${sql}`, bindings)).rows) })
        // Prepared statements (runPrepared) may switch to a generic plan after five runs, planned
        // without the values (how many a batch holds, which token): the values given here are
        // nulls, which that plan does not look at.
        await connection.query('set plan_cache_mode = force_generic_plan')
        await connection.query(`prepare generic_plan as ${sql}`)
        try {
          const { rows } = await connection.query(`explain (format json) execute generic_plan(${bindings.map(() => 'null').join(', ')})`)
          plans.push({ sql: `generic: ${sql}`, scans: scansOf(rows) })
        } finally {
          await connection.query('deallocate generic_plan')
          await connection.query('reset plan_cache_mode')
        }
      }
      return plans
    } finally {
      await knex.client.releaseConnection(connection)
    }
  }

  const expectIndexesOnly = async (work: (db: Knex) => Promise<unknown>) => {
    for (const { sql, scans } of await plansOf(work)) expect({ sql, scans }).toEqual({ sql, scans: [] })
  }

  it('login: the user by email', async () => {
    await expectIndexesOnly((db) => createUserQueries(db).findByEmail(someone.email.toUpperCase()))
  })

  it('login: after the password, the second factors and the companies that require one', async () => {
    await expectIndexesOnly((db) => createSecondFactorQueries(db).afterPasswordOf(someone.id))
  })

  it('claims: the user and their companies', async () => {
    await expectIndexesOnly((db) => createMembershipQueries(db).userWithCompanies(someone.id))
  })

  it('userinfo, introspection, refresh: a token with its session and grant', async () => {
    await expectIndexesOnly((db) => createOidcPayloadQueries(db).findTokenWithContext(['AccessToken', 'ClientCredentials', 'RefreshToken', 'AuthorizationCode'], 'AccessToken1'))
  })

  it('sessions and interactions by uid, codes and refresh tokens marked used', async () => {
    await expectIndexesOnly(async (db) => {
      const payloads = createOidcPayloadQueries(db)
      await payloads.findByUid('Session', 'uid1')
      await payloads.consume('RefreshToken', 'RefreshToken1')
      await payloads.revokeByGrantId('AccessToken', 'grant1')
    })
  })

  it('password reset: every session, grant and token of the user, and their logout tokens', async () => {
    await expectIndexesOnly(async (db) => {
      await scheduleBackchannelLogouts(db, { userId: someone.id })
      await createSessionQueries(db).deleteEverythingOf(someone.id)
    })
  })
})

class Rollback extends Error {}
