import type { Knex } from '../db/knex'

export interface Company {
  siren: string
  name: string
  memberCodeHash: string
}

export function createCompanyQueries(db: Knex | Knex.Transaction) {
  return {
    async find(siren: string): Promise<Company | undefined> {
      const row = await db('companies').where({ siren }).first()
      return row && { siren: row.siren, name: row.name, memberCodeHash: row.member_code_hash }
    },

    /** Locks the company row until the transaction ends: decisions on one company happen one at a time. */
    async lock(siren: string): Promise<Company | undefined> {
      const row = await db('companies').where({ siren }).forUpdate().first()
      return row && { siren: row.siren, name: row.name, memberCodeHash: row.member_code_hash }
    },
  }
}
