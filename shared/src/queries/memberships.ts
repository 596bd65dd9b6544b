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
  /** When the requester escalated the pending request to the Opcommerce ("Contacter l'Opcommerce"). */
  escalatedAt: Date | null
}

/** A member seen from their company: a pending or active membership, and who the user is. */
export interface CompanyMember extends Membership {
  user: UserProfile
}

/** An access request seen from the user who made it (pending or refused), with the company's name. */
export interface AccessRequest extends Membership {
  companyName: string
}

interface MembershipRow {
  user_id: string
  siren: string
  role: Role
  status: MembershipStatus
  requested_at: Date
  decided_at: Date | null
  decision_reason: string | null
  last_reminder_at: Date | null
  escalated_at: Date | null
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
  escalatedAt: row.escalated_at,
})

/** A pending request the requester escalated to the Opcommerce, as operators list them (CLI). */
export interface EscalatedRequest {
  siren: string
  companyName: string
  user: UserProfile
  requestedAt: Date
  escalatedAt: Date
  lastReminderAt: Date | null
  /** The company's active administrators, who did not answer. */
  adminEmails: string[]
}

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

    /**
     * Creates or reopens the membership (a refused or removed user may ask again). An active one
     * owes its user « Vous pouvez accéder au portail ! » (see takeWelcome).
     */
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
        escalated_at: null,
        welcome_due: membership.status === 'active',
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
          welcome_due: change.status === 'active',
        })
    },

    /** "Annuler ma demande": a cancelled request leaves no membership behind (the audit trail keeps it). */
    async deletePending(userId: string, siren: string): Promise<boolean> {
      return (await db('memberships').where({ user_id: userId, siren, status: 'pending' }).delete()) === 1
    },

    /**
     * Consumes the welcome an activation left: true once, on the first visit of the company
     * home after the membership became active.
     */
    async takeWelcome(userId: string, siren: string): Promise<boolean> {
      return (await db('memberships').where({ user_id: userId, siren, status: 'active', welcome_due: true }).update({ welcome_due: false })) === 1
    },

    /** Records the escalation of a pending request made before `requestedBefore`; false when it is not one. */
    async recordEscalation(userId: string, siren: string, at: Date, requestedBefore: Date): Promise<boolean> {
      const updated = await db('memberships')
        .where({ user_id: userId, siren, status: 'pending' })
        .whereNull('escalated_at')
        .andWhere('requested_at', '<=', requestedBefore)
        .update({ escalated_at: at })
      return updated === 1
    },

    /** Pending requests escalated to the Opcommerce, oldest escalation first. */
    async escalatedRequests(): Promise<EscalatedRequest[]> {
      const rows = await db('memberships')
        .join('users', 'users.id', 'memberships.user_id')
        .join('companies', 'companies.siren', 'memberships.siren')
        .where('memberships.status', 'pending')
        .whereNotNull('memberships.escalated_at')
        .orderBy('memberships.escalated_at')
        .select(
          'memberships.*',
          'users.email',
          'users.given_name',
          'users.family_name',
          'companies.name as company_name',
          db.raw(
            "coalesce((select array_agg(admins.email order by admins.email) from memberships admin_memberships join users admins on admins.id = admin_memberships.user_id where admin_memberships.siren = memberships.siren and admin_memberships.role = 'admin' and admin_memberships.status = 'active'), '{}') as admin_emails",
          ),
        )
      return rows.map((row: MembershipRow & { email: string; given_name: string; family_name: string; company_name: string; admin_emails: string[] }) => ({
        siren: row.siren,
        companyName: row.company_name,
        user: { id: row.user_id, email: row.email, givenName: row.given_name, familyName: row.family_name },
        requestedAt: row.requested_at,
        escalatedAt: row.escalated_at!,
        lastReminderAt: row.last_reminder_at,
        adminEmails: row.admin_emails,
      }))
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

    /**
     * The companies the user is the only active administrator of while other people are members
     * or ask to be (their access would be left without anyone to manage it). Lock the companies
     * first (companies.lock) for a decision that must hold until the transaction ends.
     */
    async soleAdministratorships(userId: string): Promise<{ siren: string; name: string }[]> {
      return db('memberships as mine')
        .join('companies', 'companies.siren', 'mine.siren')
        .where({ 'mine.user_id': userId, 'mine.role': 'admin', 'mine.status': 'active' })
        .whereNotExists(db('memberships as other').whereRaw('other.siren = mine.siren and other.user_id <> mine.user_id').where({ 'other.role': 'admin', 'other.status': 'active' }))
        .whereExists(db('memberships as other').whereRaw('other.siren = mine.siren and other.user_id <> mine.user_id').whereIn('other.status', ['active', 'pending']))
        .orderBy('companies.name')
        .select('companies.siren', 'companies.name')
    },

    /** Every membership of the user, whatever its status, with the company's name (« Mes données »). */
    async allOf(userId: string): Promise<(Membership & { companyName: string })[]> {
      const rows = await db('memberships')
        .join('companies', 'companies.siren', 'memberships.siren')
        .where('memberships.user_id', userId)
        .orderBy('memberships.requested_at')
        .select('memberships.*', 'companies.name as company_name')
      return rows.map((row: MembershipRow & { company_name: string }) => ({ ...fromRow(row), companyName: row.company_name }))
    },
  }
}

export type MembershipQueries = ReturnType<typeof createMembershipQueries>
