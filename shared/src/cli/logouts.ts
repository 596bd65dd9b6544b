import { parseArgs } from 'node:util'
import { loadConfig } from '../config'
import { createLogoutDeliveryQueries } from '../queries/logout-deliveries'
import { UsageError, type CommandGroup } from './command'
import { withMigratedDatabase } from './database'

const time = (date: Date) => date.toLocaleString('fr-FR', { timeZone: 'Europe/Paris', dateStyle: 'short', timeStyle: 'short' })

const LOGOUT_STATUSES = { pending: 'en attente', sending: "en cours d'envoi", failed: 'abandonné' } as const

/** Back-channel logout tokens not delivered yet (retried) or given up: what the applications were not told. */
async function logoutsCommand(action: string | undefined, args: string[]): Promise<void> {
  const { values } = parseArgs({ args, strict: true, options: { status: { type: 'string' }, json: { type: 'boolean' } } })
  if (action !== 'list') throw new UsageError(`Action inconnue : logouts ${action ?? ''}`)
  const status = values.status
  if (status !== undefined && !(status in LOGOUT_STATUSES)) throw new UsageError(`Statut inconnu : ${status}`)
  await withMigratedDatabase(loadConfig(), async (db) => {
    const deliveries = await createLogoutDeliveryQueries(db).list(status as keyof typeof LOGOUT_STATUSES | undefined)
    if (values.json) return console.log(JSON.stringify(deliveries, null, 2))
    if (deliveries.length === 0) console.log('Aucun jeton de déconnexion en attente ni abandonné.')
    for (const delivery of deliveries) {
      const next = delivery.status === 'failed' ? '' : `, prochain essai le ${time(delivery.nextAttemptAt)}`
      console.log(`#${delivery.id} ${delivery.clientId} — utilisateur ${delivery.sub} — ${LOGOUT_STATUSES[delivery.status]} depuis le ${time(delivery.createdAt)} (${delivery.attempts} essai(s)${next})`)
      if (delivery.lastError) console.log(`  dernière erreur : ${delivery.lastError}`)
    }
  })
}

export const logouts: CommandGroup = {
  usage: `  logouts list [--status pending|sending|failed] [--json]
                                   (jetons de déconnexion pas encore remis aux applications)`,
  run: logoutsCommand,
}
