import type { Knex } from 'knex'

/**
 * Secrets no longer lie around (and the outbox knows which sender claimed a mail): mails given up for good lose their links as sent ones do, and
 * client secrets move out of the clear metadata into an encrypted column (the idp encrypts the
 * ones still in clear when it starts: a migration does not hold the key). `users.disabled_at`
 * lets an operator disable a user; every session of theirs ends at the next request.
 */
export async function up(knex: Knex): Promise<void> {
  await knex('mail_outbox').where({ status: 'failed' }).update({ data: '{}' })
  await knex.schema.alterTable('oidc_clients', (table) => {
    /** AES-256-GCM of the client secret (see shared/src/clients.ts); null for public clients. */
    table.text('secret_encrypted')
  })
  await knex.schema.alterTable('mail_outbox', (table) => {
    /** The sender process that claimed the row: it takes its own claims back at once after losing the database mid-claim. */
    table.text('claimed_by')
  })
  const hasDisabledAt = await knex.schema.hasColumn('users', 'disabled_at')
  if (!hasDisabledAt) await knex.schema.alterTable('users', (table) => table.timestamp('disabled_at', { useTz: true }))
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('mail_outbox', (table) => table.dropColumn('claimed_by'))
  await knex.schema.alterTable('oidc_clients', (table) => table.dropColumn('secret_encrypted'))
}
