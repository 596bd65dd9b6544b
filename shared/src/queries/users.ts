import type { Knex } from '../db/knex'
import type { UserProfile } from '../users'

/** A row of `users`: a person's identity (see docs/GLOSSARY.md). Only the idp reads it whole. */
export interface User extends UserProfile {
  emailVerifiedAt: Date | null
  passwordHash: string
  updatedAt: Date
  /** Set by an operator: the user can no longer log in, and every session of theirs ends. */
  disabledAt: Date | null
}

interface UserRow {
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

const fromRow = (row: UserRow): User => ({
  id: row.id,
  email: row.email,
  emailVerifiedAt: row.email_verified_at,
  passwordHash: row.password_hash,
  givenName: row.given_name,
  familyName: row.family_name,
  updatedAt: row.updated_at,
  disabledAt: row.disabled_at ?? null,
})

/** Emails are compared without case: the unique index is on lower(email). */
export function createUserQueries(db: Knex | Knex.Transaction) {
  return {
    async findByEmail(email: string): Promise<User | undefined> {
      const row = await db<UserRow>('users').whereRaw('lower(email) = lower(?)', [email]).first()
      return row && fromRow(row)
    },

    async findById(id: string): Promise<User | undefined> {
      const row = await db<UserRow>('users').where({ id }).first()
      return row && fromRow(row)
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
      return row && fromRow(row)
    },

    /** Until the transaction ends, registrations and validations of this address happen one at a time. */
    async lockEmail(email: string): Promise<void> {
      await db.raw('select pg_advisory_xact_lock(hashtext(lower(?)))', [email])
    },

    async updatePassword(id: string, passwordHash: string, at: Date): Promise<void> {
      await db('users').where({ id }).update({ password_hash: passwordHash, updated_at: at })
    },
  }
}
