/**
 * `npm run bench`: throughput of the idp's hot endpoints, the idp running as its own process
 * exactly as in production. With BENCH_DATABASE_URL, on that PostgreSQL (a fresh database is
 * created and dropped); without, on an embedded PGlite served from this process.
 */
import '@opcommerce/shared/node-version'
import { spawn } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import autocannon from 'autocannon'
import * as oidc from 'openid-client'
import { hashPassword } from '@opcommerce/idp/src/libraries/passwords'
import { buildClient } from '@opcommerce/shared/clients'
import { startEmbeddedServer } from '@opcommerce/shared/db/embedded-server'
import { createKnex, type Knex } from '@opcommerce/shared/db/knex'
import { createClientQueries } from '@opcommerce/shared/queries/clients'
import { createUserQueries } from '@opcommerce/shared/queries/users'
import { Browser } from '../support/browser'
import { authorizationRequest, discoverClient } from '../support/oidc'
import { freePorts } from '../support/ports'
import { repositoryRoot } from '../support/processes'
import { withDatabase } from '../support/template-database'

const DURATION = Number(process.env.BENCH_SECONDS ?? 5) // seconds per endpoint
const CONNECTIONS = 20
const SECRET = 'bench-client-secret-0123456789abcdefghijklmn'
const REDIRECT_URI = 'http://localhost:7999/callback'
const PASSWORD = 'Bench-Mot-De-Passe-42!'
const SIGNING_KEYS_SECRET = 'bench-signing-keys-secret-0123456789abcdef' // also encrypts the client secret

async function openDatabase(): Promise<{ url: string; knex: Knex; close(): Promise<void> }> {
  const server = process.env.BENCH_DATABASE_URL
  if (server) {
    const name = `opco_bench_${randomBytes(4).toString('hex')}`
    const admin = createKnex(server, { min: 0, max: 1 })
    await admin.raw('create database ??', [name])
    const url = withDatabase(server, name)
    const knex = createKnex(url)
    return { url, knex, close: async () => (await knex.destroy(), await admin.raw('drop database ?? with (force)', [name]), await admin.destroy()) }
  }
  const embedded = await startEmbeddedServer({})
  const knex = createKnex(embedded.url)
  return { url: embedded.url, knex, close: async () => (await knex.destroy(), await embedded.close()) }
}

async function measure(title: string, options: autocannon.Options): Promise<string> {
  const result = await autocannon({ connections: CONNECTIONS, duration: DURATION, ...options })
  const errors = result.errors + result.non2xx
  return `| ${title} | ${Math.round(result.requests.average)} | ${result.latency.p50} | ${result.latency.p99} | ${errors} |`
}

async function main() {
  const database = await openDatabase()
  await database.knex.migrate.latest()
  await createClientQueries(database.knex).save(
    buildClient({ clientId: 'bench', clientSecret: SECRET, redirectUris: [REDIRECT_URI], firstParty: true }, SIGNING_KEYS_SECRET).client,
  )
  const users = createUserQueries(database.knex)
  const emails = Array.from({ length: 8 }, (_, index) => `bench${index}@exemple.fr`)
  const passwordHash = await hashPassword(PASSWORD)
  for (const email of emails) {
    await users.insertValidated({ email, passwordHash, givenName: 'Banc', familyName: 'Essai' }, new Date())
  }

  const [port, metricsPort] = await freePorts(2)
  const issuer = `http://localhost:${port}`
  const idp = spawn(process.execPath, ['--import', 'tsx', 'idp/src/main.ts'], {
    cwd: repositoryRoot,
    stdio: 'ignore',
    env: {
      ...process.env,
      LOG_LEVEL: 'warn',
      DATA_DIR: mkdtempSync(path.join(tmpdir(), 'opco-bench-')),
      DATABASE_URL: database.url,
      IDP_PORT: String(port),
      IDP_METRICS_PORT: String(metricsPort),
      IDP_ISSUER: issuer,
      SIGNING_KEYS_SECRET,
      SMTP_URL: 'smtp://127.0.0.1:9',
    },
  })
  try {
    for (let attempt = 0; ; attempt++) {
      try {
        await fetch(`${issuer}/healthz`)
        break
      } catch {
        if (attempt > 120) throw new Error('the idp did not start')
        await new Promise((resolve) => setTimeout(resolve, 250))
      }
    }
    const config = await discoverClient(issuer, 'bench', SECRET)

    // One full login (authorization request, login form with argon2id, code exchange) per user, in parallel.
    const started = performance.now()
    const rounds = 4
    const tokens = []
    for (let round = 0; round < rounds; round++) {
      tokens.push(
        ...(await Promise.all(
          emails.map(async (email) => {
            const request = await authorizationRequest(config, REDIRECT_URI)
            const browser = new Browser()
            const login = await browser.get(request.url)
            const callback = await browser.submit(login, /\/login$/u, { email, password: PASSWORD }, { stopAt: REDIRECT_URI })
            return oidc.authorizationCodeGrant(config, new URL(callback.url), {
              pkceCodeVerifier: request.verifier,
              expectedState: request.state,
              expectedNonce: request.nonce,
            })
          }),
        )),
      )
    }
    const loginsPerSecond = (rounds * emails.length) / ((performance.now() - started) / 1000)
    const accessToken = tokens[0]!.access_token

    const rows = [
      await measure('GET /.well-known/openid-configuration', { url: `${issuer}/.well-known/openid-configuration` }),
      await measure('GET /jwks', { url: `${issuer}/jwks` }),
      await measure('GET /me (userinfo, companies claim)', { url: `${issuer}/me`, headers: { authorization: `Bearer ${accessToken}` } }),
      await measure('POST /token/introspection', {
        url: `${issuer}/token/introspection`,
        method: 'POST',
        headers: { authorization: `Basic ${Buffer.from(`bench:${SECRET}`).toString('base64')}`, 'content-type': 'application/x-www-form-urlencoded' },
        body: `token=${accessToken}`,
      }),
    ]
    console.log(`\nidp on ${process.env.BENCH_DATABASE_URL ? 'PostgreSQL' : 'embedded PGlite'}, ${CONNECTIONS} connections, ${DURATION} s per endpoint\n`)
    console.log('| endpoint | requests/s | p50 ms | p99 ms | errors |\n| --- | --- | --- | --- | --- |')
    for (const row of rows) console.log(row)
    console.log(`\nComplete logins (authorization request + argon2id password check + code exchange), ${emails.length} at a time: ${loginsPerSecond.toFixed(1)}/s`)
  } finally {
    idp.kill('SIGTERM')
    await new Promise((resolve) => idp.once('exit', resolve))
    await database.close()
  }
}

main().catch((error: unknown) => {
  console.error(error)
  process.exit(1)
})
