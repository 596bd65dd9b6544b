import { parseArgs } from 'node:util'
import { loadConfig } from '../config'
import { ConfigError } from '../errors'
import { enqueueMail } from '../mail/outbox'
import { recordAudit } from '../queries/audit'
import { createSecondFactorQueries } from '../queries/second-factors'
import { createUserQueries } from '../queries/users'
import { OPERATOR, UsageError, type CommandGroup } from './command'
import { withMigratedDatabase } from './database'

/**
 * `users reset-2fa --email ADDRESS`: removes every second factor of a person who lost them all
 * (passkeys, authenticator app, recovery codes), once the operator has checked who is asking.
 * Audited under the operator's name; the person is mailed. The password is untouched: the
 * person logs in with it and configures a second factor again.
 */
async function usersCommand(action: string | undefined, args: string[]): Promise<void> {
  if (action !== 'reset-2fa') throw new UsageError(`Action inconnue : users ${action ?? ''}`)
  const { values } = parseArgs({ args, strict: true, options: { email: { type: 'string' } } })
  if (!values.email) throw new UsageError('Indiquez --email.')
  const config = loadConfig()
  await withMigratedDatabase(config, async (db) => {
    const user = await createUserQueries(db).findByEmail(values.email!)
    if (!user) throw new ConfigError(`Aucun compte pour ${values.email}.`)
    const removed = await db.transaction(async (trx) => {
      const count = await createSecondFactorQueries(trx).removeAll(user.id)
      await recordAudit(trx, { type: 'two_factor.reset_by_operator', actor: OPERATOR, subject: user.id, details: { factorsRemoved: count } })
      await enqueueMail(trx, user.email, 'two_factor_reset', { accountUrl: `${config.idp.issuer}/compte/double-authentification` })
      return count
    })
    console.log(`Double authentification de ${user.email} réinitialisée : ${removed} facteur(s) retiré(s), codes de récupération supprimés. Un email l'en informe.`)
  })
}

export const users: CommandGroup = {
  usage: `  users reset-2fa --email ADRESSE   (retire clés d'accès, application et codes de récupération ; audité, la personne reçoit un email)`,
  run: usersCommand,
}
