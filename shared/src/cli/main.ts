import { readFileSync } from 'node:fs'
import { userInfo } from 'node:os'
import { parseArgs } from 'node:util'
import { buildClient, GRANT_TYPES } from '../clients'
import { importCompanies, STRONG_CODE_LENGTH } from '../company-import'
import { loadConfig } from '../config'
import { ConfigError, isAppError } from '../errors'
import { createHeldRequestDesk } from '../held-requests'
import { runMain } from '../process'
import { recordAudit } from '../queries/audit'
import { createClientQueries } from '../queries/clients'
import { createSigningKey, KEY_PUBLICATION_DELAY, listSigningKeys, retireSigningKey } from '../signing-keys'
import { withMigratedDatabase } from './database'

const USAGE = `Utilisation : npm run cli -- <commande>

  clients create --client-id ID [--client-secret S | --public] [--redirect-uri URI]…
                 [--post-logout-redirect-uri URI]… [--grant-type ${GRANT_TYPES.join('|')}]…
                 [--scope "openid profile email companies"] [--name NOM] [--description TEXTE]
                 [--url URL] [--initiate-login-uri URL] [--tool] [--first-party] [--position N]
  clients list
  clients delete --client-id ID
  companies import FICHIER.csv     (colonnes siren;name;code_adherent)
  companies under-attack           (entreprises sous protection : trop de codes adhérent faux aujourd'hui)
  memberships pending-confirmation (demandes en attente de vérification par l'Opcommerce)
  memberships confirm --email EMAIL --siren SIREN
  memberships reject --email EMAIL --siren SIREN
  keys list
  keys rotate                      (nouvelle clé de signature des jetons, active dans 5 minutes)
  keys retire --kid KID            (un jour après qu'elle a cessé de signer)`

/** Who acts in the audit trail: the operator account running the command. */
const OPERATOR = `cli:${userInfo().username}`

class UsageError extends ConfigError {
  constructor(message: string) {
    super(`${message}\n\n${USAGE}`)
  }
}

async function clientsCommand(action: string | undefined, args: string[]): Promise<void> {
  const config = loadConfig()
  const { values } = parseArgs({
    args,
    strict: true,
    options: {
      'client-id': { type: 'string' },
      'client-secret': { type: 'string' },
      public: { type: 'boolean' },
      'redirect-uri': { type: 'string', multiple: true },
      'post-logout-redirect-uri': { type: 'string', multiple: true },
      'grant-type': { type: 'string', multiple: true },
      scope: { type: 'string' },
      name: { type: 'string' },
      description: { type: 'string' },
      url: { type: 'string' },
      'initiate-login-uri': { type: 'string' },
      tool: { type: 'boolean' },
      'first-party': { type: 'boolean' },
      position: { type: 'string' },
    },
  })
  await withMigratedDatabase(config, async (db) => {
    const clients = createClientQueries(db)
    if (action === 'create') {
      const { client, generatedSecret } = buildClient({
        clientId: values['client-id'] ?? '',
        clientSecret: values['client-secret'],
        public: values.public,
        redirectUris: values['redirect-uri'],
        postLogoutRedirectUris: values['post-logout-redirect-uri'],
        grantTypes: values['grant-type'] as (typeof GRANT_TYPES)[number][] | undefined,
        scope: values.scope,
        name: values.name,
        description: values.description,
        url: values.url,
        initiateLoginUri: values['initiate-login-uri'],
        tool: values.tool,
        firstParty: values['first-party'],
        position: values.position === undefined ? undefined : Number(values.position),
      }, config.secrets.signingKeysSecret)
      const existed = Boolean(await clients.find(client.clientId))
      await clients.save(client)
      await recordAudit(db, { type: 'client.saved', actor: OPERATOR, subject: client.clientId, details: { grants: client.metadata.grant_types } })
      console.log(`Client « ${client.clientId} » ${existed ? 'mis à jour' : 'créé'} (${client.metadata.grant_types.join(', ')}).`)
      if (generatedSecret) console.log(`Secret généré, à transmettre à l'équipe de l'application (il ne sera plus affiché) :\n${generatedSecret}`)
    } else if (action === 'list') {
      const all = await clients.list()
      if (all.length === 0) console.log('Aucun client enregistré.')
      for (const client of all) {
        const flags = [client.firstParty && 'interne', client.tool && 'outil', !client.enabled && 'désactivé'].filter(Boolean).join(', ')
        console.log(`${client.clientId} — ${client.name}${flags ? ` [${flags}]` : ''}`)
        console.log(`  grants : ${client.metadata.grant_types.join(', ')} ; scope : ${client.metadata.scope ?? ''}`)
        for (const uri of client.metadata.redirect_uris) console.log(`  redirect_uri : ${uri}`)
      }
    } else if (action === 'delete') {
      const clientId = values['client-id']
      if (!clientId) throw new UsageError('Indiquez --client-id.')
      if (!(await clients.remove(clientId))) throw new ConfigError(`Aucun client « ${clientId} ».`)
      await recordAudit(db, { type: 'client.deleted', actor: OPERATOR, subject: clientId })
      console.log(`Client « ${clientId} » supprimé.`)
    } else throw new UsageError(`Action inconnue : clients ${action ?? ''}`)
  })
}

