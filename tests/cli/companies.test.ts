import { writeFileSync } from 'node:fs'
import path from 'node:path'
import { describe, expect, it } from '@jest/globals'
import { hashMemberCode } from '@opcommerce/shared/companies'
import { CLI_HMAC_KEY, OPERATOR_ACTOR, useCli } from '../support/cli'

/** The n-th valid SIREN of a range that starts at `from`: 8 digits, then the Luhn check digit. */
function siren(index: number, from = 20_000_000): string {
  const body = String(from + index)
  for (let check = 0; check < 10; check++) {
    const candidate = `${body}${check}`
    const sum = [...candidate].reverse().reduce((total, digit, position) => {
      const weighted = position % 2 === 1 ? Number(digit) * 2 : Number(digit)
      return total + (weighted > 9 ? weighted - 9 : weighted)
    }, 0)
    if (sum % 10 === 0) return candidate
  }
  throw new Error('unreachable')
}

interface ImportJson {
  lines: number
  created: number
  updated: number
  unchanged: number
  rejected: { line: number; reason: string }[]
  dryRun: boolean
}

describe('npm run cli -- companies import', () => {
  const cli = useCli()
  const file = (name: string, lines: string[]) => {
    const location = path.join(cli.env.DATA_DIR!, name)
    writeFileSync(location, lines.join('\n'))
    return location
  }
  const companiesCount = async () => Number((await cli.database.knex('companies').count({ count: '*' }))[0]!.count)

  it('imports the directory idempotently, reporting each rejected line with its number (exit code 2)', async () => {
    const directory = file('entreprises.csv', [
      'siren;name;code_adherent',
      '732 829 320;Opcommerce Test;ADH-1',
      '552100554;Autre Société;K7P2-XW9Q-4M',
      '123456789;Siren faux;ADH-3',
      '12345;Trop court;ADH-4',
      '356000000;;ADH-5',
      '356000000;Sans code;',
      '552100554;Doublon;ADH-6',
      'trop;de;colonnes;ici',
    ])
    const first = await cli.run(['companies', 'import', directory])
    expect(first.code).toBe(2)
    expect(first.stdout).toContain('2 entreprise(s) créée(s), 0 mise(s) à jour, 0 inchangée(s).')
    expect(first.stdout).toContain('6 ligne(s) rejetée(s) :')
    expect(first.stdout).toContain('Attention : 1 code(s) adhérent faible(s) (moins de 8 caractères, ou uniquement des chiffres), plus faciles à deviner : lignes 2.')
    expect(first.stdout).toContain("ligne 4 : Siren « 123456789 » : Ce Siren n'est pas valide : vérifiez les chiffres saisis.")
    expect(first.stdout).toContain('ligne 5 : Siren « 12345 » : Le Siren doit comporter exactement 9 chiffres.')
    expect(first.stdout).toContain('ligne 6 : nom manquant')
    expect(first.stdout).toContain('ligne 7 : code adhérent manquant ou invalide')
    expect(first.stdout).toContain('ligne 8 : Siren 552100554 déjà présent ligne 3')
    expect(first.stdout).toContain('ligne 9 : 4 colonnes au lieu de 3')
    expect(first.stderr).toMatch(/^8 lignes lues en \d+,\d s \([\d\s\u202f]+ lignes\/s\)$/mu)

    const company = await cli.database.knex('companies').where({ siren: '732829320' }).first()
    expect(company).toMatchObject({ name: 'Opcommerce Test', member_code_hash: hashMemberCode('ADH-1', CLI_HMAC_KEY) })
    const { rows } = await cli.database.knex.raw("select count(*)::int as count from companies where member_code_hash like '%ADH%' or name like '%ADH%'")
    expect(rows[0].count).toBe(0)
    expect(await cli.database.knex('audit_events').where({ type: 'companies.imported' }).first()).toMatchObject({
      actor: OPERATOR_ACTOR,
      subject: directory,
      details: { lines: 8, created: 2, updated: 0, unchanged: 0, rejected: 6, weakCodes: 1, dryRun: false },
    })

    const changed = file('entreprises-2.csv', ['siren;name;code_adherent', '732829320;Opcommerce Test;ADH-1', '552100554;Autre Société renommée;K7P2-XW9Q-4M'])
    const second = await cli.run(['companies', 'import', changed])
    expect(second.code).toBe(0)
    expect(second.stdout.trim().split('\n')[0]).toBe('0 entreprise(s) créée(s), 1 mise(s) à jour, 1 inchangée(s).')
    expect(await cli.database.knex('companies').where({ siren: '552100554' }).first()).toMatchObject({ name: 'Autre Société renommée' })
  })

  it('--dry-run reports what would change and writes nothing', async () => {
    const before = await companiesCount()
    const events = await cli.database.knex('audit_events').count({ count: '*' })
    const directory = file('simulation.csv', ['siren;name;code_adherent', '732829320;Opcommerce Test;ADH-1', '552100554;Nom changé;ADH-2', `${siren(1)};Nouvelle;ADH-7`, 'x;y;z'])
    const simulation = await cli.run(['companies', 'import', directory, '--dry-run'])
    expect(simulation.code).toBe(2)
    expect(simulation.stdout).toContain("Simulation, rien n'est écrit : 1 entreprise(s) à créer, 1 à mettre à jour, 1 inchangée(s).")
    expect(simulation.stdout).toContain('ligne 5 : Siren « x » : Le Siren doit comporter exactement 9 chiffres.')
    expect(await companiesCount()).toBe(before)
    expect(await cli.database.knex('companies').where({ siren: '552100554' }).first()).toMatchObject({ name: 'Autre Société renommée' })
    expect(await cli.database.knex('audit_events').count({ count: '*' })).toEqual(events)
  })

  it('streams 30,000 lines from standard input in batches, as JSON, and a second import changes nothing', async () => {
    // 30,000 lines were one insert of 90,000 parameters: PostgreSQL refuses more than 65,535.
    const lines = Array.from({ length: 30_000 }, (_, index) => `${siren(index, 30_000_000)};Entreprise ${index};CODE-${index}`)
    lines[20_000] = lines[2]! // a duplicate in another batch than the first occurrence
    const csv = ['siren;name;code_adherent', ...lines].join('\r\n')
    const first = await cli.run(['companies', 'import', '-', '--json'], csv)
    expect(first.code).toBe(2)
    const report = JSON.parse(first.stdout) as ImportJson
    expect(report).toMatchObject({ lines: 30_000, created: 29_999, updated: 0, unchanged: 0, dryRun: false })
    expect(report.rejected).toEqual([{ line: 20_002, reason: `Siren ${lines[2]!.slice(0, 9)} déjà présent ligne 4` }])
    expect(first.stderr).toMatch(/^30\s000 lignes lues en \d+,\d s/mu)
    expect(await cli.database.knex('companies').where({ siren: siren(29_999, 30_000_000) }).first()).toMatchObject({ name: 'Entreprise 29999', member_code_hash: hashMemberCode('CODE-29999', CLI_HMAC_KEY) })

    const second = await cli.run(['companies', 'import', '-', '--json'], csv)
    expect(JSON.parse(second.stdout)).toMatchObject({ lines: 30_000, created: 0, updated: 0, unchanged: 29_999 })
  })

  it('numbers lines across quoted line breaks and empty lines, and stops at a quote never closed, keeping what came before', async () => {
    const directory = file('guillemets.csv', [
      'siren;name;code_adherent',
      `${siren(2)};"Entreprise ""Chez Paul"", Lyon";ADH-10`,
      `${siren(3)};"Sur deux`,
      `lignes";ADH-11`,
      '',
      `${siren(4)};Boulangerie "du coin";ADH-12`,
      `${siren(5)};Sans code`,
      `${siren(6)};"Jamais fermée;ADH-13`,
      `${siren(7)};Perdue;ADH-14`,
    ])
    const result = await cli.run(['companies', 'import', directory])
    expect(result.code).toBe(1)
    expect(result.stdout).toBe('')
    expect(result.stderr.trim()).toBe(
      "Fichier CSV illisible à partir de la ligne 8 : un guillemet ouvert n'est jamais fermé. Les lignes valides qui précèdent sont importées ; corrigez le fichier et importez-le de nouveau.",
    )
    expect(await cli.database.knex('companies').whereIn('siren', [siren(2), siren(4)]).orderBy('siren').pluck('name')).toEqual(['Entreprise "Chez Paul", Lyon', 'Boulangerie "du coin"'])
    expect(await cli.database.knex('companies').whereIn('siren', [siren(3), siren(5), siren(6), siren(7)])).toEqual([])

    const fixed = file('guillemets-corrige.csv', [
      'siren;name;code_adherent',
      `${siren(3)};"Sur deux`,
      `lignes";ADH-11`,
      '',
      `${siren(5)};Sans code`,
      `${siren(6)};Fermée;ADH-13`,
    ])
    const again = await cli.run(['companies', 'import', fixed])
    expect(again.code).toBe(2)
    expect(again.stdout).toContain('ligne 2 : nom sur plusieurs lignes ou avec des caractères de contrôle')
    expect(again.stdout).toContain('ligne 5 : 2 colonnes au lieu de 3')
    expect(again.stdout).toContain('1 entreprise(s) créée(s)')
  })

  it('refuses a file without the expected header, an empty file and a missing file', async () => {
    const headless = await cli.run(['companies', 'import', file('sans-entete.csv', ['732829320;Opcommerce;ADH-1'])])
    expect(headless.code).toBe(1)
    expect(headless.stderr.trim()).toBe("La première ligne doit être l'en-tête « siren;name;code_adherent ».")
    const empty = await cli.run(['companies', 'import', file('vide.csv', [''])])
    expect(empty.code).toBe(1)
    expect(empty.stderr.trim()).toBe("Fichier vide : la première ligne doit être l'en-tête « siren;name;code_adherent ».")
    const missing = await cli.run(['companies', 'import', path.join(cli.env.DATA_DIR!, 'absent.csv')])
    expect(missing.code).toBe(1)
    expect(missing.stderr).toContain('Fichier illisible')
    expect(missing.stderr).toContain('ENOENT')
    const noFile = await cli.run(['companies', 'import'])
    expect(noFile.code).toBe(1)
    expect(noFile.stderr).toContain('Arguments attendus : FICHIER.csv [--dry-run]')
  })
})
