import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { UNEXPECTED_ERROR } from '@opcommerce/shared/errors'
import { newPerson, registrationFields } from '../../tests/support/accounts'
import { Browser, type Page } from '../../tests/support/browser'
import { createTestDatabase, type TestDatabase } from '../../tests/support/database'
import { startTestIdp, useIdpStack, type TestIdp } from '../../tests/support/idp'
import { captureLogger } from '../../tests/support/logger'
import { rowCounts } from '../../tests/support/rows'
import { messages } from './messages'

/** The security headers every answer of the idp carries, pages and error pages alike. */
function expectSecurityHeaders(headers: Headers, what: string) {
  expect({ what, csp: headers.get('content-security-policy') }).toEqual({ what, csp: expect.stringContaining("frame-ancestors 'none'") })
  expect({ what, csp: headers.get('content-security-policy') }).toEqual({ what, csp: expect.stringContaining("script-src 'self'") })
  expect({ what, nosniff: headers.get('x-content-type-options') }).toEqual({ what, nosniff: 'nosniff' })
  expect({ what, referrer: headers.get('referrer-policy') }).toEqual({ what, referrer: 'no-referrer' })
}

describe('idp hardening: cross-site posts, cookie names, headers of error pages, secrets in logs', () => {
  const stack = useIdpStack()

  it('refuses a post that the browser says comes from another site (Sec-Fetch-Site, Origin), even with the right token', async () => {
    const browser = new Browser()
    const form = await browser.get(`${stack.idp.issuer}/inscription`)
    const person = newPerson('Xavier', 'Ailleurs')
    const before = await rowCounts(stack.database.knex)
    const crossSite: Record<string, string>[] = [{ 'sec-fetch-site': 'cross-site' }, { 'sec-fetch-site': 'same-site' }, { origin: 'https://pirate.example' }]
    for (const headers of crossSite) {
      const page = await browser.submit(form, '/inscription', registrationFields(person), { headers })
      expect({ headers, status: page.status }).toEqual({ headers, status: 403 })
      expect(page.text).toContain(messages.errors.crossSite)
    }
    expect(await rowCounts(stack.database.knex)).toEqual(before)
    const sameOrigin = await browser.submit(form, '/inscription', registrationFields(person), { headers: { 'sec-fetch-site': 'same-origin', origin: stack.idp.issuer } })
    expect(sameOrigin.text).toContain('Un message de validation a été envoyé')
  })

  it('puts its security headers on every error page', async () => {
    const pages: [string, () => Promise<Page>][] = [
      ['404', () => new Browser().get(`${stack.idp.issuer}/nulle-part`)],
      ['405', () => new Browser().get(`${stack.idp.issuer}/inscription/renvoyer`)],
      ['400 (login expired)', () => new Browser().get(`${stack.idp.issuer}/interaction/inconnue`)],
      ['410 (link)', async () => new Browser().get(`${stack.idp.issuer}/validation/${'A'.repeat(43)}`)],
      ['oidc-provider error', () => new Browser().get(`${stack.idp.issuer}/auth?client_id=inconnu&response_type=code&scope=openid`)],
    ]
    for (const [what, open] of pages) {
      const page = await open()
      expect(page.status).toBeGreaterThanOrEqual(400)
      expectSecurityHeaders(page.headers, what)
    }
  })
})

describe('idp over https (behind its proxy): __Host- cookie names', () => {
  const stack = useIdpStack({ env: { IDP_ISSUER: 'https://auth.opcommerce.test', TRUST_PROXY: 'true' } })

  it('names its own cookies __Host- and oidc-provider’s session __Host-, secure, for the whole host', async () => {
    const port = new URL(stack.idp.config.idp.issuer).port
    expect(port).toBe('')
    // The test server listens on a local port: requests reach it as the proxy would forward them.
    const local = `http://localhost:${stack.idp.config.idp.port}`
    const response = await fetch(`${local}/inscription`, { headers: { 'x-forwarded-proto': 'https', accept: 'text/html' } })
    const cookies = response.headers.getSetCookie()
    const csrf = cookies.find((cookie) => cookie.startsWith('__Host-idp_csrf='))
    expect(csrf).toMatch(/; path=\/;.*secure/iu)
    expect(csrf).not.toMatch(/domain=/iu)
    expect(cookies.some((cookie) => cookie.startsWith('idp_csrf='))).toBe(false)
    expect(response.headers.get('strict-transport-security')).toMatch(/max-age=31536000/u)
  })
})

describe('idp logs: the secret of a mail link never appears, not even when a request fails', () => {
  const captured = captureLogger('info')
  let idp: TestIdp | undefined
  let database: TestDatabase | undefined

  beforeAll(async () => {
    database = await createTestDatabase()
    idp = await startTestIdp(database, { url: 'smtp://127.0.0.1:9' }, { logger: captured.logger })
  })

  afterAll(async () => {
    await idp?.close().catch(() => undefined)
    await database?.close().catch(() => undefined)
  })

  it('masks link secrets in request lines and in the lines of failed requests (a 5xx logged with its path)', async () => {
    const secret = 'S3cretLinkTokenS3cretLinkTokenS3cretLink123'
    expect((await new Browser().get(`${idp!.issuer}/mot-de-passe/${secret}`)).status).toBe(404)
    // The idp's database handle closed under it: every query fails, the request is logged as failed.
    await database!.knex.destroy()
    const failed = await new Browser().get(`${idp!.issuer}/validation/${secret}`)
    expect(failed.status).toBe(500)
    expect(failed.text).toContain(UNEXPECTED_ERROR)
    expectSecurityHeaders(failed.headers, '500')
    const lines = captured.entries.map((entry) => JSON.stringify(entry))
    expect(lines.filter((line) => line.includes('/validation/[masqué]') || line.includes('/mot-de-passe/[masqué]')).length).toBeGreaterThanOrEqual(3)
    expect(lines.filter((line) => line.includes(secret))).toEqual([])
  })
})
