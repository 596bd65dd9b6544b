/**
 * `npm run bench`: each figure of the idp next to its ceiling, measured in the same run, one
 * after the other. The idp runs as in production (`npm run build -- idp`, then the command of
 * `npm run start:idp`); the ceiling of a protocol endpoint is
 * oidc-provider alone with its in-memory adapter (`bare-provider.ts`), and the ceiling of
 * complete logins is raw argon2 verifies on the idp's number of threads (`argon2-ceiling.ts`);
 * logins are also measured beside the bare provider's own (a form and one argon2 verify), the
 * most these libraries allow.
 * Load comes from wrk, with the same connections for both, after a warm-up of the same load.
 *
 * With BENCH_DATABASE_URL, on that PostgreSQL (a fresh database is created and dropped);
 * without, on an embedded PGlite served from this process. BENCH_SECONDS per measure (5).
 */
import '@opcommerce/shared/node-version'
import { spawn, spawnSync, type ChildProcess } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { mkdtempSync, openSync, readFileSync } from 'node:fs'
import { availableParallelism, tmpdir } from 'node:os'
import path from 'node:path'
import type * as oidc from 'openid-client'
import { hashPassword } from '@opcommerce/idp/src/libraries/passwords'
import { buildClient } from '@opcommerce/shared/clients'
import { startEmbeddedServer } from '@opcommerce/shared/db/embedded-server'
import { createKnex, type Knex } from '@opcommerce/shared/db/knex'
import { createClientQueries } from '@opcommerce/shared/queries/clients'
import { createCompanyQueries } from '@opcommerce/shared/queries/companies'
import { createMembershipQueries } from '@opcommerce/shared/queries/memberships'
import { createUserQueries } from '@opcommerce/shared/queries/users'
import { discoverClient } from '../support/oidc'
import { freePorts } from '../support/ports'
import { repositoryRoot } from '../support/processes'
import { withDatabase } from '../support/template-database'
import { logIn, measureLogins } from './logins'
import { wrk, type Load, type LoadResult } from './wrk'

const SECONDS = Number(process.env.BENCH_SECONDS ?? 5) // per measure
const WARM_UP = 2 // seconds of load before each measure, not counted
/** Only the measures whose name contains this (to profile one endpoint: BENCH_IDP_FLAGS=--cpu-prof, given as NODE_OPTIONS). */
const ONLY = process.env.BENCH_ONLY
const CONNECTIONS = 20 // wrk connections, for the idp and its ceiling alike
const LOGIN_CONCURRENCY = 8 // logins in flight, and argon2 verifies in flight for the ceiling
const SECRET = 'bench-client-secret-0123456789abcdefghijklmn'
const REDIRECT_URI = 'http://localhost:7999/callback'
const PASSWORD = 'Bench-Mot-De-Passe-42!'
const MANY_COMPANIES = 200
/** The population of the scale rows: userinfo and logins again, over this many people and companies. */
const LARGE_POPULATION = { users: 1_000_000, companies: 500_000 }
/** libuv's threads, where argon2 runs: the idp's (idp/src/thread-pool.ts) and the ceiling's. */
const THREADS = process.env.UV_THREADPOOL_SIZE ?? String(availableParallelism())
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

const siren = (index: number) => String(100_000_000 + index).padStart(9, '0')

/** Clients of both kinds, users with one company each, and one user with MANY_COMPANIES. */
async function seed(knex: Knex) {
  const clients = createClientQueries(knex)
  await clients.save(buildClient({ clientId: 'bench', clientSecret: SECRET, redirectUris: [REDIRECT_URI], firstParty: true }, SIGNING_KEYS_SECRET).client)
  await clients.save(buildClient({ clientId: 'bench-machine', clientSecret: SECRET, grantTypes: ['client_credentials'] }, SIGNING_KEYS_SECRET).client)
  const users = createUserQueries(knex)
  const companies = createCompanyQueries(knex)
  const memberships = createMembershipQueries(knex)
  await companies.save(Array.from({ length: MANY_COMPANIES }, (_, index) => ({ siren: siren(index), name: `Entreprise ${index}`, memberCodeHash: `hash-${index}` })))
  const passwordHash = await hashPassword(PASSWORD)
  const create = async (email: string, sirens: string[]) => {
    const user = (await users.insertValidated({ email, passwordHash, givenName: 'Banc', familyName: 'Essai' }, new Date()))!
    for (const company of sirens) await memberships.upsert({ userId: user.id, siren: company, role: 'member', status: 'active', at: new Date() })
    return { email, password: PASSWORD }
  }
  const oneCompany = await Promise.all(Array.from({ length: LOGIN_CONCURRENCY }, (_, index) => create(`bench${index}@exemple.fr`, [siren(index)])))
  const manyCompanies = await create('bench-many@exemple.fr', Array.from({ length: MANY_COMPANIES }, (_, index) => siren(index)))
  return { oneCompany, manyCompanies, passwordHash }
}

