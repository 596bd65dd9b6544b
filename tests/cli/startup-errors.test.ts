import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { createServer } from 'node:net'
import path from 'node:path'
import { describe, expect, it } from '@jest/globals'
import { createTestDatabase } from '../support/database'
import { freePort } from '../support/ports'
import { runEntryPoint } from '../support/processes'
import { migrationSource } from '../../migrations'

const secrets = {
  COOKIE_KEYS: 'startup-test-cookie-key-0123456789abcdef',
  SIGNING_KEYS_SECRET: 'startup-test-signing-secret-0123456789abc',
  MEMBER_CODE_HMAC_KEY: 'startup-test-hmac-key-0123456789abcdefgh',
  PORTAL_SESSION_SECRET: 'startup-test-session-secret-0123456789ab',
  PORTAL_CLIENT_SECRET: 'startup-test-portal-secret-0123456789abc',
  DEMO_TOOL_CLIENT_SECRET: 'startup-test-demo-secret-0123456789abcde',
}

const startIdp = (env: Record<string, string>) =>
  runEntryPoint('idp/src/main.ts', [], { DATA_DIR: mkdtempSync(path.join(tmpdir(), 'opco-start-')), ...secrets, ...env })

/** One line on standard error, no stack trace, naming the variable to fix. */
function expectOneLine(result: { code: number | null; stderr: string }, ...fragments: string[]) {
  expect(result.code).toBe(1)
  const lines = result.stderr.trim().split('\n')
  expect(lines).toHaveLength(1)
  for (const fragment of fragments) expect(lines[0]).toContain(fragment)
  expect(result.stderr).not.toMatch(/\bat .+:\d+:\d+/u)
}

describe('a misconfigured start stops at once with a one-line French message', () => {
  it('names DATABASE_URL when it is malformed', async () => {
    expectOneLine(await startIdp({ DATABASE_URL: 'mysql://localhost/opco' }), 'Configuration invalide : DATABASE_URL', 'postgres://')
  })

  it('names SMTP_URL when it is malformed', async () => {
    expectOneLine(await startIdp({ DATABASE_URL: 'postgres://localhost/opco', SMTP_URL: 'localhost:25' }), 'Configuration invalide : SMTP_URL')
  })

  it('names DATABASE_URL when the database cannot be reached', async () => {
    const port = await freePort()
    expectOneLine(await startIdp({ DATABASE_URL: `postgres://opco:secret@127.0.0.1:${port}/opco` }), 'Base de données injoignable via DATABASE_URL', `127.0.0.1:${port}`)
  })

  it('names the command to run when the database lacks migrations', async () => {
    const database = await createTestDatabase({ empty: true })
    try {
      expectOneLine(await startIdp({ DATABASE_URL: database.url }), `Base de données non migrée (${(await migrationSource.getMigrations([])).length} migration(s) en attente)`, 'npm run migrate')
    } finally {
      await database.close()
    }
  })

  it('never prints the database password', async () => {
    const port = await freePort()
    const result = await startIdp({ DATABASE_URL: `postgres://opco:tres-secret@127.0.0.1:${port}/opco` })
    expect(result.stderr).not.toContain('tres-secret')
  })

  it('refuses to start in production without its secrets', async () => {
    const result = await runEntryPoint('idp/src/main.ts', [], {
      NODE_ENV: 'production',
      DATA_DIR: mkdtempSync(path.join(tmpdir(), 'opco-start-')),
      DATABASE_URL: 'postgres://localhost/opco',
      SMTP_URL: 'smtp://localhost:25',
      IDP_ISSUER: 'https://auth.opcommerce.test',
      PORTAL_URL: 'https://services.opcommerce.test',
      TRUST_PROXY: 'true',
      COOKIE_KEYS: secrets.COOKIE_KEYS,
    })
    expectOneLine(result, 'SIGNING_KEYS_SECRET', 'MEMBER_CODE_HMAC_KEY', 'obligatoire(s) en production')
  })

  it('names the port variable when the port is taken', async () => {
    const database = await createTestDatabase()
    const busy = createServer()
    const port = await freePort()
    await new Promise<void>((resolve) => busy.listen(port, resolve))
    try {
      expectOneLine(await startIdp({ DATABASE_URL: database.url, IDP_PORT: String(port) }), `Le port ${port} (IDP_PORT) est déjà utilisé`)
    } finally {
      busy.close()
      await database.close()
    }
  })
})
