import type { Knex } from '../db/knex'
import { NotFoundError } from '../errors'
import type { AdministeredCompany } from '../membership-decisions'
import { createCompanyQueries, type Company } from '../queries/companies'
import type { MembershipStatus, Role } from '../queries/memberships'
import { createUserQueries, type UserRecord } from '../queries/users'
import { checkSiren } from '../siren'
import { UsageError } from './command'

/** What the commands of several groups name the same way: users, companies, roles, states. */

/** A user's id, as operators may paste it (in capitals or not). */
export const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/iu

export const ROLE_LABEL: Record<Role, string> = { admin: 'administrateur', member: 'membre' }
export const STATUS_LABEL: Record<MembershipStatus, string> = { active: 'actif', pending: 'en attente', rejected: 'refusé', revoked: 'retiré' }

/** The user an operator names by address (case aside) or id; not found is exit code 3. */
export async function userNamed(db: Knex, reference: string | undefined, option = 'EMAIL|ID'): Promise<UserRecord> {
  if (!reference) throw new UsageError(`Indiquez l'utilisateur : ${option}.`)
  const users = createUserQueries(db)
  const id = UUID.test(reference) ? reference.toLowerCase() : (await users.findByEmail(reference))?.id
  const user = id && (await users.findRecord(id))
  if (!user) throw new NotFoundError(`Aucun utilisateur « ${reference} ».`)
  return user
}

/** The SIREN an operator typed (spaces allowed), or a usage error saying what is wrong with it. */
export function sirenOption(input: string | undefined): string {
  if (input === undefined) throw new UsageError('Indiquez --siren SIREN.')
  const check = checkSiren(input)
  if (!check.ok) throw new UsageError(`--siren : ${check.message}`)
  return check.siren
}

/** The company named by --siren, locked until the transaction ends; not found is exit code 3. */
export async function lockCompany(trx: Knex.Transaction, siren: string): Promise<Company> {
  const company = await createCompanyQueries(trx).lock(siren)
  if (!company) throw new NotFoundError(`Aucune entreprise de Siren ${siren} dans l'annuaire.`)
  return company
}

/** The refusal of the last-administrator guard, with what to do instead. */
export const lastAdministrator = (email: string) => (company: AdministeredCompany) =>
  `${email} est le seul administrateur de ${company.name} (Siren ${company.siren}), qui compte ${company.others} autre(s) utilisateur(s) : nommez d'abord un autre administrateur (memberships grant --siren ${company.siren} --email … --role admin).`