/**
 * LARGE_POPULATION, in three statements; then VACUUM ANALYZE and a checkpoint, as autovacuum and
 * the checkpointer would have done before anyone used such a database: the measures that follow
 * are of its size, not of writing out the load.
 */
async function loadPopulation(knex: Knex, passwordHash: string): Promise<void> {
  const { users, companies } = LARGE_POPULATION
  await knex.raw(
    `insert into companies (siren, name, member_code_hash)
     select lpad((200000000 + n)::text, 9, '0'), 'Entreprise chargée ' || n, 'hash' from generate_series(1, ?) n`,
    [companies],
  )
  await knex.raw(
    `insert into users (email, password_hash, given_name, family_name, email_verified_at)
     select 'personne' || n || '@charge.exemple.fr', ?, 'Prénom', 'Nom', now() from generate_series(1, ?) n`,
    [passwordHash, users],
  )
  await knex.raw(
    `insert into memberships (user_id, siren, role, status)
     select id, lpad((200000001 + (row_number() over () % ?))::text, 9, '0'), 'member', 'active'
       from users where email like '%@charge.exemple.fr'`,
    [companies],
  )
  await knex.raw('vacuum analyze')
  await knex.raw('checkpoint')
}

/** Starts a process; its output goes to `output` (a file descriptor) or is read by the caller. */
function start(command: string[], env: Record<string, string>, output: number | 'pipe' = 'pipe'): ChildProcess {
  return spawn(command[0]!, command.slice(1), { cwd: repositoryRoot, stdio: ['ignore', output, output], env: { PATH: process.env.PATH ?? '', ...env } })
}

async function waitFor(url: string, child: ChildProcess): Promise<void> {
  for (let attempt = 0; attempt < 120; attempt++) {
    if (child.exitCode !== null) throw new Error(`${url}: the process exited (${child.exitCode})`)
    try {
      if ((await fetch(url)).ok) return
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 250))
  }
  throw new Error(`${url} did not answer`)
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return
  child.kill('SIGTERM')
  await new Promise((resolve) => child.once('exit', resolve))
}

/** CPU seconds a process used so far (user + system), from /proc. */
function cpuSeconds(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ')
  return (Number(fields[11]) + Number(fields[12])) / 100 // clock ticks of 10 ms
}

function memory(pid: number): { peakMb: number; nowMb: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8')
  const kb = (name: string) => Number(new RegExp(`${name}:\\s+(\\d+)`, 'u').exec(status)?.[1] ?? 0)
  return { peakMb: kb('VmHWM') / 1024, nowMb: kb('VmRSS') / 1024 }
}

interface Measure extends LoadResult {
  /** Cores the measured process used meanwhile. */
  cores: number
  /** Its resident memory right after. */
  rssMb: number
}

async function measured(pid: number, work: () => Promise<LoadResult>): Promise<Measure> {
  const cpu = cpuSeconds(pid)
  const started = performance.now()
  const result = await work()
  return { ...result, cores: (cpuSeconds(pid) - cpu) / ((performance.now() - started) / 1000), rssMb: memory(pid).nowMb }
}

const basic = `Basic ${Buffer.from(`bench-machine:${SECRET}`).toString('base64')}`
const form = 'application/x-www-form-urlencoded'

