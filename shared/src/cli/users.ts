import { deleteAccount } from '../account-deletion'
import { enqueueMail } from '../mail/outbox'
import { unlockLogins } from '../login-limits'
import { createAuditQueries, recordAudit } from '../queries/audit'
import { createMembershipQueries } from '../queries/memberships'
import { createSecondFactorQueries } from '../queries/second-factors'
import { createUserQueries, type UserRecord } from '../queries/users'
import { endSessionsOf } from '../sessions'
import { fullName } from '../users'
import { action, columns, EXIT, frenchTime, OPERATOR, UsageError, wholeNumber, type CommandGroup } from './command'
import { lastAdministrator, ROLE_LABEL, STATUS_LABEL, userNamed } from './lookups'

const validated = (user: UserRecord) => (user.emailVerifiedAt ? frenchTime(user.emailVerifiedAt) : 'non validée')

export const users: CommandGroup = {
  name: 'users',
  actions: {
    find: action({
      synopsis: '--email TEXTE [--limit N]',
      summary: `Cherche les utilisateurs dont l'adresse contient TEXTE (majuscules ou non ; une adresse entière, « @exemple.fr »…), par adresse (50 au plus par défaut).
Code de sortie 3 quand aucun ne correspond.`,
      options: { email: { type: 'string' }, limit: { type: 'string' } },
      async run({ values, db }) {
        const fragment = values.email?.trim()
        if (!fragment) throw new UsageError('Indiquez --email TEXTE.')
        const found = await createUserQueries(db).searchByEmail(fragment, wholeNumber(values.limit, 'limit', 50))
        const rows = found.map((user) => [user.email, fullName(user), user.id, frenchTime(user.createdAt), validated(user)])
        return {
          text: columns(['adresse', 'nom', 'id', 'inscrit le', 'adresse validée le'], rows, `Aucun utilisateur dont l'adresse contient « ${fragment} ».`),
          json: found,
          exitCode: found.length === 0 ? EXIT.notFound : EXIT.ok,
        }
      },
    }),

    show: action({
      synopsis: 'EMAIL|ID',
      summary: "Montre un utilisateur : identité, inscription, validation de l'adresse, dernière connexion, et ses entreprises (rôle et état de chaque accès).",
      options: {},
      positionals: 1,
      async run({ positionals, db }) {
        const user = await userNamed(db, positionals[0])
        const memberships = await createMembershipQueries(db).everyMembershipOf(user.id)
        const [lastLogin] = await createAuditQueries(db).list({ userId: user.id, type: 'login.succeeded', limit: 1 })
        const text = [
          `${fullName(user)} <${user.email}>`,
          `  id : ${user.id}`,
          `  inscrit le : ${frenchTime(user.createdAt)}`,
          `  adresse validée le : ${validated(user)}`,
          ...(user.disabledAt ? [`  désactivé le : ${frenchTime(user.disabledAt)}`] : []),
          `  dernière connexion : ${lastLogin ? `${frenchTime(lastLogin.at)}${lastLogin.ip ? ` depuis ${lastLogin.ip}` : ''}` : 'aucune'}`,
          '',
          columns(
            ['siren', 'entreprise', 'rôle', 'état', 'depuis le'],
            memberships.map((membership) => [membership.siren, membership.companyName, ROLE_LABEL[membership.role], STATUS_LABEL[membership.status], frenchTime(membership.decidedAt ?? membership.requestedAt)]),
            'Aucune entreprise.',
          ),
        ].join('\n')
        return { text, json: { ...user, lastLoginAt: lastLogin?.at ?? null, memberships } }
      },
    }),

    unlock: action({
      synopsis: 'EMAIL|ID',
      summary: `Rend à un compte son crédit d'essais de connexion (après trop de mots de passe faux, venus de navigateurs qui ne s'y étaient jamais connectés) : la personne peut se connecter de nouveau tout de suite.
Les limites par adresse IP ne changent pas.`,
      options: {},
      positionals: 1,
      async run({ positionals, db }) {
        const user = await userNamed(db, positionals[0])
        await unlockLogins(db, user.email)
        await recordAudit(db, { type: 'account.unlocked', actor: OPERATOR, subject: user.id })
        return { text: `Compte ${user.email} débloqué : ses essais de connexion repartent de zéro.`, json: { id: user.id, email: user.email, unlocked: true } }
      },
    }),

    disable: action({
      synopsis: 'EMAIL|ID',
      summary: `Désactive un compte : la personne ne peut plus se connecter, et chacune de ses sessions (idp, portail, jetons des applications) prend fin tout de suite. Rien n'est effacé ; users enable le rétablit.`,
      options: {},
      positionals: 1,
      async run({ positionals, db, now }) {
        const user = await userNamed(db, positionals[0])
        const ended = await db.transaction(async (trx) => {
          if (!(await createUserQueries(trx).disable(user.id, now()))) return undefined
          const sessions = await endSessionsOf(trx, user.id)
          await recordAudit(trx, { type: 'account.disabled', actor: OPERATOR, subject: user.id, details: { sessions } })
          return sessions
        })
        if (ended === undefined) return { text: `Le compte ${user.email} est déjà désactivé.`, json: { id: user.id, email: user.email, disabled: true, changed: false } }
        return { text: `Compte ${user.email} désactivé ; ${ended} session(s) ou jeton(s) terminé(s).`, json: { id: user.id, email: user.email, disabled: true, changed: true } }
      },
    }),

    enable: action({
      synopsis: 'EMAIL|ID',
      summary: 'Rétablit un compte désactivé : la personne peut de nouveau se connecter, avec ses entreprises et ses rôles.',
      options: {},
      positionals: 1,
      async run({ positionals, db, now }) {
        const user = await userNamed(db, positionals[0])
        const changed = await db.transaction(async (trx) => {
          if (!(await createUserQueries(trx).enable(user.id, now()))) return false
          await recordAudit(trx, { type: 'account.enabled', actor: OPERATOR, subject: user.id })
          return true
        })
        return { text: changed ? `Compte ${user.email} rétabli : la personne peut de nouveau se connecter.` : `Le compte ${user.email} n'est pas désactivé.`, json: { id: user.id, email: user.email, disabled: false, changed } }
      },
    }),

    delete: action({
      synopsis: 'EMAIL|ID',
      summary: `Supprime un compte : ses sessions prennent fin, ses accès aux entreprises sont retirés, son identité effacée (le journal d'audit ne garde de lui qu'un pseudonyme, comme pour « Fermer mon compte »).
Refusé tant que la personne est le seul administrateur d'une entreprise qui a d'autres utilisateurs : nommez-en d'abord un autre (memberships grant --role admin).`,
      options: {},
      positionals: 1,
      async run({ positionals, db }) {
        const user = await userNamed(db, positionals[0])
        const companies = await db.transaction(async (trx) => {
          const { pseudonym, companies: left } = await deleteAccount(trx, user, (blocked) => blocked.map(lastAdministrator(user.email)).join('\n'))
          await recordAudit(trx, { type: 'account.deleted', actor: OPERATOR, subject: pseudonym, details: { companies: left } })
          return left
        })
        return { text: `Compte ${user.email} supprimé${companies.length > 0 ? ` ; il quitte ${companies.length} entreprise(s)` : ''}.`, json: { id: user.id, email: user.email, deleted: true, companies } }
      },
    }),

    'reset-2fa': action({
      synopsis: 'EMAIL|ID',
      summary: `Retire tous les seconds facteurs d'une personne qui les a perdus (clés d'accès, application d'authentification, codes de récupération), une fois son identité vérifiée. Son mot de passe ne change pas : elle se connecte avec, puis configure un nouveau second facteur. Audité ; la personne reçoit un email.`,
      options: {},
      positionals: 1,
      async run({ positionals, db, config }) {
        const user = await userNamed(db, positionals[0])
        const removed = await db.transaction(async (trx) => {
          const count = await createSecondFactorQueries(trx).removeAll(user.id)
          await recordAudit(trx, { type: 'two_factor.reset_by_operator', actor: OPERATOR, subject: user.id, details: { factorsRemoved: count } })
          await enqueueMail(trx, user.email, 'two_factor_reset', { accountUrl: `${config.idp.issuer}/compte/double-authentification` })
          return count
        })
        return {
          text: `Double authentification de ${user.email} réinitialisée : ${removed} facteur(s) retiré(s), codes de récupération supprimés. Un email l'en informe.`,
          json: { id: user.id, email: user.email, factorsRemoved: removed },
        }
      },
    }),
  },
}
