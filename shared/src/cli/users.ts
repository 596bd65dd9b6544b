import type { Knex } from '../db/knex'
import { NotFoundError } from '../errors'
import { createAuditQueries } from '../queries/audit'
import { createMembershipQueries, type MembershipStatus, type Role } from '../queries/memberships'
import { createUserQueries, type UserRecord } from '../queries/users'
import { fullName } from '../users'
import { action, columns, EXIT, frenchTime, UsageError, wholeNumber, type CommandGroup } from './command'

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
  },
}
