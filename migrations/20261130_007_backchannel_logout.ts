import type { Knex } from 'knex'

/**
 * OpenID Connect Back-Channel Logout 1.0. The idp's outbox of logout tokens, one row per client
 * to tell that a user's SSO session ended (the token is signed when it is delivered, with the
 * key signing then); the portal's side: the `sid` its sessions were opened under, and the logout
 * tokens it already honoured.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('logout_deliveries', (table) => {
    table.bigIncrements('id')
    table.text('client_id').notNullable().references('oidc_clients.client_id').onDelete('CASCADE')
    /** The user the token is about (no foreign key: a logout must outlive the user's row). */
    table.text('sub').notNullable()
    /** oidc-provider's session id for this client, as in the client's ID tokens. */
    table.text('sid')
    /** A delivered row is deleted; `failed` ones stay for operators (`logouts list`). */
    table.text('status').notNullable().defaultTo('pending').checkIn(['pending', 'sending', 'failed'], 'logout_deliveries_status')
    table.integer('attempts').notNullable().defaultTo(0)
    table.timestamp('next_attempt_at', { useTz: true }).notNullable().defaultTo(knex.fn.now())
    table.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now())
    table.text('last_error')
  })
  await knex.raw("create index logout_deliveries_due on logout_deliveries (next_attempt_at) where status in ('pending', 'sending')")

  await knex.schema.alterTable('portal_sessions', (table) => {
    /** The `sid` claim of the session's ID token: what a logout token names. */
    table.text('sid').index()
  })

  await knex.schema.createTable('portal_logout_tokens', (table) => {
    /** The `jti` of a logout token the portal honoured: the same token is refused afterwards. */
    table.text('jti').primary()
    table.timestamp('expires_at', { useTz: true }).notNullable().index()
  })
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTableIfExists('portal_logout_tokens')
  await knex.schema.alterTable('portal_sessions', (table) => table.dropColumn('sid'))
  await knex.schema.dropTableIfExists('logout_deliveries')
}
