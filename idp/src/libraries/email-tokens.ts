import { randomToken, sha256 } from '@opcommerce/shared/crypto'
import type { Knex } from '@opcommerce/shared/db/knex'
import { createEmailTokenQueries, type EmailTokenPurpose, type TokenOwner } from '../queries/email-tokens'

/** How long a link sent by mail stays valid. */
const EMAIL_TOKEN_TTL: Record<EmailTokenPurpose, number> = {
  verify_email: 24 * 3600_000, // milliseconds
  reset_password: 3600_000, // milliseconds
}

/** A 256-bit random token: the raw value only travels in the mail, the database keeps its SHA-256. */
export async function issueEmailToken(trx: Knex.Transaction, owner: TokenOwner, purpose: EmailTokenPurpose, now: Date): Promise<string> {
  const token = randomToken()
  const queries = createEmailTokenQueries(trx)
  await queries.expireUnused(owner, purpose, now)
  await queries.insert({ owner, purpose, tokenHash: sha256(token), expiresAt: new Date(now.getTime() + EMAIL_TOKEN_TTL[purpose]) })
  return token
}

/** Why a mail link cannot be used (see docs/GLOSSARY.md). */
export type LinkProblem = 'unknown' | 'expired' | 'used'

/** A usable link and whom it is for; or why not, with the user it was for when there is one. */
export type TokenCheck =
  | { status: 'valid'; id: string; userId: string | null; registrationId: string | null }
  | { status: LinkProblem; userId?: string | null }

/** Looks a token up without using it (to show the page a link leads to). */
export async function checkEmailToken(db: Knex | Knex.Transaction, token: string, purpose: EmailTokenPurpose, now: Date): Promise<TokenCheck> {
  if (!/^[\w-]{43}$/u.test(token)) return { status: 'unknown' }
  const row = await createEmailTokenQueries(db).findByHash(sha256(token), purpose)
  if (!row) return { status: 'unknown' }
  if (row.consumed_at) return { status: 'used', userId: row.user_id }
  if (row.expires_at <= now) return { status: 'expired', userId: row.user_id }
  return { status: 'valid', id: row.id, userId: row.user_id, registrationId: row.registration_id }
}

/** Uses a token once: of two concurrent requests with the same link, one only succeeds. */
export async function consumeEmailToken(trx: Knex.Transaction, token: string, purpose: EmailTokenPurpose, now: Date): Promise<TokenCheck> {
  const check = await checkEmailToken(trx, token, purpose, now)
  if (check.status !== 'valid') return check
  return (await createEmailTokenQueries(trx).consume(check.id, now)) ? check : { status: 'used', userId: check.userId }
}
