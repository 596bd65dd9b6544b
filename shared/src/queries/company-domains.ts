import type { Knex } from '../db/knex'

/** A trusted email domain of a company: a validated address on it joins as a member at once. */
export interface CompanyDomain {
  siren: string
  domain: string
  addedBy: string | null
  addedAt: Date
}

export function createCompanyDomainQueries(db: Knex | Knex.Transaction) {
  return {
    async listOf(siren: string): Promise<CompanyDomain[]> {
      const rows: { siren: string; domain: string; added_by: string | null; added_at: Date }[] = await db('company_domains').where({ siren }).orderBy('domain')
      return rows.map((row) => ({ siren: row.siren, domain: row.domain, addedBy: row.added_by, addedAt: row.added_at }))
    },

    async has(siren: string, domain: string): Promise<boolean> {
      return Boolean(await db('company_domains').where({ siren, domain }).first('domain'))
    },

    /** False when the domain was already declared. */
    async add(siren: string, domain: string, addedBy: string, at: Date): Promise<boolean> {
      const rows = await db('company_domains').insert({ siren, domain, added_by: addedBy, added_at: at }).onConflict(['siren', 'domain']).ignore().returning('domain')
      return rows.length === 1
    },

    /** False when the domain was not declared. */
    async remove(siren: string, domain: string): Promise<boolean> {
      return (await db('company_domains').where({ siren, domain }).delete()) === 1
    },
  }
}
