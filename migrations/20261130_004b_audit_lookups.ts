import type { Knex } from 'knex'

/**
 * `audit list --user|--siren` finds a user's or a company's events among all of them: by actor,
 * and by the user or SIREN named in the details (the subject already has its index). Built
 * concurrently, outside a transaction, so that logins keep recording events meanwhile.
 */
export const config = { transaction: false }

export async function up(knex: Knex): Promise<void> {
  await knex.raw('create index concurrently if not exists audit_events_actor on audit_events (actor)')
  await knex.raw(`create index concurrently if not exists audit_events_details_user on audit_events ((details->>'user'))`)
  await knex.raw(`create index concurrently if not exists audit_events_details_siren on audit_events ((details->>'siren'))`)
}

export async function down(knex: Knex): Promise<void> {
  for (const index of ['audit_events_actor', 'audit_events_details_user', 'audit_events_details_siren']) await knex.raw('drop index if exists ??', [index])
}
