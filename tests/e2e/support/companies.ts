import { spawnSync } from 'node:child_process'
import { randomBytes, randomInt } from 'node:crypto'
import { writeFileSync } from 'node:fs'
import path from 'node:path'
import { checkSiren } from '@opcommerce/shared/siren'
import { STACK_STATE_VARIABLE, type StackState } from './stack'

const root = path.resolve(import.meta.dirname, '../../..')

/**
 * A company of the directory for one test alone, imported with `npm run cli -- companies import`
 * into the running stack's database, as an operator would: a test that spends a company's
 * budget leaves the demo companies to the others.
 */
export function importCompany(name: string): { siren: string; code: string; name: string } {
  const state = JSON.parse(process.env[STACK_STATE_VARIABLE]!) as StackState
  let siren = ''
  while (!siren) {
    const eight = String(randomInt(10_000_000, 99_999_999))
    siren = Array.from({ length: 10 }, (_, digit) => `${eight}${digit}`).find((candidate) => checkSiren(candidate).ok) ?? ''
  }
  const code = `ADH-${randomBytes(5).toString('hex').toUpperCase()}`
  const file = path.join(state.dataDir, `entreprise-${siren}.csv`)
  writeFileSync(file, `siren;name;code_adherent\n${siren};${name};${code}\n`)
  const database = state.database ? new URL(state.database.serverUrl) : undefined
  if (database) database.pathname = `/${state.database!.name}`
  const result = spawnSync(path.join(root, 'node_modules/.bin/node'), ['--import', 'tsx', 'shared/src/cli/main.ts', 'companies', 'import', file], {
    cwd: root,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', LOG_LEVEL: 'error', DATA_DIR: state.dataDir, ...(database ? { DATABASE_URL: database.toString() } : {}) },
    encoding: 'utf8',
  })
  if (result.status !== 0) throw new Error(`companies import failed:\n${result.stdout}\n${result.stderr}`)
  return { siren, code, name }
}
