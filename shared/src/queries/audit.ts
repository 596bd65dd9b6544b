import { escapeLike, type Knex } from '../db/knex'

export type AuditType =
  | 'account.registered'
  | 'account.registration_for_existing_email'
  | 'account.validation_mail_resent'
  | 'account.validated'
  | 'login.succeeded'
  | 'login.failed'
  | 'login.refused_unvalidated'
  | 'login.refused_disabled'
  | 'login.second_factor_failed'
  | 'login.recovery_code_used'
  | 'two_factor.totp_enrolled'
  | 'two_factor.totp_removed'
  | 'two_factor.passkey_added'
  | 'two_factor.passkey_removed'
  | 'two_factor.reset_by_operator'
  | 'company.two_factor_required'
  | 'company.two_factor_not_required'
  | 'password.reset_requested'
  | 'password.reset'
  | 'account.reauthentication_failed'
  | 'account.names_changed'
  | 'password.changed'
  | 'account.email_change_requested'
  | 'account.email_change_to_taken_address'
  | 'account.email_changed'
  | 'account.email_change_cancelled'
  | 'account.email_change_undone'
  | 'account.session_ended'
  | 'account.logged_out_everywhere'
  | 'account.data_exported'
  | 'account.closed'
  | 'company.linked_as_admin'
  | 'company.access_requested'
  | 'company.access_reminded'
  | 'company.access_approved'
  | 'company.access_refused'
  | 'company.member_promoted'
  | 'company.member_demoted'
  | 'company.member_removed'
  | 'company.link_failed'
  | 'company.protection_started'
  | 'company.link_held'
  | 'company.held_request_confirmed'
  | 'company.held_request_rejected'
  | 'company.access_request_cancelled'
  | 'company.access_escalated'
  | 'company.joined_by_domain'
  | 'company.invitation_sent'
  | 'company.invitation_resent'
  | 'company.invitation_cancelled'
  | 'company.invitation_accepted'
  | 'company.domain_added'
  | 'company.domain_removed'
  | 'account.registered_by_invitation'
  | 'client.saved'
  | 'client.deleted'
  | 'client.disabled'
  | 'client.enabled'
  | 'outbox.retried'
  | 'account.unlocked'
  | 'account.disabled'
  | 'account.enabled'
  | 'account.deleted'
  | 'signing_key.created'
  | 'signing_key.retired'
  | 'companies.imported'

export interface AuditEvent {
  type: AuditType
  /** Who acted: a user id, or null for an anonymous visitor. */
  actor: string | null
  /** What it was about: a user id, an email, a SIREN… */
  subject?: string | null
  ip?: string | null
  details?: Record<string, unknown>
}

export async function recordAudit(db: Knex | Knex.Transaction, event: AuditEvent): Promise<void> {
  await db('audit_events').insert({
    type: event.type,
    actor: event.actor,
    subject: event.subject ?? null,
    ip: event.ip ?? null,
    details: JSON.stringify(event.details ?? {}),
  })
}

/** An audit event as `audit list` shows it, with the emails of the users it names. */
export interface AuditEntry {
  id: number
  at: Date
  type: string
  actor: string | null
  /** The actor's email, when the actor is a user who still exists. */
  actorEmail: string | null
  subject: string | null
  subjectEmail: string | null
  ip: string | null
  details: Record<string, unknown>
}

export interface AuditFilter {
  /** Events a user did or underwent: as actor, as subject, or named in the details. */
  userId?: string
  /** Events about an address (a failed login of an unknown address is recorded under it). */
  email?: string
  /** Events about a company: as subject, or named in the details. */
  siren?: string
  since?: Date
  /** A type (`login.failed`), or a family of types (`company.*`). */
  type?: string
  limit: number
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/u

type AuditRow = Omit<AuditEntry, 'actorEmail' | 'subjectEmail'>

/** A company whose daily budget of code checks ran out, and until when it stays under protection. */
export interface CompanyUnderProtection {
  siren: string
  since: Date
  until: Date
}

export function createAuditQueries(db: Knex | Knex.Transaction) {
  return {
    /** Companies under protection at `now`: a `company.protection_started` event whose window has not ended. */
    async companiesUnderProtection(now: Date): Promise<CompanyUnderProtection[]> {
      const rows: { subject: string; at: Date; until: string }[] = await db('audit_events')
        .where({ type: 'company.protection_started' })
        .andWhereRaw(`(details->>'until')::timestamptz > ?`, [now])
        .orderBy('at')
        .select('subject', 'at', db.raw(`details->>'until' as until`))
      return rows.map((row) => ({ siren: row.subject, since: row.at, until: new Date(row.until) }))
    },

    /** Wrong codes adhérent sent for a company since `since`, answered or held. */
    async countWrongCodes(siren: string, since: Date): Promise<number> {
      const [row] = await db('audit_events')
        .where({ subject: siren })
        .andWhere('at', '>=', since)
        .andWhere((query) => query.where({ type: 'company.link_failed' }).orWhere((held) => held.where({ type: 'company.link_held' }).andWhereRaw(`details->>'codeMatched' = 'false'`)))
        .select(db.raw('count(*)::int as count'))
      return Number((row as { count: number }).count)
    },

    /** The newest events first. */
    async list(filter: AuditFilter): Promise<AuditEntry[]> {
      const { userId, email, siren, since, type, limit } = filter
      const rows: AuditRow[] = await db('audit_events as event')
        .modify((query) => {
          if (userId || email) {
            query.where((about) => {
              if (userId) about.orWhere('event.actor', userId).orWhere('event.subject', userId).orWhereRaw(`event.details->>'user' = ?`, [userId])
              if (email) about.orWhereRaw('lower(event.subject) = lower(?)', [email])
            })
          }
          if (siren) query.where((about) => about.where('event.subject', siren).orWhereRaw(`event.details->>'siren' = ?`, [siren]))
          if (since) query.where('event.at', '>=', since)
          if (type?.endsWith('.*')) query.where('event.type', 'like', `${escapeLike(type.slice(0, -1))}%`)
          else if (type) query.where('event.type', type)
        })
        .orderBy([{ column: 'event.at', order: 'desc' }, { column: 'event.id', order: 'desc' }])
        .limit(limit)
        .select('event.*')
      const userIds = [...new Set(rows.flatMap((row) => [row.actor, row.subject]).filter((value): value is string => value !== null && UUID.test(value)))]
      const emails = new Map<string, string>(
        userIds.length === 0 ? [] : (await db('users').whereIn('id', userIds).select('id', 'email')).map((user: { id: string; email: string }) => [user.id, user.email]),
      )
      return rows.map((row) => ({
        ...row,
        actorEmail: (row.actor && emails.get(row.actor)) ?? null,
        subjectEmail: (row.subject && emails.get(row.subject)) ?? null,
      }))
    },
  }
}
