import type { Knex } from 'knex'

/**
 * What the hot paths need from the database (issue 11):
 * - every change of oidc_clients is announced on the channel `oidc_clients_changed`, whoever makes
 *   it (the CLI, `npm start`, an operator's SQL): each idp process keeps the clients in memory and
 *   forgets them when told;
 * - the SSO sessions, grants and tokens of a user are found by index (`payload->>'accountId'`):
 *   a password reset ends them all, and back-channel logout reads the user's sessions.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    create function oidc_clients_changed() returns trigger language plpgsql as $$
    begin
      perform pg_notify('oidc_clients_changed', '');
      return null;
    end
    $$`)
  await knex.raw(`
    create trigger oidc_clients_changed after insert or update or delete or truncate on oidc_clients
    for each statement execute function oidc_clients_changed()`)
  await knex.raw(`create index oidc_payloads_account on oidc_payloads ((payload->>'accountId'))`)
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('drop index if exists oidc_payloads_account')
  await knex.raw('drop trigger if exists oidc_clients_changed on oidc_clients')
  await knex.raw('drop function if exists oidc_clients_changed()')
}
