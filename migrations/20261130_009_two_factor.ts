import type { Knex } from 'knex'

/**
 * Second factors: an authenticator app's secret (encrypted at rest), its single-use recovery
 * codes (hashed), passkeys (WebAuthn credentials), the WebAuthn challenges in flight, and the
 * company setting that requires a second factor of its members.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('totp_secrets', (table) => {
    table.uuid('user_id').primary().references('users.id').onDelete('CASCADE')
    /** AES-256-GCM under a key derived from SIGNING_KEYS_SECRET for this purpose alone. */
    table.text('secret_encrypted').notNullable()
    /** Null while enrolment waits for its first code: such a secret is no factor yet. */
    table.timestamp('confirmed_at', { useTz: true })
    /** The RFC 6238 time step of the last code accepted: a code of that step or before is refused. */
    table.bigInteger('last_used_step')
    table.timestamp('created_at', { useTz: true }).notNullable()
  })

  await knex.schema.createTable('recovery_codes', (table) => {
    table.bigIncrements('id')
    table.uuid('user_id').notNullable().references('users.id').onDelete('CASCADE')
    /** SHA-256 of an 80-bit random code: the code itself is shown once and never stored. */
    table.text('code_hash').notNullable()
    table.timestamp('used_at', { useTz: true })
    table.unique(['user_id', 'code_hash'])
  })

  await knex.schema.createTable('webauthn_credentials', (table) => {
    /** The credential ID, base64url. */
    table.text('id').primary()
    table.uuid('user_id').notNullable().references('users.id').onDelete('CASCADE').index()
    table.binary('public_key').notNullable()
    table.bigInteger('counter').notNullable().defaultTo(0)
    table.jsonb('transports').notNullable().defaultTo('[]')
    /** What the person called it (« Clé de bureau »). */
    table.text('name').notNullable()
    /** `singleDevice` (a hardware key: amr hwk) or `multiDevice` (a synced passkey: amr swk). */
    table.text('device_type').notNullable()
    table.timestamp('created_at', { useTz: true }).notNullable()
    table.timestamp('last_used_at', { useTz: true })
  })

  await knex.schema.createTable('webauthn_challenges', (table) => {
    /** The challenge, base64url; deleted when used, so an assertion or attestation counts once. */
    table.text('challenge').primary()
    /** Whose registration or second factor it is; null for « Se connecter avec une clé d'accès ». */
    table.uuid('user_id').references('users.id').onDelete('CASCADE')
    table.text('purpose').notNullable().checkIn(['registration', 'authentication'], 'webauthn_challenges_purpose')
    table.timestamp('expires_at', { useTz: true }).notNullable().index()
  })

  await knex.schema.alterTable('companies', (table) => {
    /** Set by the company's administrators: members without a second factor lose it from their claims. */
    table.boolean('two_factor_required').notNullable().defaultTo(false)
  })
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('companies', (table) => table.dropColumn('two_factor_required'))
  await knex.schema.dropTableIfExists('webauthn_challenges')
  await knex.schema.dropTableIfExists('webauthn_credentials')
  await knex.schema.dropTableIfExists('recovery_codes')
  await knex.schema.dropTableIfExists('totp_secrets')
}
