import type { Knex } from 'knex'

/**
 * "Ajouter cette entreprise" sent while the company is under protection (too many wrong codes
 * adhérent today): kept for an operator of the Opcommerce to confirm or reject, whatever its
 * code, so that nobody learns from the answer whether the code was right. `code_matched` is for
 * the operators only. No foreign key to companies: an unknown Siren is held the same way, so the
 * directory cannot be probed either.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('held_requests', (table) => {
    table.uuid('id').primary().defaultTo(knex.raw('gen_random_uuid()'))
    table.uuid('user_id').notNullable().references('users.id').onDelete('CASCADE')
    table.specificType('siren', 'char(9)').notNullable()
    /** Whether one of the codes sent was the company's. */
    table.boolean('code_matched').notNullable().defaultTo(false)
    /** How many times this user sent the form for this company while it was held. */
    table.integer('attempts').notNullable().defaultTo(1)
    table.timestamp('created_at', { useTz: true }).notNullable()
    table.timestamp('decided_at', { useTz: true })
    table.text('decision').checkIn(['confirmed', 'rejected'], 'held_requests_decision')
    /** The operator who decided (cli:<account>). */
    table.text('decided_by')
    table.index(['siren'])
  })
  await knex.raw('create unique index held_requests_open on held_requests (user_id, siren) where decided_at is null')
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('held_requests')
}