async function companiesCommand(action: string | undefined, args: string[]): Promise<number> {
  if (action === 'under-attack' && args.length === 0) {
    await companiesUnderAttack()
    return 0
  }
  if (action !== 'import' || args.length !== 1) throw new UsageError('Utilisez : companies import FICHIER.csv, ou companies under-attack')
  const config = loadConfig()
  let csv: string
  try {
    csv = readFileSync(args[0]!, 'utf8')
  } catch (error) {
    throw new ConfigError(`Fichier illisible : ${args[0]} (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`)
  }
  const report = await withMigratedDatabase(config, async (db) => {
    const imported = await importCompanies(db, csv, config.secrets.memberCodeHmacKey)
    const { rejected, weakCodes, ...counts } = imported
    await recordAudit(db, { type: 'companies.imported', actor: OPERATOR, subject: args[0], details: { ...counts, rejected: rejected.length, weakCodes: weakCodes.length } })
    return imported
  })
  console.log(`${report.created} entreprise(s) créée(s), ${report.updated} mise(s) à jour, ${report.unchanged} inchangée(s).`)
  if (report.weakCodes.length > 0) {
    console.log(
      `Attention : ${report.weakCodes.length} code(s) adhérent faible(s) (moins de ${STRONG_CODE_LENGTH} caractères, ou uniquement des chiffres), plus faciles à deviner : lignes ${report.weakCodes.join(', ')}.`,
    )
  }
  if (report.rejected.length > 0) {
    console.log(`${report.rejected.length} ligne(s) rejetée(s) :`)
    for (const { line, reason } of report.rejected) console.log(`  ligne ${line} : ${reason}`)
  }
  return report.rejected.length > 0 ? 2 : 0
}

async function companiesUnderAttack(): Promise<void> {
  const config = loadConfig()
  await withMigratedDatabase(config, async (db) => {
    const companies = await createHeldRequestDesk({ config, db }).underProtection(new Date())
    if (companies.length === 0) console.log('Aucune entreprise sous protection.')
    for (const company of companies) {
      console.log(
        `${company.siren} — ${company.name ?? "inconnue de l'annuaire"} — sous protection depuis le ${time(company.since)}, jusqu'au ${time(company.until)} — ${company.wrongCodes} code(s) faux, ${company.heldRequests} demande(s) en attente de vérification`,
      )
    }
  })
}

async function membershipsCommand(action: string | undefined, args: string[]): Promise<void> {
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
    if (action !== 'confirm' && action !== 'reject') throw new UsageError(`Action inconnue : memberships ${action ?? ''}`)
    if (!values.email || !values.siren) throw new UsageError('Indiquez --email et --siren.')
    if (action === 'confirm') {
      const outcome = await desk.confirm(values.email, values.siren, OPERATOR, new Date())
      const said = {
        admin: 'devient administrateur de son accès',
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

const time = (date: Date) => date.toLocaleString('fr-FR', { timeZone: 'Europe/Paris', dateStyle: 'short', timeStyle: 'short' })

async function keysCommand(action: string | undefined, args: string[]): Promise<void> {
  const config = loadConfig()
  const { values } = parseArgs({ args, strict: true, options: { kid: { type: 'string' } } })
  await withMigratedDatabase(config, async (db) => {
    if (action === 'rotate') {
      const now = new Date()
      const kid = await createSigningKey(db, config.secrets.signingKeysSecret, now)
      await recordAudit(db, { type: 'signing_key.created', actor: OPERATOR, subject: kid })
      const from = new Date(now.getTime() + KEY_PUBLICATION_DELAY)
      console.log(`Clé ${kid} créée : publiée dès maintenant, elle signera les jetons à partir du ${time(from)}.`)
    } else if (action === 'list') {
      const keys = await listSigningKeys(db, new Date())
      if (keys.length === 0) console.log("Aucune clé : l'idp en créera une à son premier démarrage.")
      for (const key of keys) {
        const state = {
          signing: 'signe les jetons',
          upcoming: `publiée, signera à partir du ${key.since ? time(key.since) : ''}`,
          verifying: `publiée pour vérification, ne signe plus depuis le ${key.since ? time(key.since) : ''}`,
        }[key.state]
        console.log(`${key.kid} — créée le ${time(key.createdAt)} — ${state}`)
      }
    } else if (action === 'retire') {
      if (!values.kid) throw new UsageError('Indiquez --kid.')
      const { outcome, notBefore } = await retireSigningKey(db, values.kid, new Date())
      if (outcome === 'unknown') throw new ConfigError(`Aucune clé active « ${values.kid} ».`)
      if (outcome === 'signing') throw new ConfigError('Cette clé signe encore les jetons (ou va les signer) : faites d\'abord « keys rotate ».')
      if (outcome === 'too_soon') throw new ConfigError(`Des jetons signés par cette clé sont encore valides : retirez-la après le ${time(notBefore!)}.`)
      await recordAudit(db, { type: 'signing_key.retired', actor: OPERATOR, subject: values.kid })
      console.log(`Clé ${values.kid} retirée : elle ne sera plus publiée d'ici une minute.`)
    } else throw new UsageError(`Action inconnue : keys ${action ?? ''}`)
  })
}

runMain(async () => {
  const [command, action, ...args] = process.argv.slice(2)
  try {
    if (command === 'clients') await clientsCommand(action, args)
    else if (command === 'companies') process.exitCode = await companiesCommand(action, args)
    else if (command === 'keys') await keysCommand(action, args)
    else if (command === 'memberships') await membershipsCommand(action, args)
    else throw new UsageError(command ? `Commande inconnue : ${command}` : 'Indiquez une commande.')
  } catch (error) {
    if (isAppError(error) && error.expose) throw new ConfigError(error.message)
    if (error instanceof TypeError && 'code' in error && String(error.code).startsWith('ERR_PARSE_ARGS')) throw new UsageError(error.message)
    throw error
  }
})
