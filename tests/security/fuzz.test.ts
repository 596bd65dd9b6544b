import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals'
import fc from 'fast-check'
import { createClientQueries } from '@opcommerce/shared/queries/clients'
import { portalClient } from '@opcommerce/shared/platform-clients'
import type { UserProfile } from '@opcommerce/shared/users'
import { finishLogin, logout, startLogin } from '@/handlers/auth'
import { linkCompanyHandler, memberActionHandler, remindHandler } from '@/handlers/companies'
import type { PortalContext } from '@/lib/context'
import { newPerson, registerValidated } from '../support/accounts'
import { Browser } from '../support/browser'
import { registerClient } from '../support/clients'
import { testConfig, useIdpStack } from '../support/idp'
import { captureLogger, ERROR } from '../support/logger'
import { authorizationRequest, discoverClient } from '../support/oidc'
import { createCompany, createUser, sessionCookie, testPortalContext } from '../support/portal'

/** Inputs per form or API: fast-check's runs, each one request. */
const RUNS = 1_000
/** Requests in flight at once. */
const CONCURRENCY = 8
// A thousand requests per test, on two busy cores: more time than one request-sized test needs.
jest.setTimeout(180_000)
const REDIRECT_URI = 'http://localhost:7901/callback'
const SECRET = 'fuzz-app-secret-0123456789abcdefghijklmnopq'

/** What a form field may hold: anything a client can send, from nothing to far too much. */
const text = fc.oneof(
  { weight: 4, arbitrary: fc.string({ maxLength: 80 }) },
  { weight: 2, arbitrary: fc.string({ unit: 'binary', maxLength: 80 }) },
  { weight: 2, arbitrary: fc.emailAddress() },
  { weight: 1, arbitrary: fc.constantFrom('', ' ', '\u0000', '<script>alert(1)</script>', "' or 1=1 --", '../../etc/passwd', '%00', '412 350 001', 'ADH-1001') },
  { weight: 1, arbitrary: fc.integer({ min: 200, max: 40_000 }).map((length) => 'x'.repeat(length)) },
)
/** A form: the expected fields, each present or not, and a few others. */
const form = (fields: string[]): fc.Arbitrary<Record<string, string>> =>
  fc
    .record(Object.fromEntries(fields.map((field) => [field, text])), { requiredKeys: [] })
    .chain((known) => fc.dictionary(fc.string({ maxLength: 10 }), text, { maxKeys: 3 }).map((extra) => ({ ...extra, ...(known as Record<string, string>) })))
/** A path segment: what a link or an id in a URL may be replaced with. */
const segment = fc.oneof(fc.string({ maxLength: 60 }), fc.stringMatching(/^[\w-]{43}$/u), fc.uuid(), fc.stringMatching(/^\d{9}$/u)).map((value) => encodeURIComponent(value) || 'vide')

/** The tables a refused request must leave as they were. */
const TABLES = ['users', 'registrations', 'email_tokens', 'mail_outbox', 'memberships', 'held_requests', 'audit_events', 'oidc_payloads', 'portal_sessions']

