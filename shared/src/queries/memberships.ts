import type { Knex } from '../db/knex'
import type { UserProfile } from '../users'

export type Role = 'admin' | 'member'
export type MembershipStatus = 'pending' | 'active' | 'rejected' | 'revoked'

/** A company where the user's membership is active: one element of the `companies` claim. */
export interface ActiveMembership {
  siren: string
  name: string
  role: Role
}

/** The link between a user and a company (see docs/GLOSSARY.md). */
export interface Membership {
  userId: string
  siren: string
  role: Role
  status: MembershipStatus
  requestedAt: Date
  decidedAt: Date | null
  decisionReason: string | null
  lastReminderAt: Date | null
}

/** A member seen from their company: a pending or active membership, and who the user is. */
export interface CompanyMember extends Membership {
  user: UserProfile
}

/** A membership seen from its user, with the company's name. */
export interface UserMembership extends Membership {
  companyName: string
}

/** An access request seen from the user who made it (pending or refused). */
export type AccessRequest = UserMembership

interface MembershipRow {
  user_id: string
  siren: string
  role: Role
  status: MembershipStatus
  requested_at: Date
  decided_at: Date | null
  decision_reason: string | null
  last_reminder_at: Date | null
}

const fromRow = (row: MembershipRow): Membership => ({
  userId: row.user_id,
  siren: row.siren,
  role: row.role,
  status: row.status,
  requestedAt: row.requested_at,
  decidedAt: row.decided_at,
  decisionReason: row.decision_reason,
  lastReminderAt: row.last_reminder_at,
})

/** The only SQL over memberships (the portal writes them, the idp reads them for the claims). */
export function createMembershipQueries(db: Knex | Knex.Transaction) {
  return {
    /** The user's active memberships, the companies they may act for, by company name. */
    async activeOf(userId: string): Promise<ActiveMembership[]> {
      return db('memberships')
        .join('companies', 'companies.siren', 'memberships.siren')
        .where({ 'memberships.user_id': userId, 'memberships.status': 'active' })
        .orderBy('companies.name')
        .select('companies.siren', 'companies.name', 'memberships.role')
    },

    async find(userId: string, siren: string): Promise<Membership | undefined> {
      const row = await db('memberships').where({ user_id: userId, siren }).first()
      return row && fromRow(row)
    },

    /** Creates or reopens the membership (a refused or removed user may ask again). */
    async upsert(membership: { userId: string; siren: string; role: Role; status: MembershipStatus; at: Date; decidedBy?: string | null }): Promise<void> {
      const decided = membership.status !== 'pending'
      const values = {
        role: membership.role,
        status: membership.status,
        requested_at: membership.at,
        decided_at: decided ? membership.at : null,
        decided_by: membership.decidedBy ?? null,
        decision_reason: null,
        last_reminder_at: null,
      }
      await db('memberships')
        .insert({ user_id: membership.userId, siren: membership.siren, ...values })
        .onConflict(['user_id', 'siren'])
        .merge(values)
    },

    async decide(userId: string, siren: string, change: { status: MembershipStatus; role?: Role; by: string; at: Date; reason?: string | null }): Promise<void> {
      await db('memberships')
        .where({ user_id: userId, siren })
        .update({
          status: change.status,
          ...(change.role ? { role: change.role } : {}),
          decided_at: change.at,
          decided_by: change.by,
          decision_reason: change.reason ?? null,
        })
    },

    async setRole(userId: string, siren: string, role: Role): Promise<void> {
      await db('memberships').where({ user_id: userId, siren, status: 'active' }).update({ role })
    },

    /** Records a reminder unless one was sent after `notBefore`; false when it is too soon. */
    async recordReminder(userId: string, siren: string, at: Date, notBefore: Date): Promise<boolean> {
      const updated = await db('memberships')
        .where({ user_id: userId, siren, status: 'pending' })
        .andWhere((query) => query.whereNull('last_reminder_at').orWhere('last_reminder_at', '<=', notBefore))
        .update({ last_reminder_at: at })
      return updated === 1
    },

    async countActiveAdmins(siren: string): Promise<number> {
      const [row] = await db('memberships').where({ siren, role: 'admin', status: 'active' }).count({ count: '*' })
      return Number(row?.count ?? 0)
    },

    async activeAdminEmails(siren: string): Promise<string[]> {
      const rows: { email: string }[] = await db('memberships')
        .join('users', 'users.id', 'memberships.user_id')
        .where({ 'memberships.siren': siren, 'memberships.role': 'admin', 'memberships.status': 'active' })
        .orderBy('users.email')
        .select('users.email')
      return rows.map((row) => row.email)
    },

    /** Pending and active members of a company, by name. */
    async membersOf(siren: string): Promise<CompanyMember[]> {
      const rows = await db('memberships')
        .join('users', 'users.id', 'memberships.user_id')
        .where('memberships.siren', siren)
        .whereIn('memberships.status', ['pending', 'active'])
        .orderBy([{ column: 'users.family_name' }, { column: 'users.given_name' }])
        .select('memberships.*', 'users.email', 'users.given_name', 'users.family_name')
      return rows.map((row: MembershipRow & { email: string; given_name: string; family_name: string }) => ({
        ...fromRow(row),
        user: { id: row.user_id, email: row.email, givenName: row.given_name, familyName: row.family_name },
      }))
    },

    /** Every membership of a company, whatever its status (`memberships list`), by status then name. */
    async everyMemberOf(siren: string): Promise<CompanyMember[]> {
      const rows = await db('memberships')
        .join('users', 'users.id', 'memberships.user_id')
        .where('memberships.siren', siren)
        .orderByRaw(`array_position(array['active', 'pending', 'rejected', 'revoked'], memberships.status), users.family_name, users.given_name`)
        .select('memberships.*', 'users.email', 'users.given_name', 'users.family_name')
      return rows.map((row: MembershipRow & { email: string; given_name: string; family_name: string }) => ({
        ...fromRow(row),
        user: { id: row.user_id, email: row.email, givenName: row.given_name, familyName: row.family_name },
      }))
    },

    /** Every membership of a user, whatever its status (`users show`), by company name. */
    async everyMembershipOf(userId: string): Promise<UserMembership[]> {
      const rows = await db('memberships')
        .join('companies', 'companies.siren', 'memberships.siren')
        .where('memberships.user_id', userId)
        .orderBy('companies.name')
        .select('memberships.*', 'companies.name as company_name')
      return rows.map((row: MembershipRow & { company_name: string }) => ({ ...fromRow(row), companyName: row.company_name }))
    },

    /** The user's access requests (pending or refused), newest first. */
    async accessRequestsOf(userId: string): Promise<AccessRequest[]> {
      const rows = await db('memberships')
        .join('companies', 'companies.siren', 'memberships.siren')
        .where('memberships.user_id', userId)
        .whereIn('memberships.status', ['pending', 'rejected'])
        .orderBy('memberships.requested_at', 'desc')
        .select('memberships.*', 'companies.name as company_name')
      return rows.map((row: MembershipRow & { company_name: string }) => ({ ...fromRow(row), companyName: row.company_name }))
    },
  }
}

export type MembershipQueries = ReturnType<typeof createMembershipQueries>
