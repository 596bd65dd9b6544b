import { readFileSync } from 'node:fs'
import { importCompanies } from '../company-import'
import { loadConfig } from '../config'
import { ConfigError } from '../errors'
import { recordAudit } from '../queries/audit'
import { OPERATOR, UsageError, type CommandGroup } from './command'
import { withMigratedDatabase } from './database'

async function companiesCommand(action: string | undefined, args: string[]): Promise<number> {
  if (action !== 'import' || args.length !== 1) throw new UsageError('Utilisez : companies import FICHIER.csv')
  const config = loadConfig()
  let csv: string
  try {
    csv = readFileSync(args[0]!, 'utf8')
  } catch (error) {
    throw new ConfigError(`Fichier illisible : ${args[0]} (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`)
  }
  const report = await withMigratedDatabase(config, async (db) => {
    const imported = await importCompanies(db, csv, config.secrets.memberCodeHmacKey)
    const { rejected, ...counts } = imported
    await recordAudit(db, { type: 'companies.imported', actor: OPERATOR, subject: args[0], details: { ...counts, rejected: rejected.length } })
    return imported
  })
  console.log(`${report.created} entreprise(s) créée(s), ${report.updated} mise(s) à jour, ${report.unchanged} inchangée(s).`)
  if (report.rejected.length > 0) {
    console.log(`${report.rejected.length} ligne(s) rejetée(s) :`)
    for (const { line, reason } of report.rejected) console.log(`  ligne ${line} : ${reason}`)
  }
  return report.rejected.length > 0 ? 2 : 0
}

export const companies: CommandGroup = {
  usage: '  companies import FICHIER.csv     (colonnes siren;name;code_adherent)',
  run: companiesCommand,
}
