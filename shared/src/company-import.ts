import type { Readable } from 'node:stream'
import { CsvError, parse } from 'csv-parse'
import { hashMemberCode, normalizeMemberCode } from './companies'
import type { Knex } from './db/knex'
import { BadRequestError } from './errors'
import { createCompanyQueries, type Company } from './queries/companies'
import { checkSiren } from './siren'

const COMPANY_CSV_HEADER = ['siren', 'name', 'code_adherent'] as const

/** What stops csv-parse, said to the operator. */
const CSV_PROBLEMS: Partial<Record<string, string>> = {
  CSV_QUOTE_NOT_CLOSED: "un guillemet ouvert n'est jamais fermé",
  CSV_INVALID_CLOSING_QUOTE: "un guillemet fermant est suivi d'autre chose que « ; » ou d'une fin de ligne",
  CSV_NON_TRIMABLE_CHAR_AFTER_CLOSING_QUOTE: "un guillemet fermant est suivi d'autre chose que « ; » ou d'une fin de ligne",
}

/** Companies per statement: a few round trips for the whole directory, 3 parameters each. */
export const IMPORT_BATCH_SIZE = 5_000

export interface ImportReport {
  /** Data lines read (the header and empty lines aside). */
  lines: number
  created: number
  updated: number
  unchanged: number
  rejected: { line: number; reason: string }[]
  /** Lines whose code adhérent is easy to guess (imported all the same). */
  weakCodes: number[]
  /** Nothing was written: the counts say what an import would do. */
  dryRun: boolean
}

/**
 * A code adhérent shorter than this, or made of digits only, is reported as weak: with 20
 * checks a day per company (docs/SECURITY.md), a 4-digit code falls in about 250 days on
 * average, a random 8-character one of letters and digits practically never.
 */
export const STRONG_CODE_LENGTH = 8

const isWeakCode = (code: string) => code.length < STRONG_CODE_LENGTH || /^\d+$/u.test(code)

export interface ImportOptions {
  hmacKey: string
  /** Validates and counts what would change, without writing. */
  dryRun?: boolean
  batchSize?: number
  /** Called after each batch with the number of data lines read so far. */
  onProgress?: (lines: number) => void
}

/**
 * Loads the company directory from a `siren;name;code_adherent` CSV, read as a stream and
 * written in batches, each in its own statement, so a file of any size fits in memory and the
 * database is never held for long. Idempotent: a company already known is written only when its
 * name or code changed, so a second import of the same file writes nothing. Bad lines are
 * reported with their line number and reason; the good ones are imported anyway. A file the CSV
 * parser cannot read further (a quote never closed) stops the import at that line, the batches
 * before it written: import the corrected file again.
 */
