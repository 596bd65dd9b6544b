import type { Knex } from '../db/knex'

export interface Company {
  siren: string
  name: string
  memberCodeHash: string
}

const fromRow = (row: { siren: string; name: string; member_code_hash: string }): Company => ({ siren: row.siren, name: row.name, memberCodeHash: row.member_code_hash })

export function createCompanyQueries(db: Knex | Knex.Transaction) {
  return {
    async find(siren: string): Promise<Company | undefined> {
      const row = await db('companies').where({ siren }).first()
      return row && fromRow(row)
    },

    /** Locks the company row until the transaction ends: decisions on one company happen one at a time. */
    async lock(siren: string): Promise<Company | undefined> {
      const row = await db('companies').where({ siren }).forUpdate().first()
      return row && fromRow(row)
    },

    /** Creates the companies, or updates those whose name or code changed; one row per company written. */
    async save(companies: Company[]): Promise<{ inserted: boolean }[]> {
      return db('companies')
        .insert(companies.map((company) => ({ siren: company.siren, name: company.name, member_code_hash: company.memberCodeHash })))
        .onConflict('siren')
        .merge({ name: db.raw('excluded.name'), member_code_hash: db.raw('excluded.member_code_hash'), updated_at: db.fn.now() })
        .where(function changed() {
          this.whereRaw('companies.name is distinct from excluded.name').orWhereRaw('companies.member_code_hash is distinct from excluded.member_code_hash')
        })
        .returning(db.raw('(xmax = 0) as inserted'))
    },
  }
}
