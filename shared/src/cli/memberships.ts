import { NotFoundError } from '../errors'
import { createHeldRequestDesk } from '../held-requests'
import { createCompanyQueries } from '../queries/companies'
import { createMembershipQueries } from '../queries/memberships'
import { checkSiren } from '../siren'
import { fullName } from '../users'
import { action, columns, frenchTime, OPERATOR, UsageError, type CommandGroup } from './command'
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

    escalated: action({
      synopsis: '',
      summary: "Liste les demandes d'accès en attente que leur auteur a transmises à l'Opcommerce (« Contacter l'Opcommerce »), les plus anciennes d'abord, avec les administrateurs qui n'ont pas répondu.",
      options: {},
      async run({ db }) {
        const requests = await createMembershipQueries(db).escalatedRequests()
        const text = requests.flatMap((request) => [
          `${request.siren} ${request.companyName} — ${fullName(request.user)} <${request.user.email}> (utilisateur ${request.user.id})`,
          `  demandée le ${frenchTime(request.requestedAt)}, transmise le ${frenchTime(request.escalatedAt)}${request.lastReminderAt ? `, relancée le ${frenchTime(request.lastReminderAt)}` : ''}`,
          `  administrateurs : ${request.adminEmails.join(', ') || 'aucun'}`,
        ])
        return { text: text.length > 0 ? text.join('\n') : "Aucune demande d'accès transmise à l'Opcommerce en attente.", json: requests }
      },
    }),

    'pending-confirmation': action({
      synopsis: '',
      summary: "Liste les demandes retenues pour vérification par l'Opcommerce pendant qu'une entreprise était sous protection (companies under-attack) : qui, quelle entreprise, si le code adhérent était le bon.",
      options: {},
      async run({ config, db }) {
        const requests = await createHeldRequestDesk({ config, db }).pending()
        const text = requests.map((request) => {
          const code = request.codeMatched ? 'code adhérent correct' : 'code adhérent faux'
          return `${request.siren} (${request.companyName ?? "inconnue de l'annuaire"}) — ${request.givenName} ${request.familyName} <${request.email}> — ${code}, ${request.attempts} essai(s), le ${frenchTime(request.createdAt)}`
        })
        return { text: text.length > 0 ? text.join('\n') : "Aucune demande en attente de vérification par l'Opcommerce.", json: requests }
      },
    }),

    confirm: action({
      synopsis: '--email EMAIL --siren SIREN',
      summary: "Confirme une demande retenue dont le code adhérent était le bon : elle suit son cours comme si la protection n'avait pas eu lieu (administrateur, ou demande d'accès aux administrateurs) ; la personne est prévenue par email.",
      options: { email: { type: 'string' }, siren: { type: 'string' } },
      async run({ values, config, db, now }) {
        if (!values.email || !values.siren) throw new UsageError('Indiquez --email et --siren.')
        const outcome = await createHeldRequestDesk({ config, db }).confirm(values.email, values.siren, OPERATOR, now())
        const said = {
          admin: 'devient administrateur de son accès',
          member_by_domain: "y a accès (domaine de messagerie déclaré par l'entreprise)",
          pending: "a envoyé une demande d'accès à ses administrateurs",
          already_active: 'y avait déjà accès',
          already_pending: "avait déjà une demande d'accès en attente",
        }[outcome]
        return { text: `Demande confirmée : ${values.email} ${said} (Siren ${values.siren}). Un email l'en informe.`, json: { email: values.email, siren: values.siren, outcome } }
      },
    }),

    reject: action({
      synopsis: '--email EMAIL --siren SIREN',
      summary: 'Refuse une demande retenue pour vérification ; la personne est prévenue par email.',
      options: { email: { type: 'string' }, siren: { type: 'string' } },
      async run({ values, config, db, now }) {
        if (!values.email || !values.siren) throw new UsageError('Indiquez --email et --siren.')
        await createHeldRequestDesk({ config, db }).reject(values.email, values.siren, OPERATOR, now())
        return { text: `Demande refusée : ${values.email} (Siren ${values.siren}). Un email l'en informe.`, json: { email: values.email, siren: values.siren, rejected: true } }
      },
    }),
  },
}
