import { NotFoundError } from '../errors'
import { createCompanyQueries } from '../queries/companies'
import { createMembershipQueries } from '../queries/memberships'
import { checkSiren } from '../siren'
import { fullName } from '../users'
import { action, columns, frenchTime, UsageError, type CommandGroup } from './command'
import { ROLE_LABEL, STATUS_LABEL } from './users'

/** The SIREN an operator typed (spaces allowed), or a usage error saying what is wrong with it. */
export function sirenOption(input: string | undefined): string {
  if (input === undefined) throw new UsageError('Indiquez --siren SIREN.')
  const check = checkSiren(input)
  if (!check.ok) throw new UsageError(`--siren : ${check.message}`)
  return check.siren
}

export const memberships: CommandGroup = {
  name: 'memberships',
  actions: {
    list: action({
      synopsis: '--siren SIREN',
      summary: "Liste les utilisateurs d'une entreprise : actifs (administrateurs et membres), demandes en attente, refusés et retirés.",
      options: { siren: { type: 'string' } },
      async run({ values, db }) {
        const siren = sirenOption(values.siren)
        const company = await createCompanyQueries(db).find(siren)
        if (!company) throw new NotFoundError(`Aucune entreprise de Siren ${siren} dans l'annuaire.`)
        const members = await createMembershipQueries(db).everyMemberOf(siren)
        const rows = members.map((member) => [member.user.email, fullName(member.user), ROLE_LABEL[member.role], STATUS_LABEL[member.status], frenchTime(member.requestedAt), member.decidedAt ? frenchTime(member.decidedAt) : ''])
        return {
          text: `${company.name} (${siren})\n${columns(['adresse', 'nom', 'rôle', 'état', 'demandé le', 'décidé le'], rows, 'Aucun utilisateur.')}`,
          json: { siren, name: company.name, members },
        }
      },
    }),
  },
}
