import type { Knex } from '../db/knex'

export type AuditType =
  | 'account.registered'
  | 'account.registration_for_existing_email'
  | 'account.validation_mail_resent'
  | 'account.validated'
  | 'login.succeeded'
  | 'login.failed'
  | 'login.refused_unvalidated'
  | 'password.reset_requested'
  | 'password.reset'
  | 'company.linked_as_admin'
  | 'company.access_requested'
  | 'company.access_reminded'
  | 'company.access_approved'
  | 'company.access_refused'
  | 'company.member_promoted'
  | 'company.member_demoted'
  | 'company.member_removed'
  | 'company.link_failed'
  | 'client.saved'
  | 'client.deleted'
  | 'client.disabled'
  | 'client.enabled'
  | 'outbox.retried'
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
