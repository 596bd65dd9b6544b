import type { Knex } from 'knex'

/**
 * « Mon compte »: where each SSO session was opened and last used (oidc-provider keeps neither
 * the browser nor the address), and the email address changes waiting for their validation link.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('sso_session_activity', (table) => {
    /** The `uid` of oidc-provider's Session: stable for the browser's session, while its `id` changes at each login. */
    table.text('uid').primary()
    table.uuid('user_id').notNullable().references('users.id').onDelete('CASCADE').index()
    /** The User-Agent header, cut to 512 characters. */
    table.text('user_agent')
    table.text('ip')
    table.timestamp('started_at', { useTz: true }).notNullable().defaultTo(knex.fn.now())
    /** Moved forward at most once a minute. */
    table.timestamp('last_seen_at', { useTz: true }).notNullable().defaultTo(knex.fn.now())
  })

  await knex.schema.createTable('email_changes', (table) => {
    table.uuid('id').primary().defaultTo(knex.raw('gen_random_uuid()'))
    table.uuid('user_id').notNullable().references('users.id').onDelete('CASCADE').index()
    table.text('old_email').notNullable()
    table.text('new_email').notNullable()
    /** SHA-256 of the secret of the link mailed to the new address (24 hours, single use). */
    table.text('token_hash').notNullable().unique()
    /** SHA-256 of the secret of the link mailed to the old address, which cancels the change (or undoes it). */
    table.text('cancel_token_hash').notNullable().unique()
    table.timestamp('created_at', { useTz: true }).notNullable()
    table.timestamp('expires_at', { useTz: true }).notNullable()
    table.timestamp('cancel_expires_at', { useTz: true }).notNullable().index()
    table.timestamp('validated_at', { useTz: true })
    table.timestamp('cancelled_at', { useTz: true })
  })
  // One change waits at a time per person: a new request replaces the previous one.
  await knex.raw('create unique index email_changes_one_pending on email_changes (user_id) where validated_at is null and cancelled_at is null')
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTableIfExists('email_changes')
  await knex.schema.dropTableIfExists('sso_session_activity')
}
