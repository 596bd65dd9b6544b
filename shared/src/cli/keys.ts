import { parseArgs } from 'node:util'
import { loadConfig } from '../config'
import { ConfigError } from '../errors'
import { recordAudit } from '../queries/audit'
import { createSigningKey, KEY_PUBLICATION_DELAY, listSigningKeys, retireSigningKey } from '../signing-keys'
import { OPERATOR, UsageError, type CommandGroup } from './command'
import { withMigratedDatabase } from './database'

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

export const keys: CommandGroup = {
  usage: `  keys list
  keys rotate                      (nouvelle clé de signature des jetons, active dans 5 minutes)
  keys retire --kid KID            (un jour après qu'elle a cessé de signer)`,
  run: keysCommand,
}
