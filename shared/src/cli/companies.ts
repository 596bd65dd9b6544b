import { readFileSync } from 'node:fs'
import { importCompanies, STRONG_CODE_LENGTH } from '../company-import'
import { loadConfig } from '../config'
import { ConfigError } from '../errors'
import { createHeldRequestDesk } from '../held-requests'
import { recordAudit } from '../queries/audit'
import { OPERATOR, UsageError, type CommandGroup } from './command'
import { withMigratedDatabase } from './database'

const time = (date: Date) => date.toLocaleString('fr-FR', { timeZone: 'Europe/Paris', dateStyle: 'short', timeStyle: 'short' })

/** `companies under-attack`: the companies whose daily budget of code checks is spent. */
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

export const companies: CommandGroup = {
  usage: `  companies import FICHIER.csv     (colonnes siren;name;code_adherent)
  companies under-attack           (entreprises sous protection : trop de codes adhérent faux aujourd'hui)`,
  run: companiesCommand,
}