describe('fuzz: 1,000 generated inputs to every form and API of both services', () => {
  const captured = captureLogger('warn')
  // The production login and reset limits: the fuzz meets them as an attacker would.
  const stack = useIdpStack({ logger: captured.logger, limits: { loginFailuresPerIp: { points: 30, duration: 15 * 60 }, resetPerIp: { points: 10, duration: 60 * 60 } } })
  let context: PortalContext
  let csrf = ''
  let cookie = ''
  let interaction = ''
  let user: UserProfile
  let portal: { cookie: string; csrf: string }
  let siren = ''
  const unhandled: unknown[] = []
  const onUnhandled = (reason: unknown) => unhandled.push(reason)

  beforeAll(async () => {
    process.on('unhandledRejection', onUnhandled)
    context = testPortalContext(testConfig(stack.database, stack.smtp, { IDP_ISSUER: stack.idp.issuer }), stack.database.knex, { logger: captured.logger })
    await createClientQueries(stack.database.knex).save(portalClient(context.config))
    await registerClient(stack.database.knex, { clientId: 'fuzz-app', clientSecret: SECRET, redirectUris: [REDIRECT_URI], firstParty: true })
    await registerValidated(new Browser(), stack.idp.issuer, stack.smtp, newPerson('Fabrice', 'Fuzz'))
    // One browser's CSRF cookie and token, and an authorization request in progress, so that inputs reach the forms' checks.
    const browser = new Browser()
    const login = await browser.get((await authorizationRequest(await discoverClient(stack.idp.issuer, 'fuzz-app', SECRET), REDIRECT_URI)).url)
    interaction = /\/interaction\/([\w-]+)/u.exec(login.url)![1]!
    csrf = login.document.querySelector('input[name="_csrf"]')!.getAttribute('value')!
    cookie = await browser.jar.getCookieString(login.url)
    user = await createUser(stack.database.knex, 'Fuzz')
    const company = await createCompany(stack.database.knex, context.config, 'Entreprise Fuzz')
    siren = company.siren
    await context.memberships.linkCompany(user, company, 'test')
    portal = await sessionCookie(context, user)
  })

  let fuzzed = 0
  afterAll(() => {
    process.off('unhandledRejection', onUnhandled)
    console.log(`[fuzz] ${fuzzed} generated inputs sent, 0 answered 5xx, 0 errors logged`)
  })

  async function counts(): Promise<Record<string, number>> {
    const result: Record<string, number> = {}
    for (const table of TABLES) {
      const [row] = await stack.database.knex(table).select(stack.database.knex.raw('count(*)::int as count'))
      result[table] = Number((row as { count: number }).count)
    }
    return result
  }

  /**
   * Sends RUNS generated requests, eight at a time; every answer must be below 500, and no error
   * may be logged. The tables must be as they were, but for those the target writes by design
   * when it evaluates an attempt (`writes`: an audit row of a wrong password…) and when some
   * request was accepted.
   */
  async function fuzz<Input>(inputs: fc.Arbitrary<Input>, send: (input: Input) => Promise<Response>, writes: string[] = []): Promise<Record<number, number>> {
    captured.entries.length = 0
    const before = await counts()
    const statuses: Record<number, number> = {}
    const failures: { input: Input; status: number }[] = []
    const queue = fc.sample(inputs, RUNS)
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        for (let input = queue.shift(); input !== undefined; input = queue.shift()) {
          const response = await send(input)
          await response.arrayBuffer()
          statuses[response.status] = (statuses[response.status] ?? 0) + 1
          if (response.status >= 500) failures.push({ input, status: response.status })
        }
      }),
    )
    expect(failures).toEqual([])
    const after = await counts()
    const accepted = Object.entries(statuses).some(([status]) => Number(status) < 400)
    for (const table of TABLES) if (!writes.includes(table) && !accepted) expect({ table, rows: after[table] }).toEqual({ table, rows: before[table] })
    expect(captured.entries.filter((entry) => entry.level >= ERROR)).toEqual([])
    expect(unhandled).toEqual([])
    expect(Object.values(statuses).reduce((sum, count) => sum + count, 0)).toBe(RUNS)
    fuzzed += RUNS
    return statuses
  }

  const idp = (path: string, init: { method?: string; fields?: Record<string, string>; json?: unknown } = {}) =>
    fetch(`${stack.idp.issuer}${path}`, {
      method: init.method ?? (init.fields || init.json !== undefined ? 'POST' : 'GET'),
      redirect: 'manual',
      headers: { cookie, accept: 'text/html', ...(init.json !== undefined ? { 'content-type': 'application/json' } : init.fields ? { 'content-type': 'application/x-www-form-urlencoded' } : {}) },
      body: init.json !== undefined ? JSON.stringify(init.json) : init.fields ? new URLSearchParams(init.fields) : undefined,
    })
  /** Our token in most requests, so that they get past CSRF to the form's own checks. */
  const withCsrf = (fields: Record<string, string>) => fc.boolean().map((keep) => (keep ? { _csrf: csrf, ...fields } : fields))
  const formWithCsrf = (fields: string[]) => form(fields).chain(withCsrf)

  it('idp: "Créer un compte"', async () => {
    await fuzz(formWithCsrf(['email', 'email_confirmation', 'password', 'password_confirmation', 'given_name', 'family_name', 'interaction']), (fields) => idp('/inscription', { fields }))
  })

  it('idp: the password strength meter (JSON API)', async () => {
    await fuzz(fc.oneof(fc.jsonValue(), fc.record({ password: text, inputs: fc.array(text, { maxLength: 8 }) })), (json) => idp('/inscription/force-mot-de-passe', { json }))
  })

  it('idp: "Renvoyer à nouveau l\'email"', async () => {
    await fuzz(formWithCsrf(['email']), (fields) => idp('/inscription/renvoyer', { fields }))
  })

  it('idp: the login form of an authorization request', async () => {
    await fuzz(formWithCsrf(['email', 'password']), (fields) => idp(`/interaction/${interaction}/login`, { fields }), ['audit_events'])
  })

  it('idp: consent and abort of an authorization request, and an unknown one', async () => {
    await fuzz(fc.tuple(fc.constantFrom('consent', 'abort', 'login'), fc.oneof(fc.constant(interaction), segment), formWithCsrf(['email'])), ([step, uid, fields]) => idp(`/interaction/${uid}/${step}`, { fields }), [
      'audit_events',
    ])
  })

  it('idp: "Mot de passe oublié ?"', async () => {
    await fuzz(formWithCsrf(['email', 'interaction']), (fields) => idp('/mot-de-passe-oublie', { fields }))
  })

  it('idp: reset and validation links, opened and posted', async () => {
    await fuzz(fc.tuple(fc.constantFrom('/mot-de-passe/', '/validation/'), segment, fc.boolean(), formWithCsrf(['password', 'password_confirmation'])), ([prefix, token, post, fields]) =>
      idp(`${prefix}${token}`, post ? { fields } : {}),
    )
  })

  it('idp: pages with a query (interaction to go back to)', async () => {
    await fuzz(fc.tuple(fc.constantFrom('/inscription', '/mot-de-passe-oublie', '/inscription/validation', '/'), fc.string({ maxLength: 100 })), ([path, value]) => idp(`${path}?interaction=${encodeURIComponent(value)}`))
  })

  it('idp: the authorization endpoint (oidc-provider), with any parameters', async () => {
    const params = fc.dictionary(fc.constantFrom('client_id', 'response_type', 'scope', 'redirect_uri', 'state', 'nonce', 'code_challenge', 'code_challenge_method', 'prompt', 'login_hint', 'request', 'max_age'), text, { maxKeys: 8 })
    await fuzz(
      params.map((values) => ({ client_id: 'fuzz-app', ...values })),
      (values) => idp(`/auth?${new URLSearchParams(values)}`),
      ['oidc_payloads'],
    )
  })

  it('idp: the token endpoint (oidc-provider), with any grant and credentials', async () => {
    const body = fc.dictionary(fc.constantFrom('grant_type', 'code', 'refresh_token', 'redirect_uri', 'code_verifier', 'client_id', 'client_secret', 'scope'), text, { maxKeys: 6 })
    await fuzz(fc.tuple(body, fc.boolean()), ([fields, authenticated]) =>
      fetch(`${stack.idp.issuer}/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', ...(authenticated ? { authorization: `Basic ${Buffer.from(`fuzz-app:${SECRET}`).toString('base64')}` } : {}) },
        body: new URLSearchParams(fields),
      }),
    )
  })

  /** A form posted to a portal route handler by the signed-in user (or by a visitor). */
  const portalForm = (path: string, fields: Record<string, string>, signedIn: boolean) => {
    const body = new URLSearchParams(fields)
    return new Request(`${context.config.portal.url}${path}`, {
      method: 'POST',
      body,
      headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json', ...(signedIn ? { cookie: portal.cookie } : {}) },
    })
  }
  const portalFields = (fields: string[]) => form(fields).chain((values) => fc.boolean().map((keep) => (keep ? { _csrf: portal.csrf, ...values } : values)))

  it('portal: "Ajouter cette entreprise"', async () => {
    await fuzz(fc.tuple(portalFields(['siren', 'code']), fc.boolean()), ([fields, signedIn]) => linkCompanyHandler(context, portalForm('/api/entreprises', fields, signedIn)), ['audit_events', 'held_requests'])
  })

  it('portal: "Relancer ma demande"', async () => {
    await fuzz(fc.tuple(fc.oneof(fc.constant(siren), segment), portalFields([]), fc.boolean()), ([target, fields, signedIn]) =>
      remindHandler(context, portalForm(`/api/entreprises/${target}/relance`, fields, signedIn), decodeURIComponent(target)),
    )
  })

  it('portal: the buttons of "Gérer les utilisateurs"', async () => {
    await fuzz(fc.tuple(fc.oneof(fc.constant(siren), segment), fc.oneof(fc.constant(user.id), segment), portalFields(['action', 'reason']), fc.boolean()), ([target, member, fields, signedIn]) =>
      memberActionHandler(context, portalForm(`/api/entreprises/${target}/membres/${member}`, fields, signedIn), decodeURIComponent(target), decodeURIComponent(member)),
    )
  })

  it('portal: login, callback and logout routes', async () => {
    await fuzz(fc.tuple(fc.constantFrom('login', 'callback', 'logout'), fc.string({ maxLength: 120 }), portalFields([]), fc.boolean()), ([route, query, fields, signedIn]) => {
      const url = `${context.config.portal.url}/auth/${route}?returnTo=${encodeURIComponent(query)}&code=${encodeURIComponent(query)}&state=${encodeURIComponent(query)}`
      if (route === 'login') return startLogin(context, new Request(url))
      if (route === 'callback') return finishLogin(context, new Request(url, { headers: signedIn ? { cookie: `portal_login=${encodeURIComponent(query)}` } : {} }))
      return logout(context, portalForm(`/auth/logout`, fields, false))
    })
  })
})
