/**
 * `npm run bench:import`: `companies import` at the directory's scale. Generates a CSV of
 * BENCH_COMPANIES companies (500,000 by default), then runs the real command as the operator
 * does (its own process) three times: the first import, the same file again (nothing to write),
 * and a file where 1 % of the names changed. On an embedded PGlite (a fresh DATA_DIR, as without
 * DATABASE_URL) and, with BENCH_DATABASE_URL, on that PostgreSQL (a fresh database, dropped
 * after). Not a test: figures to read, with the machine's load next to them.
 */
import '@opcommerce/shared/node-version'
import { spawn } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { once } from 'node:events'
import { createWriteStream, mkdtempSync, rmSync } from 'node:fs'
import { loadavg, tmpdir } from 'node:os'
import path from 'node:path'
import { createKnex } from '@opcommerce/shared/db/knex'
import { repositoryRoot } from '../support/processes'
import { withDatabase } from '../support/template-database'

const COMPANIES = Number(process.env.BENCH_COMPANIES ?? 500_000)
const HMAC_KEY = 'bench-member-code-hmac-key-0123456789abcdef'
const CODE_ALPHABET = 'ABCDEFGHJKLMNPQRSTUVWXYZ23456789'

/** The n-th valid SIREN: 8 digits spread over the range, then the Luhn check digit. */
function siren(index: number): string {
  const body = String(10_000_000 + ((index * 179) % 89_999_999)).padStart(8, '0')
  for (let check = 0; check < 10; check++) {
    const candidate = `${body}${check}`
    let sum = 0
    for (let position = 0; position < 9; position++) {
      const digit = Number(candidate[8 - position])
      const weighted = position % 2 === 1 ? digit * 2 : digit
      sum += weighted > 9 ? weighted - 9 : weighted
    }
    if (sum % 10 === 0) return candidate
  }
  throw new Error('unreachable: one check digit always fits')
}

/** A code adhérent of 10 characters, as the Opcommerce should issue them. */
function code(index: number): string {
  let value = (index + 1) * 2_654_435_761
  let result = ''
  for (let position = 0; position < 10; position++) {
    result += CODE_ALPHABET[value % CODE_ALPHABET.length]
    value = Math.floor(value / CODE_ALPHABET.length) + position * 7919
  }
  return result
}

async function writeDirectory(file: string, renamedEvery?: number): Promise<void> {
  const out = createWriteStream(file)
  out.write('siren;name;code_adherent\n')
  for (let index = 0; index < COMPANIES; index++) {
    const renamed = renamedEvery !== undefined && index % renamedEvery === 0 ? ' (nouveau nom)' : ''
    if (!out.write(`${siren(index)};Entreprise n° ${index} — Commerce de détail SARL${renamed};${code(index)}\n`)) await once(out, 'drain')
  }
  out.end()
  await once(out, 'finish')
}

interface Run {
  wallSeconds: number
  report: { lines: number; created: number; updated: number; unchanged: number; rejected: unknown[]; seconds: number }
}

function runCli(entry: string, args: string[], env: Record<string, string>): Promise<{ code: number | null; stdout: string; stderr: string; wallSeconds: number }> {
  const started = performance.now()
  const child = spawn(process.execPath, ['--import', 'tsx', entry, ...args], {
    cwd: repositoryRoot,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', LOG_LEVEL: 'error', MEMBER_CODE_HMAC_KEY: HMAC_KEY, ...env },
  })
  let stdout = ''
  let stderr = ''
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()))
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()))
  return new Promise((resolve) => child.once('exit', (code) => resolve({ code, stdout, stderr, wallSeconds: (performance.now() - started) / 1000 })))
}

async function importFile(file: string, env: Record<string, string>): Promise<Run> {
  const result = await runCli('shared/src/cli/main.ts', ['companies', 'import', file, '--json'], env)
  if (result.code !== 0) throw new Error(`companies import exited with ${result.code}:\n${result.stderr}`)
  return { wallSeconds: result.wallSeconds, report: JSON.parse(result.stdout) }
}

async function measure(label: string, env: Record<string, string>, files: { same: string; renamed: string }): Promise<string[]> {
  const migrated = await runCli('shared/src/cli/migrate.ts', [], env)
  if (migrated.code !== 0) throw new Error(`migrate exited with ${migrated.code}:\n${migrated.stderr}`)
  const rows: string[] = []
  for (const [title, file, expected] of [
    ['first import', files.same, { created: COMPANIES }],
    ['same file again', files.same, { unchanged: COMPANIES }],
    ['1 % of the names changed', files.renamed, { updated: Math.ceil(COMPANIES / 100) }],
  ] as const) {
    const load = loadavg()[0]!.toFixed(1)
    const { wallSeconds, report } = await importFile(file, env)
    for (const [key, value] of Object.entries(expected)) {
      if (report[key as keyof typeof expected] !== value) throw new Error(`${label}, ${title}: ${key} = ${report[key as keyof typeof expected]}, expected ${value}`)
    }
    const rate = Math.round(report.lines / report.seconds).toLocaleString('en-US')
    rows.push(`| ${label} | ${title} | ${report.seconds.toFixed(1)} | ${wallSeconds.toFixed(1)} | ${rate} | ${report.created} / ${report.updated} / ${report.unchanged} | ${load} |`)
    console.error(rows.at(-1))
  }
  return rows
}

async function main() {
  const directory = mkdtempSync(path.join(tmpdir(), 'opco-bench-import-'))
  const files = { same: path.join(directory, 'annuaire.csv'), renamed: path.join(directory, 'annuaire-renomme.csv') }
  const rows: string[] = []
  try {
    await writeDirectory(files.same)
    await writeDirectory(files.renamed, 100)
    rows.push(...(await measure('embedded PGlite', { DATA_DIR: path.join(directory, 'data') }, files)))
    const server = process.env.BENCH_DATABASE_URL
    if (server) {
      const name = `opco_bench_${randomBytes(4).toString('hex')}`
      const admin = createKnex(server, { min: 0, max: 1 })
      await admin.raw('create database ??', [name])
      try {
        rows.push(...(await measure('PostgreSQL', { DATA_DIR: path.join(directory, 'data-pg'), DATABASE_URL: withDatabase(server, name) }, files)))
      } finally {
        await admin.raw('drop database ?? with (force)', [name])
        await admin.destroy()
      }
    }
  } finally {
    rmSync(directory, { recursive: true, force: true })
  }
  console.log(`\ncompanies import of ${COMPANIES.toLocaleString('en-US')} companies, the CLI as its own process\n`)
  console.log('| database | run | import s | process s (with start-up) | lines/s | created / updated / unchanged | load average (1 min) before |')
  console.log('| --- | --- | --- | --- | --- | --- | --- |')
  for (const row of rows) console.log(row)
}

main().catch((error: unknown) => {
  console.error(error)
  process.exit(1)
})
