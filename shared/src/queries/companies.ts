import type { Knex } from '../db/knex'

export interface Company {
  siren: string
  name: string
  memberCodeHash: string
}

const fromRow = (row: { siren: string; name: string; member_code_hash: string }): Company => ({ siren: row.siren, name: row.name, memberCodeHash: row.member_code_hash })

/**
 * `input`: the companies given as arrays, each with its state against the table: `new`,
 * `changed` (name or code) or `unchanged`. Each one is looked up by its primary key (a LATERAL
 * subquery with LIMIT is never turned into a join): a hash join would read the whole table at
 * every batch, and the planner picks one when the table grew faster than its statistics.
 */
const CHANGED_COMPANIES = `input as (
  select given.siren, given.name, given.member_code_hash,
    case when known.siren is null then 'new'
      when known.name is distinct from given.name or known.member_code_hash is distinct from given.member_code_hash then 'changed'
      else 'unchanged' end as state
  from unnest(?::char(9)[], ?::text[], ?::text[]) as given(siren, name, member_code_hash)
  left join lateral (select siren, name, member_code_hash from companies where companies.siren = given.siren limit 1) as known on true)`

const asArrays = (companies: Company[]) => [companies.map((company) => company.siren), companies.map((company) => company.name), companies.map((company) => company.memberCodeHash)]

export function createCompanyQueries(db: Knex | Knex.Transaction) {
  return {
    async find(siren: string): Promise<Company | undefined> {
      const row = await db('companies').where({ siren }).first()
      return row && fromRow(row)
    },

    /** Locks every company the user has a membership in, in one order (no deadlock with another lock of several). */
    async lockCompaniesOf(userId: string): Promise<void> {
      await db('companies').whereIn('siren', db('memberships').where({ user_id: userId }).select('siren')).orderBy('siren').forUpdate().select('siren')
    },

    /** Locks the company row until the transaction ends: decisions on one company happen one at a time. */
    async lock(siren: string): Promise<Company | undefined> {
      const row = await db('companies').where({ siren }).forUpdate().first()
      return row && fromRow(row)
    },

    /**
     * Creates the companies, or updates those whose name or code changed; rows that did not
     * change are not touched (no write, no lock), so importing the same directory again is a
     * read. The batch travels as three arrays: its size is not bounded by the 65,535 parameters
     * of a statement.
     */
    async save(companies: Company[]): Promise<{ created: number; updated: number }> {
      const { rows } = await db.raw(
        `with ${CHANGED_COMPANIES},
        written as (
          insert into companies (siren, name, member_code_hash)
          select siren, name, member_code_hash from input where state <> 'unchanged'
          on conflict (siren) do update set name = excluded.name, member_code_hash = excluded.member_code_hash, updated_at = now()
          returning (xmax = 0) as inserted)
        select count(*) filter (where inserted)::int as created, count(*) filter (where not inserted)::int as updated from written`,
        asArrays(companies),
      )
      return rows[0]
    },

    /** What `save` would do with the companies, without writing. */
    async countChanges(companies: Company[]): Promise<{ created: number; updated: number }> {
      const { rows } = await db.raw(
        `with ${CHANGED_COMPANIES}
        select count(*) filter (where state = 'new')::int as created, count(*) filter (where state = 'changed')::int as updated from input`,
        asArrays(companies),
      )
      return rows[0]
    },
  }
}
