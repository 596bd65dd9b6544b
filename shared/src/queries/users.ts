import type { Knex } from '../db/knex'
import type { UserProfile } from '../users'

/** A row of `users`: a person's identity (see docs/GLOSSARY.md). Only the idp reads it whole. */
export interface User extends UserProfile {
  emailVerifiedAt: Date | null
  passwordHash: string
  updatedAt: Date
}

export interface UserRow {
  id: string
  email: string
  email_verified_at: Date | null
  password_hash: string
  given_name: string
  family_name: string
  updated_at: Date
}

export const userFromRow = (row: UserRow): User => ({
  id: row.id,
  email: row.email,
  emailVerifiedAt: row.email_verified_at,
  passwordHash: row.password_hash,
  givenName: row.given_name,
  familyName: row.family_name,
  updatedAt: row.updated_at,
})

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

    async findProfile(id: string): Promise<UserProfile | undefined> {
      const row = await db<UserRow>('users').where({ id }).first('id', 'email', 'given_name', 'family_name')
      return row && { id: row.id, email: row.email, givenName: row.given_name, familyName: row.family_name }
    },

    /** Returns undefined when the email is already taken (a concurrent registration won). */
    async insert(user: { email: string; passwordHash: string; givenName: string; familyName: string }): Promise<User | undefined> {
      const [row] = await db<UserRow>('users')
        .insert({ email: user.email, password_hash: user.passwordHash, given_name: user.givenName, family_name: user.familyName })
        .onConflict(db.raw('(lower(email))'))
        .ignore()
        .returning('*')
      return row && userFromRow(row)
    },

    async markEmailVerified(id: string, at: Date): Promise<void> {
      await db('users').where({ id }).whereNull('email_verified_at').update({ email_verified_at: at, updated_at: at })
    },

    /** A new registration of an address not validated yet replaces what the previous one typed. */
    async replaceUnvalidatedRegistration(id: string, registration: { passwordHash: string; givenName: string; familyName: string }, at: Date): Promise<void> {
      await db('users').where({ id }).whereNull('email_verified_at').update({
        password_hash: registration.passwordHash,
        given_name: registration.givenName,
        family_name: registration.familyName,
        updated_at: at,
      })
    },

    async updatePassword(id: string, passwordHash: string, at: Date): Promise<void> {
      await db('users').where({ id }).update({ password_hash: passwordHash, updated_at: at })
    },
  }
}
