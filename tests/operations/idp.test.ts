import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import * as oidc from 'openid-client'
import { newPerson } from '../support/accounts'
import { Browser } from '../support/browser'
import { registerClient } from '../support/clients'
import { createTestDatabase, type TestDatabase } from '../support/database'
import { TEST_SECRETS } from '../support/idp'
import { authorizationRequest, discoverClient } from '../support/oidc'
import { freePort } from '../support/ports'
import { sample, startService, type RunningService } from '../support/service'
import { startSmtpCapture, type SmtpCapture } from '../support/smtp'

const SECRET = 'operations-client-secret-0123456789abcdefg'
const REDIRECT_URI = 'http://localhost:7091/callback'
const DRAIN_MS = 1500 // milliseconds of SHUTDOWN_DRAIN_MS in this file

describe('the idp as an operator runs it: health, metrics, logs, graceful stop', () => {
  let database: TestDatabase | undefined
  let databaseClosed = false
  let smtp: SmtpCapture | undefined
  let idp: RunningService | undefined
  let issuer: string
  let metricsUrl: string

  beforeAll(async () => {
    database = await createTestDatabase()
    smtp = await startSmtpCapture()
    const [port, metricsPort] = [await freePort(), await freePort()]
    issuer = `http://localhost:${port}`
    metricsUrl = `http://127.0.0.1:${metricsPort}/metrics`
    await registerClient(database.knex, { clientId: 'operations', clientSecret: SECRET, redirectUris: [REDIRECT_URI], grantTypes: ['authorization_code', 'client_credentials'], firstParty: true })
    idp = await startService(
      'idp/src/main.ts',
      {
        NODE_ENV: 'test',
        DATA_DIR: mkdtempSync(path.join(tmpdir(), 'opco-operations-')),
        DATABASE_URL: database.url,
        SMTP_URL: smtp.url,
        IDP_PORT: String(port),
        IDP_METRICS_PORT: String(metricsPort),
        TRUST_PROXY: 'true',
        SHUTDOWN_DRAIN_MS: String(DRAIN_MS),
        MAIL_POLL_INTERVAL_MS: '100',
        COOKIE_KEYS: 'operations-cookie-key-0123456789abcdefghij',
        // The key registerClient encrypted the client's secret with.
        SIGNING_KEYS_SECRET: TEST_SECRETS.SIGNING_KEYS_SECRET,
        MEMBER_CODE_HMAC_KEY: 'operations-hmac-key-0123456789abcdefghijk',
        PORTAL_SESSION_SECRET: 'operations-session-secret-0123456789abcde',
        PORTAL_CLIENT_SECRET: 'operations-portal-secret-0123456789abcdef',
        DEMO_TOOL_CLIENT_SECRET: 'operations-demo-secret-0123456789abcdefgh',
      },
      'idp ready',
    )
  })

  afterAll(async () => {
    idp?.kill('SIGKILL')
    await smtp?.close()
    if (!databaseClosed) await database?.close()
  })

  it('answers /healthz and /readyz, and has no /metrics on its public port', async () => {
    const health = await fetch(`${issuer}/healthz`)
    expect([health.status, await health.text()]).toEqual([200, 'ok\n'])
    const ready = await fetch(`${issuer}/readyz`)
    expect([ready.status, await ready.text()]).toEqual([200, 'prêt\n'])
    expect(ready.headers.get('cache-control')).toBe('no-store')
    expect((await fetch(`${issuer}/metrics`)).status).toBe(404)
  })

  it('serves Prometheus metrics on its own port: requests by route, logins, registrations, throttles, outbox, tokens, pool', async () => {
    // A refused login, refused registrations up to and beyond the per-IP limit, a machine token, a mail given up.
    const app = await discoverClient(issuer, 'operations', SECRET)
    const browser = new Browser()
    const login = await browser.get((await authorizationRequest(app, REDIRECT_URI)).url, { stopAt: REDIRECT_URI })
    const refused = await browser.submit(login, /\/login$/u, { email: 'personne@exemple.fr', password: 'pas-le-bon-mot-de-passe' }, { stopAt: REDIRECT_URI })
    expect(refused.status).toBe(401)
    const form = await browser.get(`${issuer}/inscription`)
    // registrationPerIp allows 20 an hour: the 21st is refused whatever the form says.
    const statuses = []
    for (let attempt = 0; attempt < 21; attempt++) statuses.push((await browser.submit(form, '/inscription', { email: 'pas-une-adresse' })).status)
    expect(statuses.filter((status) => status === 400)).toHaveLength(20)
    expect(statuses.at(-1)).toBe(429)
    await oidc.clientCredentialsGrant(app)
    const person = newPerson('Mesure', 'Métrique')
    await database!.knex('mail_outbox').insert({ to: person.email, template: 'verify_email', data: '{}', status: 'failed', last_error: 'refusé par le serveur' })

    const response = await fetch(metricsUrl)
    expect(response.headers.get('content-type')).toContain('text/plain; version=0.0.4')
    const text = await response.text()
    expect(sample(text, 'opco_http_request_duration_seconds_count', { route: '/inscription', method: 'POST', status: '400' })).toBe(20)
    expect(sample(text, 'opco_http_request_duration_seconds_count', { route: '/interaction/:uid/login', method: 'POST', status: '401' })).toBe(1)
    expect(sample(text, 'opco_http_request_duration_seconds_count', { route: '/token', method: 'POST', status: '200' })).toBe(1)
    expect(sample(text, 'opco_http_request_duration_seconds_count', { route: 'unmatched', method: 'GET', status: '404' })).toBe(1) // the /metrics above
    expect(sample(text, 'opco_http_request_duration_seconds_bucket', { route: '/token', le: '+Inf' })).toBe(1)
    expect(sample(text, 'opco_logins_total', { outcome: 'invalid_credentials' })).toBe(1)
    expect(sample(text, 'opco_logins_total', { outcome: 'success' })).toBe(0)
    expect(sample(text, 'opco_registrations_total', { outcome: 'invalid' })).toBe(20)
    expect(sample(text, 'opco_registrations_total', { outcome: 'throttled' })).toBe(1)
    expect(sample(text, 'opco_throttle_refusals_total', { limit: 'idp_registrationPerIp' })).toBe(1)
    expect(sample(text, 'opco_throttle_refusals_total', { limit: 'idp_loginFailuresPerIp' })).toBe(0)
    expect(sample(text, 'opco_token_issues_total', { grant_type: 'client_credentials' })).toBe(1)
    expect(sample(text, 'opco_token_issues_total', { grant_type: 'authorization_code' })).toBe(0)
    expect(sample(text, 'opco_mail_outbox', { status: 'failed' })).toBe(1)
    expect(sample(text, 'opco_mail_outbox', { status: 'pending' })).toBeGreaterThanOrEqual(0)
    expect(sample(text, 'opco_db_pool_max')).toBe(10)
    expect(sample(text, 'opco_db_pool_used')).toBeGreaterThanOrEqual(0)
    expect(sample(text, 'process_resident_memory_bytes')).toBeGreaterThan(0)
    expect((await fetch(metricsUrl.replace('/metrics', '/'))).status).toBe(404)
  })

  it("logs one JSON line per request with its id: the proxy's when it is a short token, else a fresh one", async () => {
    const kept = await fetch(`${issuer}/.well-known/openid-configuration`, { headers: { 'x-request-id': 'haproxy-7f3a:12' } })
    expect(kept.headers.get('x-request-id')).toBe('haproxy-7f3a:12')
    const replaced = await fetch(`${issuer}/.well-known/openid-configuration`, { headers: { 'x-request-id': 'x'.repeat(101) } })
    expect(replaced.headers.get('x-request-id')).toMatch(/^[\da-f-]{36}$/u)
    await new Promise((resolve) => setTimeout(resolve, 200))
    const lines = idp!.logs().filter((entry) => entry.msg === 'request' && entry.path === '/.well-known/openid-configuration')
    expect(lines.map((entry) => entry.requestId)).toEqual(expect.arrayContaining(['haproxy-7f3a:12', replaced.headers.get('x-request-id')]))
    expect(lines[0]).toMatchObject({ level: 30, name: 'idp', method: 'GET', status: 200, ms: expect.any(Number) })
  })

  it('stays alive but is not ready while its database is unreachable', async () => {
    await database!.close()
    databaseClosed = true
    const ready = await fetch(`${issuer}/readyz`)
    expect(ready.status).toBe(503)
    expect(await ready.text()).toMatch(/^non prêt : base de données (injoignable|sans réponse)/u)
    expect((await fetch(`${issuer}/healthz`)).status).toBe(200)
  })

  it('stops gracefully on SIGTERM: /readyz fails at once, requests are still served, then it exits with 0', async () => {
    const started = Date.now()
    idp!.kill('SIGTERM')
    await new Promise((resolve) => setTimeout(resolve, 200))
    const ready = await fetch(`${issuer}/readyz`)
    expect([ready.status, await ready.text()]).toEqual([503, 'non prêt : arrêt en cours\n'])
    const served = await fetch(`${issuer}/jwks`)
    expect(served.status).toBe(200)
    expect(served.headers.get('connection')).toBe('close')
    expect(await idp!.exited).toBe(0)
    expect(Date.now() - started).toBeGreaterThanOrEqual(DRAIN_MS)
    expect(idp!.logs().at(-1)).toMatchObject({ msg: 'stopped' })
  })
})
