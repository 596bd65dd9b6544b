import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { NextRequest } from 'next/server'
import * as oidc from 'openid-client'
import { hashPassword } from '@opcommerce/idp/src/libraries/passwords'
import { createKnex, type Knex } from '@opcommerce/shared/db/knex'
import { SERVICE_UNAVAILABLE } from '@opcommerce/shared/errors'
import { enqueueMail } from '@opcommerce/shared/mail/outbox'
import { createMembershipQueries } from '@opcommerce/shared/queries/memberships'
import { createUserQueries } from '@opcommerce/shared/queries/users'
import { memberActionHandler } from '@/handlers/companies'
import type { PortalContext } from '@/lib/context'
import { proxy } from '../../portal/proxy'
import { Browser } from '../support/browser'
import { registerClient } from '../support/clients'
import { startTestIdp, TEST_SECRETS, testConfig, type TestIdp } from '../support/idp'
import { authorizationRequest, discoverClient } from '../support/oidc'
import { createCompany, createUser, formRequest, testPortalContext } from '../support/portal'
import { canRunPrivatePostgres, startPrivatePostgres, type PrivatePostgres } from '../support/private-postgres'
import { startSmtpCapture, type SmtpCapture } from '../support/smtp'

const REDIRECT_URI = 'http://localhost:7801/callback'
const SECRET = 'fault-app-secret-0123456789abcdefghijklmn'
const PASSWORD = 'Panne-De-Courant-47!'
const RECOVERY_LIMIT = 10_000 // milliseconds: both services answer again within 10 s of the database's return

// PostgreSQL only (TEST_DATABASE_URL: the CI's PostgreSQL run), on a server of this test's own:
// the shared one is never restarted.
const onPostgres = process.env.TEST_DATABASE_URL && canRunPrivatePostgres() ? describe : describe.skip

