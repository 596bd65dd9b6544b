import { parseArgs } from 'node:util'
import { loadConfig } from '../config'
import { createHeldRequestDesk } from '../held-requests'
import { createMembershipQueries } from '../queries/memberships'
import { OPERATOR, UsageError, type CommandGroup } from './command'
import { withMigratedDatabase } from './database'

const time = (date: Date) => date.toLocaleString('fr-FR', { timeZone: 'Europe/Paris', dateStyle: 'short', timeStyle: 'short' })

/** `memberships escalated`: the pending requests whose requester asked the Opcommerce for help, oldest first. */
async function escalated(args: string[]): Promise<void> {
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

/**
 * Requests held for the Opcommerce while their company was under protection: listed
 * (`pending-confirmation`), then filed as a right code would be (`confirm`) or refused (`reject`).
 */
async function held(action: string, args: string[]): Promise<void> {
  const config = loadConfig()
  const { values } = parseArgs({ args, strict: true, options: { email: { type: 'string' }, siren: { type: 'string' } } })
  await withMigratedDatabase(config, async (db) => {
    const desk = createHeldRequestDesk({ config, db })
    if (action === 'pending-confirmation') {
      const requests = await desk.pending()
      if (requests.length === 0) console.log("Aucune demande en attente de vérification par l'Opcommerce.")
      for (const request of requests) {
        const code = request.codeMatched ? 'code adhérent correct' : 'code adhérent faux'
        console.log(
          `${request.siren} (${request.companyName ?? "inconnue de l'annuaire"}) — ${request.givenName} ${request.familyName} <${request.email}> — ${code}, ${request.attempts} essai(s), le ${time(request.createdAt)}`,
        )
      }
      return
    }
    if (!values.email || !values.siren) throw new UsageError('Indiquez --email et --siren.')
    if (action === 'confirm') {
      const outcome = await desk.confirm(values.email, values.siren, OPERATOR, new Date())
      const said = {
        admin: 'devient administrateur de son accès',
        member_by_domain: "y a accès (domaine de messagerie déclaré par l'entreprise)",
        pending: "a envoyé une demande d'accès à ses administrateurs",
        already_active: 'y avait déjà accès',
        already_pending: "avait déjà une demande d'accès en attente",
      }[outcome]
      console.log(`Demande confirmée : ${values.email} ${said} (Siren ${values.siren}). Un email l'en informe.`)
    } else {
      await desk.reject(values.email, values.siren, OPERATOR, new Date())
      console.log(`Demande refusée : ${values.email} (Siren ${values.siren}). Un email l'en informe.`)
    }
  })
}

async function membershipsCommand(action: string | undefined, args: string[]): Promise<void> {
  if (action === 'escalated') return escalated(args)
  if (action === 'pending-confirmation' || action === 'confirm' || action === 'reject') return held(action, args)
  throw new UsageError(`Action inconnue : memberships ${action ?? ''}`)
}

export const memberships: CommandGroup = {
  usage: `  memberships escalated [--json]   (demandes d'accès transmises à l'Opcommerce par « Contacter l'Opcommerce »)
  memberships pending-confirmation (demandes en attente de vérification par l'Opcommerce)
  memberships confirm --email EMAIL --siren SIREN
  memberships reject --email EMAIL --siren SIREN`,
  run: membershipsCommand,
}
