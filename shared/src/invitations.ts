import { sha256 } from './crypto'
import type { Invitation } from './queries/invitations'

/** Why an invitation link cannot be used: unknown, or found but no longer usable. */
export type InvitationProblem = 'unknown' | 'expired' | 'used' | 'cancelled'

/** Why an invitation found by its link cannot be used any more, if it cannot (the portal and the idp ask the same). */
export function invitationProblem(invitation: Invitation, now: Date): Exclude<InvitationProblem, 'unknown'> | undefined {
  if (invitation.acceptedAt) return 'used'
  if (invitation.cancelledAt) return 'cancelled'
  return invitation.expiresAt <= now ? 'expired' : undefined
}

/** The SHA-256 an invitation's link secret is stored as; undefined for a value that cannot be one. */
export const invitationTokenHash = (token: string): string | undefined => (/^[\w-]{43}$/u.test(token) ? sha256(token) : undefined)