onPostgres('PostgreSQL restarted in the middle of traffic', () => {
  let server: PrivatePostgres | undefined
  let knex: Knex | undefined
  let smtp: SmtpCapture | undefined
  let idp: TestIdp | undefined
  let context: PortalContext
  let app: oidc.Configuration

  beforeAll(async () => {
    server = await startPrivatePostgres()
    knex = createKnex(server.url)
    await knex.migrate.latest()
    smtp = await startSmtpCapture()
    const database = { url: server.url, knex }
    idp = await startTestIdp(database, smtp)
    context = testPortalContext(testConfig(database, smtp, { IDP_ISSUER: idp.issuer }), knex)
    // The portal's proxy builds its own context from the environment, as `next start` does.
    Object.assign(process.env, { NODE_ENV: 'test', LOG_LEVEL: 'silent', DATABASE_URL: server.url, SMTP_URL: smtp.url, IDP_ISSUER: idp.issuer, DATA_DIR: mkdtempSync(path.join(tmpdir(), 'opco-fault-')), ...TEST_SECRETS })
    await registerClient(knex, { clientId: 'fault-app', clientSecret: SECRET, redirectUris: [REDIRECT_URI], firstParty: true })
    app = await discoverClient(idp.issuer, 'fault-app', SECRET)
  }, 60_000)

  afterAll(async () => {
    // The proxy's own context (portal/src/lib/context.ts keeps it on globalThis for the process).
    const proxyContext = (globalThis as { opcommercePortal?: Promise<PortalContext> }).opcommercePortal
    await proxyContext?.then((opened) => opened.db.destroy()).catch(() => undefined)
    await idp?.close()
    await smtp?.close()
    await knex?.destroy()
    await server?.destroy()
  })

  const idpPage = (pathname: string) => fetch(`${idp!.issuer}${pathname}`, { headers: { accept: 'text/html' }, redirect: 'manual' })
  const portalPage = () => proxy(new NextRequest('http://localhost:3000/outils'))
  /**
   * What both services answer now: the idp's readiness (its liveness, /healthz, stays 200: the
   * process is fine, only the database is away), a page that reads the database, the portal's pages.
   */
  const probes = {
    idpReadiness: () => idpPage('/readyz'),
    idpResetLink: () => idpPage(`/mot-de-passe/${'A'.repeat(43)}`),
    idpAuthorization: () => idpPage(`/auth?client_id=fault-app&response_type=code&scope=openid&redirect_uri=${encodeURIComponent(REDIRECT_URI)}&code_challenge=${'a'.repeat(43)}&code_challenge_method=S256`),
    portalPage,
  }

  it('answers 503 with a French page meanwhile, recovers alone within 10 s, and loses or repeats no mail, decision or token', async () => {
    // Before: a signed-in application with its refresh token, a pending access request, mails queued.
    const email = `panne.${Date.now()}@exemple.fr`
    await createUserQueries(knex!).insertValidated({ email, passwordHash: await hashPassword(PASSWORD), givenName: 'Paul', familyName: 'Panne' }, new Date())
    const browser = new Browser()
    const request = await authorizationRequest(app, REDIRECT_URI)
    const callback = await browser.submit(await browser.get(request.url), /\/login$/u, { email, password: PASSWORD }, { stopAt: REDIRECT_URI })
    const tokens = await oidc.authorizationCodeGrant(app, new URL(callback.url), { pkceCodeVerifier: request.verifier, expectedState: request.state, expectedNonce: request.nonce })
    const company = await createCompany(knex!, context.config, 'Entreprise En Panne')
    const [admin, requester] = [await createUser(knex!, 'Alice'), await createUser(knex!, 'Bob')]
    await context.memberships.linkCompany(admin, company, 'test')
    await context.memberships.linkCompany(requester, company, 'test')
    const approve = async () => memberActionHandler(context, await formRequest(context, admin, `/api/entreprises/${company.siren}/membres/${requester.id}`, { action: 'approve' }), company.siren, requester.id)
    const approval = await formRequest(context, admin, `/api/entreprises/${company.siren}/membres/${requester.id}`, { action: 'approve' })
    const recipients = Array.from({ length: 5 }, (_, index) => `courrier.${index}.${Date.now()}@exemple.fr`)

    // Traffic, all along: every answer is recorded.
    const answers: { probe: string; status: number }[] = []
    let running = true
    const traffic = Promise.all(
      Object.entries(probes).map(async ([probe, send]) => {
        while (running) {
          const status = await send().then((response) => response.status, () => 0)
          answers.push({ probe, status })
          await new Promise((resolve) => setTimeout(resolve, 50))
        }
      }),
    )
    let recovery = Number.POSITIVE_INFINITY
    try {
      await new Promise((resolve) => setTimeout(resolve, 500))
      for (const to of recipients) await enqueueMail(knex!, to, 'access_refused', { companyName: 'Test', siren: company.siren, reason: null })

      await server!.stop()
      try {
        // The portal trusts a database that answered for a quarter of a second.
        await new Promise((resolve) => setTimeout(resolve, 500))
        for (const [probe, send] of Object.entries(probes)) {
          const response = await send()
          expect({ probe, status: response.status }).toEqual({ probe, status: 503 })
          if (probe === 'idpReadiness') continue // the load balancer's probe: a status, no page
          expect(response.headers.get('retry-after')).toBe('5')
          expect(await response.text()).toContain(SERVICE_UNAVAILABLE)
        }
        const refresh = await fetch(`${idp!.issuer}/token`, {
          method: 'POST',
          headers: { authorization: `Basic ${Buffer.from(`fault-app:${SECRET}`).toString('base64')}`, 'content-type': 'application/x-www-form-urlencoded' },
          body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: tokens.refresh_token! }),
        })
        expect(refresh.status).toBe(503)
        expect(await refresh.json()).toMatchObject({ error: 'temporarily_unavailable' })
        const refused = await memberActionHandler(context, approval, company.siren, requester.id)
        expect(refused.status).toBe(503)
        expect(await refused.json()).toEqual({ message: SERVICE_UNAVAILABLE })
      } finally {
        await server!.start()
      }

      const back = Date.now()
      const recovered = async (send: () => Promise<Response>) => {
        while ((await send().then((response) => response.status, () => 0)) >= 500) await new Promise((resolve) => setTimeout(resolve, 100))
        return Date.now() - back
      }
      recovery = Math.max(...(await Promise.all(Object.values(probes).map(recovered))))
    } finally {
      running = false
      await traffic
    }
    console.log(`[faults] both services answered again ${recovery} ms after PostgreSQL was back; ${answers.length} requests during the test, ${answers.filter((answer) => answer.status === 503).length} answered 503`)
    expect(recovery).toBeLessThan(RECOVERY_LIMIT)
    expect(answers.filter((answer) => answer.status === 503).length).toBeGreaterThan(0)
    expect(answers.filter((answer) => answer.status === 0 || (answer.status >= 500 && answer.status !== 503))).toEqual([])

    // Nothing lost, nothing twice.
    for (const to of recipients) await smtp!.waitForMail((mail) => JSON.stringify(mail.to).includes(to), 30_000)
    await new Promise((resolve) => setTimeout(resolve, 1_000))
    const delivered = smtp!.mails.filter((mail) => recipients.some((to) => JSON.stringify(mail.to).includes(to)))
    expect(delivered).toHaveLength(recipients.length)
    expect(new Set(delivered.map((mail) => mail.messageId)).size).toBe(recipients.length)

    expect(await createMembershipQueries(knex!).find(requester.id, company.siren)).toMatchObject({ status: 'pending' })
    expect((await approve()).status).toBe(200)
    expect((await approve()).status).toBe(409)
    expect(await createMembershipQueries(knex!).find(requester.id, company.siren)).toMatchObject({ status: 'active' })

    const refreshed = await oidc.refreshTokenGrant(app, tokens.refresh_token!)
    expect(refreshed.access_token).toBeTruthy()
    await expect(oidc.refreshTokenGrant(app, tokens.refresh_token!)).rejects.toMatchObject({ error: 'invalid_grant' })
  }, 120_000)
})