async function main() {
  const database = await openDatabase()
  await database.knex.migrate.latest()
  const people = await seed(database.knex)

  const build = spawnSync(process.execPath, ['--import', 'tsx', 'scripts/build.ts', 'idp'], { cwd: repositoryRoot, stdio: 'inherit' })
  if (build.status !== 0) throw new Error('npm run build -- idp failed')

  const [port, metricsPort, barePort] = await freePorts(3)
  const logs = mkdtempSync(path.join(tmpdir(), 'opco-bench-'))
  const [idpLog, bareLog] = [path.join(logs, 'idp.log'), path.join(logs, 'bare-provider.log')]
  const issuer = `http://localhost:${port}`
  const bareIssuer = `http://localhost:${barePort}`
  // The command production runs (`npm run start:idp`, its flags included), without npm between:
  // its `exec` makes the shell the idp's node process, whose CPU and memory are read.
  const { scripts } = JSON.parse(readFileSync(path.join(repositoryRoot, 'package.json'), 'utf8')) as { scripts: Record<string, string> }
  const idp = start(['sh', '-c', scripts['start:idp']!], {
    NODE_OPTIONS: process.env.BENCH_IDP_FLAGS ?? '',
    UV_THREADPOOL_SIZE: THREADS,
    DATA_DIR: logs,
    DATABASE_URL: database.url,
    IDP_PORT: String(port),
    IDP_METRICS_PORT: String(metricsPort),
    IDP_ISSUER: issuer,
    PORTAL_URL: 'http://localhost:7999',
    SMTP_URL: 'smtp://127.0.0.1:9',
    // Behind a reverse proxy, as in production: each login comes from its own address.
    TRUST_PROXY: 'true',
    COOKIE_KEYS: randomBytes(32).toString('base64url'),
    SIGNING_KEYS_SECRET,
    MEMBER_CODE_HMAC_KEY: randomBytes(32).toString('base64url'),
    PORTAL_SESSION_SECRET: randomBytes(32).toString('base64url'),
    PORTAL_CLIENT_SECRET: randomBytes(32).toString('base64url'),
  }, openSync(idpLog, 'w'))
  // The ceiling runs on the idp's runtime flags (--experimental-async-context-frame): the
  // AsyncLocalStorages cost both the same, the gap is our own code.
  const runtimeFlags = scripts['start:idp']!.match(/--experimental-[\w-]+/gu) ?? []
  const bare = start(
    ['node', ...runtimeFlags, 'tests/bench/bare-provider.ts'],
    { NODE_ENV: 'production', UV_THREADPOOL_SIZE: THREADS, BARE_PORT: String(barePort), BARE_CLIENT_SECRET: SECRET, BARE_REDIRECT_URI: REDIRECT_URI, ARGON2_HASH: people.passwordHash },
    openSync(bareLog, 'w'),
  )
  try {
    await Promise.all([waitFor(`${issuer}/healthz`, idp), waitFor(`${bareIssuer}/.well-known/openid-configuration`, bare)])
    const idleMb = memory(idp.pid!).nowMb
    // The idp's path to node is the same `node` as the bench's (node_modules/.bin first in PATH under npm).
    const ours = await discoverClient(issuer, 'bench', SECRET)
    const bareClient = await discoverClient(bareIssuer, 'bench', SECRET)
    const printTable = () => {
      const memoryNow = memory(idp.pid!)
      const bareMemory = memory(bare.pid!)
      const fixed = (value: number, digits = 0) => (Number.isFinite(value) ? value.toFixed(digits) : '–')
      console.log(`\nidp (compiled, NODE_ENV=production) on ${process.env.BENCH_DATABASE_URL ? 'PostgreSQL' : 'embedded PGlite'}; wrk, ${CONNECTIONS} connections, ${WARM_UP} s of warm-up then ${SECONDS} s per measure; logins ${LOGIN_CONCURRENCY} at a time; ${THREADS} libuv threads\n`)
      // CPU per request (cores ÷ rate) compares the idp with its ceiling even on a busy machine,
      // where requests per second depend on what else runs.
      console.log('| metric | ours /s | ceiling /s | ratio | ceiling | p50 ms | p99 ms | errors (ours / ceiling) | idp CPU ms/req | ceiling CPU ms/req | idp RSS MB |')
      console.log('| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |')
      const cpuPerRequest = (measure: Measure) => (1000 * measure.cores) / measure.requestsPerSecond
      for (const { metric, ours: mine, ceiling, ceilingName } of rows) {
        console.log(
          `| ${metric} | ${fixed(mine.requestsPerSecond)} | ${fixed(ceiling.requestsPerSecond)} | ${fixed(mine.requestsPerSecond / ceiling.requestsPerSecond, 2)} | ${ceilingName} | ${fixed(mine.p50Ms, 1)} | ${fixed(mine.p99Ms, 1)} | ${mine.errors} / ${ceiling.errors} | ${fixed(cpuPerRequest(mine), 2)} | ${fixed(cpuPerRequest(ceiling), 2)} | ${fixed(mine.rssMb)} |`,
        )
      }
      console.log(`\nLogs: ${idpLog} (${readFileSync(idpLog, 'utf8').split('\n').length - 1} lines), ${bareLog}`)
      console.log(`\nidp RSS: ${fixed(idleMb)} MB once started, peak ${fixed(memoryNow.peakMb)} MB, now ${fixed(memoryNow.nowMb)} MB (bare oidc-provider: peak ${fixed(bareMemory.peakMb)} MB)`)
    }
    const [user] = people.oneCompany
    // Fresh sessions before each measure: rotated refresh tokens are used once, and the bare
    // provider's in-memory adapter keeps its 1,000 most recent entries only. A few at a time:
    // the account's login budget counts attempts in flight (a right password gives its point
    // back once checked), so 20 parallel logins of one account are refused as an attack would be.
    const sessions = async (config: oidc.Configuration, credentials: { email: string; password: string }) => {
      const tokens: oidc.TokenEndpointResponse[] = []
      while (tokens.length < CONNECTIONS) tokens.push(...(await Promise.all(Array.from({ length: 5 }, () => logIn(config, REDIRECT_URI, credentials)))))
      return tokens.slice(0, CONNECTIONS)
    }

    const rows: { metric: string; ours: Measure; ceiling: Measure; ceilingName: string }[] = []
    type LoadOf = (base: string, tokens: oidc.TokenEndpointResponse[]) => Load
    /**
     * One measure, after WARM_UP seconds of the same load on sessions of their own (refresh tokens
     * rotate): a process measured cold would be timed while its JIT compiler is still at work.
     */
    const measure = async (server: ChildProcess, base: string, config: oidc.Configuration, load: LoadOf, credentials = user!) => {
      await wrk(load(base, await sessions(config, credentials)), CONNECTIONS, WARM_UP)
      const tokens = await sessions(config, credentials)
      return measured(server.pid!, () => wrk(load(base, tokens), CONNECTIONS, SECONDS))
    }
    /** Ours, then the ceiling, each under the same load. */
    const compare = async (metric: string, load: LoadOf, ceiling?: 'many companies') => {
      if (ONLY && !metric.includes(ONLY)) return
      if (ceiling) {
        const oneResult = await measure(idp, issuer, ours, load)
        const manyResult = await measure(idp, issuer, ours, load, people.manyCompanies)
        rows.push({ metric: `${metric}, ${MANY_COMPANIES} companies`, ours: manyResult, ceiling: oneResult, ceilingName: 'idp, 1 company' })
        return
      }
      const mineResult = await measure(idp, issuer, ours, load)
      const theirResult = await measure(bare, bareIssuer, bareClient, load)
      rows.push({ metric, ours: mineResult, ceiling: theirResult, ceilingName: 'bare oidc-provider' })
    }
    const clientCredentials = (base: string): Load => ({
      url: `${base}/token`,
      method: 'POST',
      headers: { authorization: basic, 'content-type': form },
      body: 'grant_type=client_credentials',
    })
    const userinfo = (base: string, tokens: oidc.TokenEndpointResponse[]): Load => ({ url: `${base}/me`, headers: { authorization: `Bearer ${tokens[0]!.access_token}` } })
    const introspection = (base: string, tokens: oidc.TokenEndpointResponse[]): Load => ({
      url: `${base}/token/introspection`,
      method: 'POST',
      headers: { authorization: `Basic ${Buffer.from(`bench:${SECRET}`).toString('base64')}`, 'content-type': form },
      body: `token=${tokens[0]!.access_token}`,
    })
    const refresh = (base: string, tokens: oidc.TokenEndpointResponse[]): Load => ({
      url: `${base}/token`,
      method: 'POST',
      headers: { authorization: `Basic ${Buffer.from(`bench:${SECRET}`).toString('base64')}`, 'content-type': form },
      refreshTokens: tokens.map((token) => token.refresh_token!),
    })

    await compare('GET /.well-known/openid-configuration', (base) => ({ url: `${base}/.well-known/openid-configuration` }))
    await compare('GET /jwks', (base) => ({ url: `${base}/jwks` }))
    await compare('client_credentials grant', clientCredentials)
    await compare('GET /me (userinfo, companies claim)', userinfo)
    await compare('POST /token/introspection', introspection)
    await compare('GET /me (userinfo)', userinfo, 'many companies')
    await compare('refresh_token grant', refresh)
    await compare('refresh_token grant', refresh, 'many companies')

    if (ONLY && !'complete password logins'.includes(ONLY)) return printTable()
    const loginsOn = (server: ChildProcess, config: oidc.Configuration) =>
      measured(server.pid!, async () => {
        const result = await measureLogins(config, REDIRECT_URI, people.oneCompany, SECONDS)
        return { requestsPerSecond: result.perSecond, p50Ms: result.p50Ms, p99Ms: result.p99Ms, errors: result.errors }
      })
    const logins = await loginsOn(idp, ours)
    const bareLogins = await loginsOn(bare, bareClient)
    const argon2 = start(['node', 'tests/bench/argon2-ceiling.ts'], {
      UV_THREADPOOL_SIZE: THREADS,
      ARGON2_HASH: people.passwordHash,
      ARGON2_PASSWORD: PASSWORD,
      CONCURRENCY: String(LOGIN_CONCURRENCY),
      SECONDS: String(SECONDS),
    })
    let output = ''
    argon2.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()))
    await new Promise((resolve) => argon2.once('exit', resolve))
    const verifies = JSON.parse(output) as { perSecond: number; cores: number }
    const argon2Ceiling = { requestsPerSecond: verifies.perSecond, p50Ms: Number.NaN, p99Ms: Number.NaN, errors: 0, cores: verifies.cores, rssMb: Number.NaN }
    const argon2Name = `raw argon2 verifies, ${THREADS} threads`
    rows.push({ metric: 'complete password logins', ours: logins, ceiling: argon2Ceiling, ceilingName: argon2Name })
    rows.push({ metric: 'complete password logins', ours: logins, ceiling: bareLogins, ceilingName: 'bare oidc-provider + argon2 verify' })
    // What the libraries allow at all: their own complete logins beside the same hash rate.
    rows.push({ metric: "bare oidc-provider's own complete logins", ours: { ...bareLogins, rssMb: Number.NaN }, ceiling: argon2Ceiling, ceilingName: argon2Name })

    // Cost with the population of a real OPCO: the same userinfo and logins, measured again on the
    // database as seeded, then once a million people (each a member of one of half a million
    // companies) are loaded beside the bench's users.
    const userinfoEmpty = await measure(idp, issuer, ours, userinfo)
    const started = performance.now()
    await loadPopulation(database.knex, people.passwordHash)
    console.log(`${LARGE_POPULATION.users.toLocaleString('en')} users and ${LARGE_POPULATION.companies.toLocaleString('en')} companies loaded in ${((performance.now() - started) / 1000).toFixed(0)} s`)
    const userinfoLarge = await measure(idp, issuer, ours, userinfo)
    const loginsLarge = await loginsOn(idp, ours)
    const population = `${LARGE_POPULATION.users / 1_000_000}M users, ${LARGE_POPULATION.companies / 1_000}k companies`
    rows.push({ metric: `GET /me (userinfo), ${population}`, ours: userinfoLarge, ceiling: userinfoEmpty, ceilingName: 'idp, seeded database' })
    rows.push({ metric: `complete password logins, ${population}`, ours: loginsLarge, ceiling: logins, ceilingName: 'idp, seeded database' })

    printTable()
  } finally {
    await Promise.all([stop(idp), stop(bare)])
    await database.close()
  }
}

main().catch((error: unknown) => {
  console.error(error)
  process.exit(1)
})
