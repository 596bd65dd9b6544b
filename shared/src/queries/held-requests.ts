import type { Knex } from '../db/knex'

/** A held request (see docs/GLOSSARY.md): "Ajouter cette entreprise" sent while the company was under protection. */
export interface HeldRequest {
  id: string
  userId: string
  siren: string
  codeMatched: boolean
  attempts: number
  createdAt: Date
}

/** An open held request as operators list it: who asked, for which company (when the directory knows it). */
export interface HeldRequestForOperators extends HeldRequest {
  email: string
  givenName: string
  familyName: string
  companyName: string | null
}

interface HeldRequestRow {
  id: string
  user_id: string
  siren: string
  code_matched: boolean
  attempts: number
  created_at: Date
}

const fromRow = (row: HeldRequestRow): HeldRequest => ({
  id: row.id,
  userId: row.user_id,
  siren: row.siren,
  codeMatched: row.code_matched,
  attempts: row.attempts,
  createdAt: row.created_at,
})

export function createHeldRequestQueries(db: Knex | Knex.Transaction) {
  const open = () => db('held_requests').whereNull('decided_at')

  return {
    /** Records one more submission of the user for the company: a new held request, or the open one counted again. */
    async record(request: { userId: string; siren: string; codeMatched: boolean; at: Date }): Promise<void> {
      await db.raw(
        `insert into held_requests (user_id, siren, code_matched, created_at) values (?, ?, ?, ?)
         on conflict (user_id, siren) where decided_at is null
         do update set attempts = held_requests.attempts + 1, code_matched = held_requests.code_matched or excluded.code_matched`,
        [request.userId, request.siren, request.codeMatched, request.at],
      )
    },

    /** The user's open held requests, newest first (what "Demandes d'accès en attente" shows them). */
    async openOf(userId: string): Promise<HeldRequest[]> {
      const rows: HeldRequestRow[] = await open().where({ user_id: userId }).orderBy('created_at', 'desc')
      return rows.map(fromRow)
    },

    /** Every open held request, for operators, oldest first. */
    async openForOperators(): Promise<HeldRequestForOperators[]> {
      const rows = await open()
        .join('users', 'users.id', 'held_requests.user_id')
        .leftJoin('companies', 'companies.siren', 'held_requests.siren')
        .orderBy('held_requests.created_at')
        .select('held_requests.*', 'users.email', 'users.given_name', 'users.family_name', 'companies.name as company_name')
      return rows.map((row: HeldRequestRow & { email: string; given_name: string; family_name: string; company_name: string | null }) => ({
        ...fromRow(row),
        email: row.email,
        givenName: row.given_name,
        familyName: row.family_name,
        companyName: row.company_name,
      }))
    },

    /** The open held request of a user for a company, locked until the transaction ends. */
    async lockOpen(userId: string, siren: string): Promise<HeldRequest | undefined> {
      const row = await open().where({ user_id: userId, siren }).forUpdate().first()
      return row && fromRow(row)
    },

    async decide(id: string, decision: 'confirmed' | 'rejected', by: string, at: Date): Promise<void> {
      await db('held_requests').where({ id }).update({ decision, decided_by: by, decided_at: at })
    },

    /** Open held requests per company (operators' overview). */
    async countOpenBySiren(): Promise<Map<string, number>> {
      const rows: { siren: string; count: number }[] = await open().groupBy('siren').select('siren', db.raw('count(*)::int as count'))
      return new Map(rows.map((row) => [row.siren, Number(row.count)]))
    },
  }
}
