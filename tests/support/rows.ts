import type { Knex } from '@opcommerce/shared/db/knex'

/** The tables a refused request must leave as they were. */
const WRITTEN_TABLES = ['users', 'email_tokens', 'mail_outbox', 'audit_events', 'oidc_payloads', 'memberships'] as const

/** How many rows each table holds: equal before and after means nothing was written. */
export async function rowCounts(db: Knex): Promise<Record<string, number>> {
  const counts: Record<string, number> = {}
  for (const table of WRITTEN_TABLES) {
    const [row] = await db(table).select(db.raw('count(*)::int as count'))
    counts[table] = Number((row as { count: number | string }).count)
  }
  return counts
}

/** Rows of mail_outbox queued for `email` with `template` (a mail is queued in the same transaction as its cause). */
export async function queuedMails(db: Knex, email: string, template: string): Promise<number> {
  const [row] = await db('mail_outbox').where({ to: email, template }).select(db.raw('count(*)::int as count'))
  return Number((row as { count: number | string }).count)
}
