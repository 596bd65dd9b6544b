import { mkdtempSync } from 'node:fs'
import { tmpdir, userInfo } from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, expect, jest } from '@jest/globals'
import { hashMemberCode } from '@opcommerce/shared/companies'
import type { Knex } from '@opcommerce/shared/db/knex'
import type { Role, MembershipStatus } from '@opcommerce/shared/queries/memberships'
import { newPerson } from './accounts'
import { createTestDatabase, type TestDatabase } from './database'
import { runEntryPoint, type Finished } from './processes'

/** The actor of the operator's audit events: `cli:` and the account running the command. */
export const OPERATOR_ACTOR = `cli:${userInfo().username}`

export const CLI_HMAC_KEY = 'cli-test-member-code-hmac-key-0123456789'

export interface CliHarness {
  database: TestDatabase
  env: Record<string, string>
  /** `npm run cli -- …args`, as its own process; `input` is its standard input. */
  run(args: string[], input?: string): Promise<Finished>
  /** The same with `--json`: exits with `code` and prints JSON only on standard output. */
  json<T = unknown>(args: string[], code?: number): Promise<T>
}

/**
 * For a test file of the command line: its own migrated database (DATABASE_URL) and a data
 * directory, set once beforeAll has run; or the database of the services the file started
 * (`sharedDatabase`, set by an earlier beforeAll), so that the commands act on running services.
 */
export function useCli(options: { env?: () => Record<string, string>; sharedDatabase?: () => TestDatabase } = {}): CliHarness {
  // Each command is a process of its own (Node and tsx start, ~1 s of CPU): on two busy cores a
  // test of five commands takes longer than jest's default 30 s.
  jest.setTimeout(180_000)
  const harness: Partial<CliHarness> = {
    run: (args, input) => runEntryPoint('shared/src/cli/main.ts', args, harness.env!, 60_000, input),
    async json<T>(args: string[], code = 0) {
      const result = await harness.run!([...args, '--json'])
      expect({ code: result.code, stderr: result.stderr }).toEqual({ code, stderr: expect.any(String) })
      return JSON.parse(result.stdout) as T
    },
  }
  beforeAll(async () => {
    harness.database = options.sharedDatabase?.() ?? (await createTestDatabase())
    harness.env = { DATABASE_URL: harness.database.url, DATA_DIR: mkdtempSync(path.join(tmpdir(), 'opco-cli-')), MEMBER_CODE_HMAC_KEY: CLI_HMAC_KEY, ...options.env?.() }
  })
  afterAll(async () => {
    if (!options.sharedDatabase) await harness.database?.close()
  })
  return harness as CliHarness
}

export interface SeededUser {
  id: string
  email: string
  givenName: string
  familyName: string
}

/** A validated user, written directly (the command line only reads users). */
export async function seedUser(db: Knex, givenName: string, familyName: string, createdAt = new Date()): Promise<SeededUser> {
  const person = newPerson(givenName, familyName)
  const [row] = await db('users')
    .insert({ email: person.email, password_hash: 'not-a-password-hash', given_name: givenName, family_name: familyName, email_verified_at: createdAt, created_at: createdAt, updated_at: createdAt })
    .returning('id')
  return { id: row.id, email: person.email, givenName, familyName }
}

export async function seedCompany(db: Knex, siren: string, name: string): Promise<void> {
  await db('companies').insert({ siren, name, member_code_hash: hashMemberCode(`CODE-${siren}`, CLI_HMAC_KEY) })
}

export async function seedMembership(db: Knex, user: SeededUser, siren: string, role: Role, status: MembershipStatus, at = new Date()): Promise<void> {
  await db('memberships').insert({ user_id: user.id, siren, role, status, requested_at: at, decided_at: status === 'pending' ? null : at })
}
