import { escapeLike, type Knex } from '../db/knex'
import type { UserProfile } from '../users'

/** A row of `users`: a person's identity (see docs/GLOSSARY.md). Only the idp reads it whole. */
export interface User extends UserProfile {
  emailVerifiedAt: Date | null
  passwordHash: string
  updatedAt: Date
  /** Set by an operator: the user can no longer log in, and every session of theirs ends. */
  disabledAt: Date | null
}

export interface UserRow {
  id: string
  email: string
  email_verified_at: Date | null
  password_hash: string
  given_name: string
  family_name: string
  created_at?: Date
  updated_at: Date
  disabled_at: Date | null
}

export const userFromRow = (row: UserRow): User => ({
  id: row.id,
  email: row.email,
  emailVerifiedAt: row.email_verified_at,
  passwordHash: row.password_hash,
  givenName: row.given_name,
  familyName: row.family_name,
  updatedAt: row.updated_at,
  disabledAt: row.disabled_at ?? null,
})

/** A user as operators look them up (`users find|show`): never the password hash. */
export interface UserRecord extends UserProfile {
  emailVerifiedAt: Date | null
  createdAt: Date
  disabledAt: Date | null
}

const recordColumns = ['id', 'email', 'given_name', 'family_name', 'email_verified_at', 'created_at', 'disabled_at'] as const
const toRecord = (row: Pick<UserRow, 'id' | 'email' | 'given_name' | 'family_name' | 'email_verified_at' | 'disabled_at'> & { created_at: Date }): UserRecord => ({
  id: row.id,
  email: row.email,
  givenName: row.given_name,
  familyName: row.family_name,
  emailVerifiedAt: row.email_verified_at,
  createdAt: row.created_at,
  disabledAt: row.disabled_at,
})
/** PostgreSQL's error code for a unique index that refused a row. */
const UNIQUE_VIOLATION = '23505'

/** Emails are compared without case: the unique index is on lower(email). */
export function createUserQueries(db: Knex | Knex.Transaction) {
  return {
    async findByEmail(email: string): Promise<User | undefined> {
      const row = await db<UserRow>('users').whereRaw('lower(email) = lower(?)', [email]).first()
      return row && userFromRow(row)
    },

    async findById(id: string): Promise<User | undefined> {
      const row = await db<UserRow>('users').where({ id }).first()
      return row && userFromRow(row)
    },

    async findRecord(id: string): Promise<UserRecord | undefined> {
      const row = await db('users').where({ id }).first(recordColumns)
      return row && toRecord(row)
    },

    /** Users whose address contains `fragment` (case aside), by address; at most `limit`. */
    async searchByEmail(fragment: string, limit: number): Promise<UserRecord[]> {
      const rows = await db('users')
        .whereRaw('lower(email) like ?', [`%${escapeLike(fragment.toLowerCase())}%`])
        .orderByRaw('lower(email)')
        .limit(limit)
        .select(recordColumns)
      return rows.map(toRecord)
    },

    async findProfile(id: string): Promise<UserProfile | undefined> {
      const row = await db<UserRow>('users').where({ id }).first('id', 'email', 'given_name', 'family_name')
      return row && { id: row.id, email: row.email, givenName: row.given_name, familyName: row.family_name }
    },

    /**
     * Creates a validated user (from the registration whose link was opened); undefined when the
     * email is already taken.
     */
    async insertValidated(user: { email: string; passwordHash: string; givenName: string; familyName: string }, at: Date): Promise<User | undefined> {
      const [row] = await db<UserRow>('users')
        .insert({ email: user.email, password_hash: user.passwordHash, given_name: user.givenName, family_name: user.familyName, email_verified_at: at, created_at: at, updated_at: at })
        .onConflict(db.raw('(lower(email))'))
        .ignore()
        .returning('*')
      return row && userFromRow(row)
    },

    /** Until the transaction ends, registrations and validations of this address happen one at a time. */
    async lockEmail(email: string): Promise<void> {
      await db.raw('select pg_advisory_xact_lock(hashtext(lower(?)))', [email])
    },

    /** Disables the user (no login, no token); false when they already were. */
    async disable(id: string, at: Date): Promise<boolean> {
      return (await db('users').where({ id }).whereNull('disabled_at').update({ disabled_at: at, updated_at: at })) === 1
    },

    /** Enables a disabled user again; false when they were not disabled. */
    async enable(id: string, at: Date): Promise<boolean> {
      return (await db('users').where({ id }).whereNotNull('disabled_at').update({ disabled_at: null, updated_at: at })) === 1
    },

    /** Deletes the user (deleteAccount); what references them goes with them (ON DELETE CASCADE). */
    async remove(id: string): Promise<boolean> {
      return (await db('users').where({ id }).delete()) === 1
    },

    async updatePassword(id: string, passwordHash: string, at: Date): Promise<void> {
      await db('users').where({ id }).update({ password_hash: passwordHash, updated_at: at })
    },

    async updateNames(id: string, names: { givenName: string; familyName: string }, at: Date): Promise<void> {
      await db('users').where({ id }).update({ given_name: names.givenName, family_name: names.familyName, updated_at: at })
    },

    /**
     * Moves the user to a validated address; false when another user has it (the unique index on
     * lower(email) decides: of two changes or registrations of one address, one only succeeds).
     */
    async updateEmail(id: string, email: string, at: Date): Promise<boolean> {
      try {
        // A savepoint: the losing side of a race on the index fails alone, not its transaction.
        const updated = await db.transaction((savepoint) =>
          savepoint('users').where({ id }).update({ email, email_verified_at: at, updated_at: at }).returning('id'),
        )
        return updated.length === 1
      } catch (error) {
        if ((error as { code?: string }).code === UNIQUE_VIOLATION) return false
        throw error
      }
    },
  }
}
