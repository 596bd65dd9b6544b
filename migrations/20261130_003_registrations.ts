import type { Knex } from 'knex'

/**
 * Pending registrations get rows of their own instead of unvalidated users: a second registration
 * of an address never replaces the password of a first one. Each is its own request, its
 * validation link points at it, and the first one validated becomes the user (the others are
 * deleted). Unvalidated users of the previous model become registrations, their links kept.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('registrations', (table) => {
    table.uuid('id').primary().defaultTo(knex.raw('gen_random_uuid()'))
    table.text('email').notNullable()
    table.text('password_hash').notNullable()
    table.text('given_name').notNullable()
    table.text('family_name').notNullable()
    table.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now())
  })
  await knex.raw('create index registrations_email on registrations (lower(email))')

  await knex.schema.alterTable('email_tokens', (table) => {
    table.uuid('registration_id').references('registrations.id').onDelete('CASCADE').index()
  })
  await knex.raw('alter table email_tokens alter column user_id drop not null')

  await knex.raw(`
    insert into registrations (id, email, password_hash, given_name, family_name, created_at)
    select id, email, password_hash, given_name, family_name, created_at from users where email_verified_at is null`)
  await knex.raw(`
    update email_tokens set registration_id = user_id, user_id = null
    where user_id in (select id from registrations)`)
  await knex.raw('delete from users where email_verified_at is null')
  await knex.raw('alter table email_tokens add constraint email_tokens_owner check (num_nonnulls(user_id, registration_id) = 1)')
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('alter table email_tokens drop constraint email_tokens_owner')
  await knex.raw('delete from email_tokens where registration_id is not null')
  await knex.schema.alterTable('email_tokens', (table) => table.dropColumn('registration_id'))
  await knex.raw('alter table email_tokens alter column user_id set not null')
  await knex.schema.dropTable('registrations')
}
