import type { Knex } from '@opcommerce/shared/db/knex'

/** A pending registration: what "Créer un compte" received, until its link is opened. */
export interface Registration {
  id: string
  email: string
  passwordHash: string
  givenName: string
  familyName: string
  createdAt: Date
}

interface RegistrationRow {
  id: string
  email: string
  password_hash: string
  given_name: string
  family_name: string
  created_at: Date
}

const fromRow = (row: RegistrationRow): Registration => ({
  id: row.id,
  email: row.email,
  passwordHash: row.password_hash,
  givenName: row.given_name,
  familyName: row.family_name,
  createdAt: row.created_at,
})

/** At most this many pending registrations of one address are tried at login (newest first). */
const TRIED_AT_LOGIN = 5

export function createRegistrationQueries(db: Knex | Knex.Transaction) {
  return {
    async insert(registration: Omit<Registration, 'id'>): Promise<Registration> {
      const [row] = await db<RegistrationRow>('registrations')
        .insert({
          email: registration.email,
          password_hash: registration.passwordHash,
          given_name: registration.givenName,
          family_name: registration.familyName,
          created_at: registration.createdAt,
        })
        .returning('*')
      return fromRow(row!)
    },

    async find(id: string): Promise<Registration | undefined> {
      const row = await db<RegistrationRow>('registrations').where({ id }).first()
      return row && fromRow(row)
    },

    /** The newest pending registrations of an address (a right password at login finds its own). */
    async newestOf(email: string): Promise<Registration[]> {
      const rows = await db<RegistrationRow>('registrations').whereRaw('lower(email) = lower(?)', [email]).orderBy('created_at', 'desc').limit(TRIED_AT_LOGIN)
      return rows.map(fromRow)
    },

    /** Every pending registration of an address goes once one of them is validated (their links with them). */
    async deleteAllOf(email: string): Promise<void> {
      await db('registrations').whereRaw('lower(email) = lower(?)', [email]).delete()
    },

    async purgeCreatedBefore(date: Date): Promise<number> {
      return db('registrations').where('created_at', '<', date).delete()
    },
  }
}
