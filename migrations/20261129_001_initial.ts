import type { Knex } from 'knex'

/** The first data model of ARCHITECTURE.md, with the constraints that protect its rules. */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('users', (table) => {
    table.uuid('id').primary().defaultTo(knex.raw('gen_random_uuid()'))
    table.text('email').notNullable()
    table.timestamp('email_verified_at', { useTz: true })
    table.text('password_hash').notNullable()
    table.text('given_name').notNullable()
    table.text('family_name').notNullable()
    table.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now())
    table.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now())
  })
  await knex.raw('create unique index users_email_unique on users (lower(email))')

  await knex.schema.createTable('email_tokens', (table) => {
    table.uuid('id').primary().defaultTo(knex.raw('gen_random_uuid()'))
    table.uuid('user_id').notNullable().references('users.id').onDelete('CASCADE')
    table.text('purpose').notNullable().checkIn(['verify_email', 'reset_password'], 'email_tokens_purpose')
    table.text('token_hash').notNullable().unique()
    table.timestamp('expires_at', { useTz: true }).notNullable().index()
    table.timestamp('consumed_at', { useTz: true })
    table.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now())
    table.index(['user_id', 'purpose'])
  })

  await knex.schema.createTable('oidc_payloads', (table) => {
    table.text('kind').notNullable()
    table.text('id').notNullable()
    table.jsonb('payload').notNullable()
    table.text('grant_id')
    table.text('user_code')
    table.text('uid')
    table.timestamp('expires_at', { useTz: true })
    table.timestamp('consumed_at', { useTz: true })
    table.primary(['kind', 'id'])
    table.index(['grant_id'])
    table.index(['uid'])
    table.index(['user_code'])
    table.index(['expires_at'])
  })

  await knex.schema.createTable('oidc_clients', (table) => {
    table.text('client_id').primary()
    table.jsonb('metadata').notNullable()
    table.text('name').notNullable()
    table.text('description')
    /** The tool's home page. */
    table.text('url')
    /**
     * OIDC third-party initiated login: where the launcher sends people so that the tool starts
     * the login itself. Kept out of the protocol metadata, which requires https for it.
     */
    table.text('initiate_login_uri')
    /** A disabled client is unknown to the provider and hidden from the launcher. */
    table.boolean('enabled').notNullable().defaultTo(true)
    /** Listed in "Liste des outils de l'Opcommerce". */
    table.boolean('tool').notNullable().defaultTo(false)
    /** Our own applications: no consent screen. */
    table.boolean('first_party').notNullable().defaultTo(false)
    table.integer('position').notNullable().defaultTo(0)
    table.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now())
  })

  await knex.schema.createTable('signing_keys', (table) => {
    table.text('kid').primary()
    table.text('alg').notNullable()
    table.jsonb('public_jwk').notNullable()
    /** AES-256-GCM ciphertext of the private JWK, under SIGNING_KEYS_SECRET. */
    table.text('private_jwk_encrypted').notNullable()
    table.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now())
    table.timestamp('retired_at', { useTz: true })
  })

  await knex.schema.createTable('companies', (table) => {
    table.specificType('siren', 'char(9)').primary()
    table.text('name').notNullable()
    /** HMAC-SHA256 of the code adhérent under MEMBER_CODE_HMAC_KEY; the code itself is never stored. */
    table.text('member_code_hash').notNullable()
    table.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now())
    table.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now())
  })
  await knex.raw("alter table companies add constraint companies_siren_digits check (siren ~ '^[0-9]{9}$')")

  await knex.schema.createTable('memberships', (table) => {
    table.uuid('id').primary().defaultTo(knex.raw('gen_random_uuid()'))
    table.uuid('user_id').notNullable().references('users.id').onDelete('CASCADE')
    table.specificType('siren', 'char(9)').notNullable().references('companies.siren').onDelete('CASCADE')
    table.text('role').notNullable().checkIn(['admin', 'member'], 'memberships_role')
    table.text('status').notNullable().checkIn(['pending', 'active', 'rejected', 'revoked'], 'memberships_status')
    table.timestamp('requested_at', { useTz: true }).notNullable().defaultTo(knex.fn.now())
    table.timestamp('decided_at', { useTz: true })
    table.uuid('decided_by').references('users.id').onDelete('SET NULL')
    table.text('decision_reason')
    table.timestamp('last_reminder_at', { useTz: true })
    table.unique(['user_id', 'siren'])
    table.index(['siren', 'status'])
  })

  await knex.schema.createTable('mail_outbox', (table) => {
    table.bigIncrements('id')
    table.text('to').notNullable()
    table.text('template').notNullable()
    /** Emptied once the mail is sent: links carry single-use secrets. */
    table.jsonb('data').notNullable()
    table.text('status').notNullable().defaultTo('pending').checkIn(['pending', 'sending', 'sent', 'failed'], 'mail_outbox_status')
    table.integer('attempts').notNullable().defaultTo(0)
    table.timestamp('next_attempt_at', { useTz: true }).notNullable().defaultTo(knex.fn.now())
    table.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now())
    table.timestamp('sent_at', { useTz: true })
    table.text('last_error')
  })
  await knex.raw(
    "create index mail_outbox_due on mail_outbox (next_attempt_at) where status in ('pending', 'sending')",
  )

  await knex.schema.createTable('audit_events', (table) => {
    table.bigIncrements('id')
    table.timestamp('at', { useTz: true }).notNullable().defaultTo(knex.fn.now()).index()
    table.text('actor')
    table.text('type').notNullable()
    table.text('subject')
    table.text('ip')
    table.jsonb('details').notNullable().defaultTo('{}')
    table.index(['subject'])
  })

  // The table rate-limiter-flexible's RateLimiterPostgres expects; expire is epoch milliseconds.
  await knex.schema.createTable('rate_limits', (table) => {
    table.string('key', 255).primary()
    table.integer('points').notNullable().defaultTo(0)
    table.bigInteger('expire').index()
  })
}

export async function down(knex: Knex): Promise<void> {
  for (const table of [
    'rate_limits',
    'audit_events',
    'mail_outbox',
    'memberships',
    'companies',
    'signing_keys',
    'oidc_clients',
    'oidc_payloads',
    'email_tokens',
    'users',
  ]) {
    await knex.schema.dropTableIfExists(table)
  }
}
