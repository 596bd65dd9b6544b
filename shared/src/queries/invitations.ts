import type { Knex } from '../db/knex'
import type { Role } from './memberships'

/** An invitation by email to a company (see docs/GLOSSARY.md): the link's secret is kept as its SHA-256. */
export interface Invitation {
  id: string
  siren: string
  email: string
  role: Role
  invitedBy: string | null
  createdAt: Date
  sentAt: Date
  expiresAt: Date
  acceptedAt: Date | null
  cancelledAt: Date | null
}

/** An open invitation as "Gérer les utilisateurs" lists it: who sent it. */
export interface ListedInvitation extends Invitation {
  inviterName: string | null
}

interface InvitationRow {
  id: string
  siren: string
  email: string
  role: Role
  invited_by: string | null
  token_hash: string
  created_at: Date
  sent_at: Date
  expires_at: Date
  accepted_at: Date | null
  cancelled_at: Date | null
}

const fromRow = (row: InvitationRow): Invitation => ({
  id: row.id,
  siren: row.siren,
  email: row.email,
  role: row.role,
  invitedBy: row.invited_by,
  createdAt: row.created_at,
  sentAt: row.sent_at,
  expiresAt: row.expires_at,
  acceptedAt: row.accepted_at,
  cancelledAt: row.cancelled_at,
})

/** Open: neither accepted nor cancelled (it may have expired). */
const open = (query: Knex.QueryBuilder) => query.whereNull('invitations.accepted_at').whereNull('invitations.cancelled_at')

/** The only SQL over invitations: the portal writes them, the idp reads one to prove an address. */
export function createInvitationQueries(db: Knex | Knex.Transaction) {
  return {
    async findByTokenHash(tokenHash: string): Promise<Invitation | undefined> {
      const row = await db<InvitationRow>('invitations').where({ token_hash: tokenHash }).first()
      return row && fromRow(row)
    },

    /** Locks the invitation of a link (none once it was sent again with a new link). */
    async lockByTokenHash(tokenHash: string): Promise<Invitation | undefined> {
      const row = await db<InvitationRow>('invitations').where({ token_hash: tokenHash }).forUpdate().first()
      return row && fromRow(row)
    },

    /** Locks the invitation until the transaction ends: it is accepted, resent or cancelled once. */
    async lock(id: string, siren: string): Promise<Invitation | undefined> {
      const row = await db<InvitationRow>('invitations').where({ id, siren }).forUpdate().first()
      return row && fromRow(row)
    },

    async findOpen(siren: string, email: string): Promise<Invitation | undefined> {
      const row = await open(db('invitations').where({ siren }).whereRaw('lower(email) = lower(?)', [email])).first()
      return row && fromRow(row)
    },

    async insert(invitation: { siren: string; email: string; role: Role; invitedBy: string; tokenHash: string; at: Date; expiresAt: Date }): Promise<void> {
      await db('invitations').insert({
        siren: invitation.siren,
        email: invitation.email,
        role: invitation.role,
        invited_by: invitation.invitedBy,
        token_hash: invitation.tokenHash,
        created_at: invitation.at,
        sent_at: invitation.at,
        expires_at: invitation.expiresAt,
      })
    },

    /** Sends an open invitation again: a new secret (the old link stops working), a new expiry, maybe a new role. */
    async renew(id: string, change: { tokenHash: string; role: Role; invitedBy: string; at: Date; expiresAt: Date }): Promise<void> {
      await db('invitations').where({ id }).update({
        token_hash: change.tokenHash,
        role: change.role,
        invited_by: change.invitedBy,
        sent_at: change.at,
        expires_at: change.expiresAt,
      })
    },

    async markAccepted(id: string, userId: string, at: Date): Promise<void> {
      await db('invitations').where({ id }).update({ accepted_at: at, accepted_by: userId })
    },

    async markCancelled(id: string, at: Date): Promise<void> {
      await db('invitations').where({ id }).update({ cancelled_at: at })
    },

    /** The company's open invitations (expired ones too, to be sent again), by address. */
    async openOf(siren: string): Promise<ListedInvitation[]> {
      const rows = await open(db('invitations').leftJoin('users', 'users.id', 'invitations.invited_by').where('invitations.siren', siren))
        .orderBy('invitations.email')
        .select('invitations.*', 'users.given_name', 'users.family_name')
      return rows.map((row: InvitationRow & { given_name: string | null; family_name: string | null }) => ({
        ...fromRow(row),
        inviterName: row.given_name === null ? null : `${row.given_name} ${row.family_name}`,
      }))
    },
  }
}
