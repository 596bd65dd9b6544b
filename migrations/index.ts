import type { Knex } from 'knex'
import * as initial from './20261129_001_initial'
import * as portalSessions from './20261129_002_portal_sessions'
import * as invitationsAndMembershipLife from './20261130_006_invitations_and_membership_life'
import * as backchannelLogout from './20261130_007_backchannel_logout'
import * as registrations from './20261130_003_registrations'
import * as heldRequests from './20261130_003b_held_requests'
import * as secretsAtRest from './20261130_003c_secrets_at_rest'
import * as auditLookups from './20261130_004b_audit_lookups'
import * as hotPaths from './20261130_005_hot_paths'
import * as account from './20261130_008_account'
import * as twoFactor from './20261130_009_two_factor'

/**
 * Every migration, in order. Listed here rather than discovered on disk so that the same files
 * run under tsx, jest and any bundler. Append-only: a released migration is never edited.
 */
const migrations: Record<string, Knex.Migration> = {
  '20261129_001_initial': initial,
  '20261129_002_portal_sessions': portalSessions,
  '20261130_006_invitations_and_membership_life': invitationsAndMembershipLife,
  '20261130_007_backchannel_logout': backchannelLogout,
  '20261130_003_registrations': registrations,
  '20261130_003b_held_requests': heldRequests,
  '20261130_003c_secrets_at_rest': secretsAtRest,
  '20261130_004b_audit_lookups': auditLookups,
  '20261130_005_hot_paths': hotPaths,
  '20261130_008_account': account,
  '20261130_009_two_factor': twoFactor,
}

export const migrationSource: Knex.MigrationSource<string> = {
  getMigrations: async () => Object.keys(migrations),
  getMigrationName: (name) => name,
  getMigration: async (name) => migrations[name]!,
}
