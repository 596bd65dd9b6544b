import { NotFoundError } from '../errors'
import { createHeldRequestDesk } from '../held-requests'
import { grantAccess, revokeAccess, type Decider, type GrantOutcome } from '../membership-decisions'
import { createCompanyQueries, type Company } from '../queries/companies'
import { createMembershipQueries, type Role } from '../queries/memberships'
import { fullName } from '../users'
import { action, columns, frenchTime, OPERATOR, UsageError, type CommandGroup } from './command'
import { lastAdministrator, lockCompany, ROLE_LABEL, sirenOption, STATUS_LABEL, userNamed } from './lookups'

const GRANTED: Record<GrantOutcome, (email: string, company: Company, role: Role) => string> = {
  activated: (email, company, role) => `Accès de ${email} à ${company.name} (${company.siren}) activé (rôle : ${ROLE_LABEL[role]}). Un email l'en informe.`,
  promoted: (email, company) => `${email} est désormais administrateur de ${company.name} (${company.siren}). Un email l'en informe.`,
  demoted: (email, company) => `${email} n'est plus administrateur de ${company.name} (${company.siren}) et garde son accès de membre. Un email l'en informe.`,
  unchanged: (email, company, role) => `${email} a déjà un accès actif à ${company.name} (${company.siren}) (rôle : ${ROLE_LABEL[role]}) : rien n'a changé.`,
}

const ROLES: Role[] = ['admin', 'member']

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

    grant: action({
      synopsis: '--siren SIREN --email EMAIL|ID --role admin|member',
      summary: `Donne à un utilisateur un accès actif à une entreprise avec ce rôle : un nouvel accès, une demande en attente acceptée, ou le rôle d'un membre changé ; il reçoit les mêmes emails que depuis le portail.
C'est le recours quand le seul administrateur d'une entreprise est parti : nommez-en un autre avec --role admin. Retirer le rôle au seul administrateur d'une entreprise qui a d'autres utilisateurs est refusé.`,
      options: { siren: { type: 'string' }, email: { type: 'string' }, role: { type: 'string' } },
      async run({ values, config, db, now }) {
        const siren = sirenOption(values.siren)
        const role = values.role as Role | undefined
        if (!role || !ROLES.includes(role)) throw new UsageError('--role attend admin ou member.')
        const user = await userNamed(db, values.email, '--email EMAIL|ID')
        const decider: Decider = { actor: OPERATOR, ip: null, at: now() }
        const { company, outcome } = await db.transaction(async (trx) => {
          const company = await lockCompany(trx, siren)
          return { company, outcome: await grantAccess(trx, config, company, user.id, role, decider, lastAdministrator(user.email)) }
        })
        return { text: GRANTED[outcome](user.email, company, role), json: { siren, userId: user.id, email: user.email, role, outcome } }
      },
    }),

    revoke: action({
      synopsis: '--siren SIREN --email EMAIL|ID',
      summary: `Retire l'accès actif d'un utilisateur à une entreprise ; il reçoit le même email que depuis le portail.
Refusé pour le seul administrateur d'une entreprise qui a d'autres utilisateurs : nommez d'abord un autre administrateur (memberships grant).`,
      options: { siren: { type: 'string' }, email: { type: 'string' } },
      async run({ values, db, now }) {
        const siren = sirenOption(values.siren)
        const user = await userNamed(db, values.email, '--email EMAIL|ID')
        const decider: Decider = { actor: OPERATOR, ip: null, at: now() }
        const company = await db.transaction(async (trx) => {
          const company = await lockCompany(trx, siren)
          if (!(await revokeAccess(trx, company, user.id, decider, lastAdministrator(user.email)))) {
            throw new NotFoundError(`${user.email} n'a pas d'accès actif à ${company.name} (${siren}).`)
          }
          return company
        })
        return { text: `Accès de ${user.email} à ${company.name} (${siren}) retiré. Un email l'en informe.`, json: { siren, userId: user.id, email: user.email, revoked: true } }
      },
    }),
  },
}