export async function importCompanies(db: Knex, input: Readable, options: ImportOptions): Promise<ImportReport> {
  const { hmacKey, dryRun = false, batchSize = IMPORT_BATCH_SIZE, onProgress } = options
  const companies = createCompanyQueries(db)
  const report: ImportReport = { lines: 0, created: 0, updated: 0, unchanged: 0, rejected: [], weakCodes: [], dryRun }
  /** The line of each SIREN seen, to name the first one in a duplicate's reason. */
  const seen = new Map<number, number>()
  let batch: Company[] = []
  /** The batch being written while the next one is read: one at a time, in order. */
  let writing: Promise<void> = Promise.resolve()

  const write = async (written: Company[]) => {
    const counts = dryRun ? await companies.countChanges(written) : await companies.save(written)
    report.created += counts.created
    report.updated += counts.updated
    report.unchanged += written.length - counts.created - counts.updated
    onProgress?.(report.lines)
  }
  const flush = async () => {
    if (batch.length === 0) return
    const full = batch
    batch = []
    await writing
    writing = write(full)
    writing.catch(() => {}) // awaited at the next flush or at the end, which throw its error
  }

  // csv-parse's `info` (line numbers) costs more than the parsing itself: lines are counted
  // here, one per record plus the line breaks inside its quoted fields.
  const parser = input.pipe(parse({ delimiter: ';', bom: true, trim: true, relax_column_count: true, relax_quotes: true }))
  input.once('error', (error) => parser.destroy(error))
  let line = 0
  let header = true
  try {
    for await (const record of parser as AsyncIterable<string[]>) {
      const first = line + 1 // a record spans one line, more when a quoted field holds line breaks
      line += 1 + record.reduce((breaks, field) => breaks + lineBreaksIn(field), 0)
      if (record.length === 1 && record[0] === '') continue // an empty line
      if (header) {
        if (record.map((cell) => cell.toLowerCase()).join(';') !== COMPANY_CSV_HEADER.join(';')) {
          throw new BadRequestError(`La première ligne doit être l'en-tête « ${COMPANY_CSV_HEADER.join(';')} ».`)
        }
        header = false
        continue
      }
      report.lines++
      const company = checkLine(record, first, seen, hmacKey)
      if ('reason' in company) report.rejected.push(company)
      else {
        if (company.weak) report.weakCodes.push(first)
        batch.push({ siren: company.siren, name: company.name, memberCodeHash: company.memberCodeHash })
        if (batch.length >= batchSize) await flush()
      }
    }
    if (header) throw new BadRequestError(`Fichier vide : la première ligne doit être l'en-tête « ${COMPANY_CSV_HEADER.join(';')} ».`)
    await flush()
    await writing
  } catch (error) {
    if (!(error instanceof CsvError)) {
      await writing.catch(() => {})
      throw error
    }
    await flush() // the lines before the unreadable one are good: they are imported
    await writing
    const written = report.created + report.updated + report.unchanged > 0 && !dryRun
    throw new BadRequestError(
      `Fichier CSV illisible à partir de la ligne ${line + 1} : ${CSV_PROBLEMS[error.code] ?? error.message}.${written ? ' Les lignes valides qui précèdent sont importées ; corrigez le fichier et importez-le de nouveau.' : ''}`,
    )
  }
  return report
}

function lineBreaksIn(field: string): number {
  let breaks = 0
  for (let index = field.indexOf('\n'); index !== -1; index = field.indexOf('\n', index + 1)) breaks++
  return breaks
}

/** One data line: the company it describes, or why it is rejected. */
function checkLine(record: string[], line: number, seen: Map<number, number>, hmacKey: string): (Company & { weak: boolean }) | { line: number; reason: string } {
  if (record.length !== COMPANY_CSV_HEADER.length) return { line, reason: `${record.length} colonnes au lieu de ${COMPANY_CSV_HEADER.length}` }
  const [sirenInput, name, code] = record as [string, string, string]
  const siren = checkSiren(sirenInput)
  if (!siren.ok) return { line, reason: `Siren « ${sirenInput} » : ${siren.message}` }
  if (name === '') return { line, reason: 'nom manquant' }
  if (name.length > 200) return { line, reason: 'nom de plus de 200 caractères' }
  if (name.includes('\uFFFD')) return { line, reason: 'nom illisible : le fichier doit être enregistré en UTF-8' }
  if (/\p{Cc}/u.test(name)) return { line, reason: 'nom sur plusieurs lignes ou avec des caractères de contrôle' }
  const normalizedCode = normalizeMemberCode(code)
  if (!/^[A-Z0-9-]{1,64}$/u.test(normalizedCode)) {
    return { line, reason: 'code adhérent manquant ou invalide (lettres, chiffres et tirets, 64 au plus)' }
  }
  const first = seen.get(Number(siren.siren))
  if (first !== undefined) return { line, reason: `Siren ${siren.siren} déjà présent ligne ${first}` }
  seen.set(Number(siren.siren), line)
  return { siren: siren.siren, name, memberCodeHash: hashMemberCode(code, hmacKey), weak: isWeakCode(normalizedCode) }
}
