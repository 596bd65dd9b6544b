import type { Knex } from 'knex'

/**
 * The portal's sessions, kept server-side: the cookie holds only a random value whose SHA-256
 * is the row's id. One row per signed-in browser; tokens encrypted under PORTAL_SESSION_SECRET.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('portal_sessions', (table) => {
    table.text('id').primary()
    table.uuid('user_id').notNullable().references('users.id').onDelete('CASCADE').index()
    table.text('id_token_encrypted').notNullable()
    table.text('refresh_token_encrypted')
    table.timestamp('access_token_expires_at', { useTz: true }).notNullable()
    /** Set while one request refreshes the tokens, so that concurrent requests do not all refresh. */
    table.timestamp('refreshing_until', { useTz: true })
    table.text('csrf').notNullable()
    table.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now())
    table.timestamp('expires_at', { useTz: true }).notNullable().index()
  })
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTableIfExists('portal_sessions')
}
