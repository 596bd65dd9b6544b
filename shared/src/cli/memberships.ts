import { parseArgs } from 'node:util'
import { loadConfig } from '../config'
import { createMembershipQueries } from '../queries/memberships'
import { UsageError, type CommandGroup } from './command'
import { withMigratedDatabase } from './database'

const time = (date: Date) => date.toLocaleString('fr-FR', { timeZone: 'Europe/Paris', dateStyle: 'short', timeStyle: 'short' })

/** `memberships escalated`: the pending requests whose requester asked the Opcommerce for help, oldest first. */
async function membershipsCommand(action: string | undefined, args: string[]): Promise<void> {
  if (action !== 'escalated') throw new UsageError(`Action inconnue : memberships ${action ?? ''}`)
  const { values } = parseArgs({ args, strict: true, options: { json: { type: 'boolean' } } })
  const requests = await withMigratedDatabase(loadConfig(), (db) => createMembershipQueries(db).escalatedRequests())
  if (values.json) {
    console.log(JSON.stringify(requests, null, 2))
    return
  }
  if (requests.length === 0) console.log("Aucune demande d'accès transmise à l'Opcommerce en attente.")
  for (const request of requests) {
    console.log(`${request.siren} ${request.companyName} — ${request.user.givenName} ${request.user.familyName} <${request.user.email}> (utilisateur ${request.user.id})`)
    console.log(`  demandée le ${time(request.requestedAt)}, transmise le ${time(request.escalatedAt)}${request.lastReminderAt ? `, relancée le ${time(request.lastReminderAt)}` : ''}`)
    console.log(`  administrateurs : ${request.adminEmails.join(', ') || 'aucun'}`)
  }
}

export const memberships: CommandGroup = {
  usage: `  memberships escalated [--json]   (demandes d'accès transmises à l'Opcommerce par « Contacter l'Opcommerce »)`,
  run: membershipsCommand,
}
