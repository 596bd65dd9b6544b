import { parse } from 'csv-parse/sync'
import { hashMemberCode, normalizeMemberCode } from './companies'
import type { Knex } from './db/knex'
import { BadRequestError } from './errors'
import { createCompanyQueries, type Company } from './queries/companies'
import { checkSiren } from './siren'

const COMPANY_CSV_HEADER = ['siren', 'name', 'code_adherent'] as const

export interface ImportReport {
  created: number
  updated: number
  unchanged: number
  rejected: { line: number; reason: string }[]
  /** Lines whose code adhérent is easy to guess (imported all the same). */
  weakCodes: number[]
}

/**
 * A code adhérent shorter than this, or made of digits only, is reported as weak: with 20
 * checks a day per company (docs/SECURITY.md), a 4-digit code falls in about 250 days on
 * average, a random 8-character one of letters and digits practically never.
 */
export const STRONG_CODE_LENGTH = 8

const isWeakCode = (code: string) => code.length < STRONG_CODE_LENGTH || /^\d+$/u.test(code)

/**
 * Loads the company directory from a `siren;name;code_adherent` CSV. Idempotent: a company
 * already known is updated only when its name or code changed. Bad lines are reported with
 * their line number and reason; the good ones are imported anyway.
 */
export async function importCompanies(db: Knex, csv: string, hmacKey: string): Promise<ImportReport> {
  let rows: { record: string[]; info: { lines: number } }[]
  try {
    rows = parse(csv, { delimiter: ';', bom: true, trim: true, skip_empty_lines: true, relax_column_count: true, info: true }) as unknown as typeof rows
  } catch (error) {
    const line = (error as { lines?: number }).lines
    throw new BadRequestError(`Fichier CSV illisible${line ? ` (ligne ${line})` : ''} : ${(error as Error).message}`)
  }
  const [header, ...lines] = rows
  if (!header || header.record.map((cell) => cell.toLowerCase()).join(';') !== COMPANY_CSV_HEADER.join(';')) {
    throw new BadRequestError(`La première ligne doit être l'en-tête « ${COMPANY_CSV_HEADER.join(';')} ».`)
  }

  const rejected: ImportReport['rejected'] = []
  const weakCodes: number[] = []
  const companies = new Map<string, Company & { line: number }>()
  for (const { record, info } of lines) {
    const line = info.lines
    if (record.length !== COMPANY_CSV_HEADER.length) {
      rejected.push({ line, reason: `${record.length} colonnes au lieu de ${COMPANY_CSV_HEADER.length}` })
      continue
    }
    const [sirenInput, name, code] = record as [string, string, string]
    const siren = checkSiren(sirenInput)
    if (!siren.ok) rejected.push({ line, reason: `Siren « ${sirenInput} » : ${siren.message}` })
    else if (name === '') rejected.push({ line, reason: 'nom manquant' })
    else if (name.length > 200) rejected.push({ line, reason: 'nom de plus de 200 caractères' })
    else if (!/^[A-Z0-9-]{1,64}$/u.test(normalizeMemberCode(code))) {
      rejected.push({ line, reason: 'code adhérent manquant ou invalide (lettres, chiffres et tirets, 64 au plus)' })
    } else if (companies.has(siren.siren)) {
      rejected.push({ line, reason: `Siren ${siren.siren} déjà présent ligne ${companies.get(siren.siren)!.line}` })
    } else {
      if (isWeakCode(normalizeMemberCode(code))) weakCodes.push(line)
      companies.set(siren.siren, { siren: siren.siren, name, memberCodeHash: hashMemberCode(code, hmacKey), line })
    }
  }

  const report: ImportReport = { created: 0, updated: 0, unchanged: 0, rejected, weakCodes }
  if (companies.size === 0) return report
  const written = await createCompanyQueries(db).save([...companies.values()].map(({ siren, name, memberCodeHash }) => ({ siren, name, memberCodeHash })))
  report.created = written.filter((row) => row.inserted).length
  report.updated = written.length - report.created
  report.unchanged = companies.size - written.length
  return report
}
