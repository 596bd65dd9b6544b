import type { Knex } from 'knex'

/**
 * What administrators and members need beyond the guide: invitations by email, the company's
 * trusted email domains, requests escalated to the Opcommerce, and the one-time welcome of a
 * membership that has just been activated.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('invitations', (table) => {
    table.uuid('id').primary().defaultTo(knex.raw('gen_random_uuid()'))
    table.specificType('siren', 'char(9)').notNullable().references('companies.siren').onDelete('CASCADE')
    table.text('email').notNullable()
    table.text('role').notNullable().checkIn(['admin', 'member'], 'invitations_role')
    table.uuid('invited_by').references('users.id').onDelete('SET NULL')
    /** SHA-256 of the link's 256-bit secret: the secret itself only travels in the mail. */
    table.text('token_hash').notNullable().unique()
    table.timestamp('created_at', { useTz: true }).notNullable()
    table.timestamp('sent_at', { useTz: true }).notNullable()
    table.timestamp('expires_at', { useTz: true }).notNullable()
    table.timestamp('accepted_at', { useTz: true })
    table.uuid('accepted_by').references('users.id').onDelete('SET NULL')
    table.timestamp('cancelled_at', { useTz: true })
    table.index(['siren'])
  })
  // One open invitation per address and company: inviting again sends the same one anew.
  await knex.raw('create unique index invitations_open_unique on invitations (siren, lower(email)) where accepted_at is null and cancelled_at is null')

  await knex.schema.createTable('company_domains', (table) => {
    table.specificType('siren', 'char(9)').notNullable().references('companies.siren').onDelete('CASCADE')
    /** Lower case, without "@": a validated address on it joins the company as a member at once. */
    table.text('domain').notNullable()
    table.uuid('added_by').references('users.id').onDelete('SET NULL')
    table.timestamp('added_at', { useTz: true }).notNullable()
    table.primary(['siren', 'domain'])
  })

  await knex.schema.alterTable('memberships', (table) => {
    /** "Contacter l'Opcommerce": when the requester escalated a request left pending too long. */
    table.timestamp('escalated_at', { useTz: true })
    /** Set when the membership becomes active; cleared once its home has said « Vous pouvez accéder au portail ! ». */
    table.boolean('welcome_due').notNullable().defaultTo(false)
  })
  await knex.raw("create index memberships_escalated on memberships (escalated_at) where status = 'pending' and escalated_at is not null")
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('drop index if exists memberships_escalated')
  await knex.schema.alterTable('memberships', (table) => {
    table.dropColumn('welcome_due')
    table.dropColumn('escalated_at')
  })
  await knex.schema.dropTableIfExists('company_domains')
  await knex.schema.dropTableIfExists('invitations')
}
