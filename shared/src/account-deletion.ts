import { randomBytes } from 'node:crypto'
import type { Knex } from './db/knex'
import { ConflictError } from './errors'
import { companiesOnlyAdministeredBy, type AdministeredCompany } from './membership-decisions'
import { createCompanyQueries } from './queries/companies'
import { createMembershipQueries } from './queries/memberships'
import { createPersonalDataQueries } from './queries/personal-data'
import { createUserQueries } from './queries/users'
import { endSessionsOf } from './sessions'

/** The prefix of the pseudonym that replaces a deleted account's id and address in the audit events. */
export const CLOSED_ACCOUNT_PREFIX = 'compte-ferme:'

/**
 * Deletes an account, whether the person closes it (« Fermer mon compte ») or an operator deletes
 * it (`users delete`). In the caller's transaction: the companies the person is in are locked (the
 * lock of the membership decisions), and the deletion is refused with `refusal` while they are the
 * only administrator of a company that has other members. Otherwise every session and token ends
 * (applications told by back-channel logout), the audit events keep a random pseudonym instead of
 * the id and address, and the user row goes with what references it (memberships, mail links,
 * email changes, second factors: ON DELETE CASCADE). Returns the pseudonym, for the caller's own
 * audit event, and the companies the person was an active member of.
 */
export async function deleteAccount(
  trx: Knex.Transaction,
  user: { id: string; email: string },
  refusal: (companies: AdministeredCompany[]) => string,
): Promise<{ pseudonym: string; companies: string[] }> {
  await createCompanyQueries(trx).lockCompaniesOf(user.id)
  const blocked = await companiesOnlyAdministeredBy(trx, user.id)
  if (blocked.length > 0) throw new ConflictError(refusal(blocked))
  const companies = (await createMembershipQueries(trx).activeOf(user.id)).map((membership) => membership.siren)
  const pseudonym = `${CLOSED_ACCOUNT_PREFIX}${randomBytes(12).toString('hex')}`
  await endSessionsOf(trx, user.id)
  await createPersonalDataQueries(trx).pseudonymizeAuditEvents(user.id, user.email, pseudonym)
  await createUserQueries(trx).remove(user.id)
  return { pseudonym, companies }
}
