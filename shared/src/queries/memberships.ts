import { preparedStatement, runPrepared, type Knex } from '../db/knex'
import type { UserProfile } from '../users'
import { userFromRow, type User, type UserRow } from './users'

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

/** A user, and the companies of their active memberships: what the idp's claims are made of. */
export type UserWithCompanies = User & { companies: ActiveMembership[] }

/**
 * SQL: the row `users` of the query and the companies of its `companies` claim by name, as JSON
 * (`user`, `companies`): its active memberships, less the companies that require a second factor
 * while the user has none (they come back once one is configured; the portal says why). Shared by
 * userWithCompanies and the idp's token lookup, which reads the token's user with it. json, not
 * jsonb: PostgreSQL builds it as text at once, where jsonb cost 2 ms for 200 companies, 0.85 as json.
 */
export const userWithCompaniesJson = (users: string) => `json_build_object('user', to_json(${users}), 'companies', coalesce((
  select json_agg(company order by company.name) from (
    select companies.siren, companies.name, memberships.role
    from memberships join companies on companies.siren = memberships.siren
    where memberships.user_id = ${users}.id and memberships.status = 'active'
      and (not companies.two_factor_required
        or exists (select 1 from totp_secrets where totp_secrets.user_id = ${users}.id and totp_secrets.confirmed_at is not null)
        or exists (select 1 from webauthn_credentials where webauthn_credentials.user_id = ${users}.id))
  ) as company
), '[]'))`

/** userWithCompaniesJson's value, as the application reads it (its dates are strings in JSON). */
export interface UserWithCompaniesJson {
  user: Omit<UserRow, 'email_verified_at' | 'updated_at' | 'disabled_at'> & { email_verified_at: string | null; updated_at: string; disabled_at: string | null }
  companies: ActiveMembership[]
}

const dateOf = (value: string | null) => (value === null ? null : new Date(value))

export function userWithCompaniesFromJson({ user, companies }: UserWithCompaniesJson): UserWithCompanies {
  return {
    ...userFromRow({ ...user, email_verified_at: dateOf(user.email_verified_at), updated_at: new Date(user.updated_at), disabled_at: dateOf(user.disabled_at) }),
    companies,
  }
}

/** Prepared: the idp reads it at every code exchange and refresh (runPrepared). */
const USER_WITH_COMPANIES = preparedStatement('user_with_companies', `select ${userWithCompaniesJson('users')} as account from users where id = ?`)

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

    /**
     * A user and their active memberships (by company name) in one round trip: what the idp's
     * claims need at every token and userinfo request.
     */
    async userWithCompanies(userId: string): Promise<UserWithCompanies | undefined> {
      const { rows } = await runPrepared<{ account: UserWithCompaniesJson }>(db, USER_WITH_COMPANIES, [userId])
      return rows[0] && userWithCompaniesFromJson(rows[0].account)
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

    /** `by`: the deciding user, or null for an operator (`cli:…` in the audit trail). */
    async decide(userId: string, siren: string, change: { status: MembershipStatus; role?: Role; by: string | null; at: Date; reason?: string | null }): Promise<void> {
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

    /**
     * The companies where the user is the only active administrator while others are active or
     * waiting in it, with how many others (companiesOnlyAdministeredBy).
     */
    async onlyAdministeredBy(userId: string): Promise<{ siren: string; name: string; others: number }[]> {
      const { rows } = await db.raw(
        `select companies.siren, companies.name, others.count as others
        from memberships mine
        join companies on companies.siren = mine.siren
        cross join lateral (
          select count(*) filter (where other.status in ('active', 'pending'))::int as count,
            count(*) filter (where other.status = 'active' and other.role = 'admin')::int as admins
          from memberships other where other.siren = mine.siren and other.user_id <> mine.user_id) as others
        where mine.user_id = ? and mine.role = 'admin' and mine.status = 'active' and others.admins = 0 and others.count > 0
        order by companies.name`,
        [userId],
      )
      return rows
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
