import type { Knex } from '../db/knex'

/** An audit event about a person, as « Mes données » gives it. */
export interface AuditEventAbout {
  at: Date
  type: string
  actor: string | null
  subject: string | null
  ip: string | null
  details: Record<string, unknown>
}

/**
 * The audit events about a person: those they did (actor), and those about them (subject: their
 * id, or their address for events written before anyone knew the address had a user).
 */
export function createPersonalDataQueries(db: Knex | Knex.Transaction) {
  const about = (userId: string, email: string) =>
    db('audit_events').where((query) => query.where({ actor: userId }).orWhereIn('subject', [userId, email.toLowerCase()]))

  return {
    async auditEventsAbout(userId: string, email: string): Promise<AuditEventAbout[]> {
      return about(userId, email).orderBy('id').select('at', 'type', 'actor', 'subject', 'ip', 'details')
    },

    /** Replaces the person's id and address in the audit events by `pseudonym`: the events stay, anonymous. */
    async pseudonymizeAuditEvents(userId: string, email: string, pseudonym: string): Promise<number> {
      return about(userId, email).update({
        actor: db.raw('case when actor = ? then ? else actor end', [userId, pseudonym]),
        subject: db.raw('case when subject in (?, ?) then ? else subject end', [userId, email.toLowerCase(), pseudonym]),
      })
    },
  }
}
