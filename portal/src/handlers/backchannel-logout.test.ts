import { createServer } from 'node:http'
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { sha256 } from '@opcommerce/shared/crypto'
import { portalClient } from '@opcommerce/shared/platform-clients'
import { listen } from '@opcommerce/shared/process'
import { createClientQueries } from '@opcommerce/shared/queries/clients'
import { relyingParty, signIn, startLogoutReceiver, until, type LogoutReceiver, type RelyingParty } from '../../../tests/conformance/support'
import { newPerson, registerValidated, type Person } from '../../../tests/support/accounts'
import { Browser } from '../../../tests/support/browser'
import { testConfig, useIdpStack } from '../../../tests/support/idp'
import { freePort } from '../../../tests/support/ports'
import { testPortalContext } from '../../../tests/support/portal'
import type { PortalContext } from '@/lib/context'
import { cookieNames } from '@/lib/cookies'
import { finishLogin, startLogin } from './auth'
import { backchannelLogout } from './backchannel-logout'

/** The value of a cookie a response sets. */
const setCookie = (response: Response, name: string) =>
  response.headers.getSetCookie().find((cookie) => cookie.startsWith(`${name}=`))?.slice(name.length + 1).split(';')[0]

describe('POST /auth/backchannel-logout: the idp tells the portal that an SSO session ended', () => {
  const stack = useIdpStack()
  let context: PortalContext
  let endpoint: ReturnType<typeof createServer>
  /** Every logout token the idp delivered to the portal, in order. */
  const delivered: string[] = []
  let other: RelyingParty
  let otherReceiver: LogoutReceiver

  /** Logs `person` in to the portal in `browser`, through the real idp; returns the portal session cookie. */
  async function logInToPortal(browser: Browser, person: Person): Promise<string> {
    const started = await startLogin(context, new Request(`${context.config.portal.url}/auth/login`))
    const callbackUrl = `${context.config.portal.url}/auth/callback`
    let page = await browser.get(started.headers.get('location')!, { stopAt: callbackUrl })
    if (!page.url.startsWith(callbackUrl)) page = await browser.submit(page, /\/login$/u, { email: person.email, password: person.password }, { stopAt: callbackUrl })
    const { login, session } = cookieNames(context.config)
    const finished = await finishLogin(context, new Request(page.url, { headers: { cookie: `${login}=${setCookie(started, login)}` } }))
    return setCookie(finished, session)!
  }

  /** Logs out at the idp from another application: the confirmation page, then its form. */
  async function logOutElsewhere(browser: Browser): Promise<void> {
    await browser.submit(await browser.get(`${stack.idp.issuer}/session/end`), /\/session\/end\/confirm$/u)
  }

  const post = (body: BodyInit) => backchannelLogout(context, new Request(`${context.config.portal.url}/auth/backchannel-logout`, { method: 'POST', body }))

  beforeAll(async () => {
    // The portal's endpoint, reached over HTTP by the idp's LogoutSender as in production.
    const port = await freePort()
    context = testPortalContext(testConfig(stack.database, stack.smtp, { IDP_ISSUER: stack.idp.issuer, PORTAL_URL: `http://localhost:${port}` }), stack.database.knex)
    endpoint = createServer((request, response) => {
      let body = ''
      request.on('data', (chunk: Buffer) => (body += chunk.toString()))
      request.on('end', () => {
        delivered.push(new URLSearchParams(body).get('logout_token') ?? '')
        void post(new URLSearchParams(body)).then(async (answer) => response.writeHead(answer.status).end(await answer.text()))
      })
    })
    await listen(endpoint, port, 'PORTAL_PORT')
    await createClientQueries(stack.database.knex).save(portalClient(context.config))
    otherReceiver = await startLogoutReceiver()
    other = await relyingParty(stack, 'other-tool', { backchannelLogoutUri: otherReceiver.uri })
  })

  afterAll(async () => {
    await new Promise((resolve) => endpoint?.close(resolve))
    await otherReceiver?.close()
  })

  it('ends the portal sessions of the SSO session at once, not at their next refresh, and leaves the others', async () => {
    const hélène = newPerson('Hélène', 'Retour')
    const browser = new Browser()
    await registerValidated(browser, stack.idp.issuer, stack.smtp, hélène)
    const cookie = await logInToPortal(browser, hélène)
    const [row] = await stack.database.knex('portal_sessions').where({ id: sha256(cookie) })
    expect(row.sid).toEqual(expect.any(String))
    const bystander = newPerson('Ivan', 'Reste')
    const otherBrowser = new Browser()
    await registerValidated(otherBrowser, stack.idp.issuer, stack.smtp, bystander)
    const otherCookie = await logInToPortal(otherBrowser, bystander)

    await logOutElsewhere(browser)
    await until(() => context.sessions.resume(cookie), (session) => session === undefined)
    // The access token was still valid: no refresh told the portal, the logout token did.
    expect(await stack.database.knex('portal_sessions').where({ id: sha256(cookie) })).toEqual([])
    expect(await context.sessions.resume(otherCookie)).toMatchObject({ user: { email: bystander.email } })
  })

  it('Back-Channel Logout 1.0 §2.6 and §2.8: refuses a replayed token, an ID token, another client’s token, a missing one (400, never cached)', async () => {
    const person = newPerson('Jules', 'Refus')
    const browser = new Browser()
    await registerValidated(browser, stack.idp.issuer, stack.smtp, person)
    await logInToPortal(browser, person)
    const idToken = (await signIn(browser, other, person)).id_token!
    const before = delivered.length
    await logOutElsewhere(browser)
    const [forPortal] = await until(async () => delivered.slice(before), (tokens) => tokens.length > 0)
    const [forOther] = await otherReceiver.waitFor(1)

    const refusals = {
      replayed: await post(new URLSearchParams({ logout_token: forPortal! })),
      idToken: await post(new URLSearchParams({ logout_token: idToken })),
      otherClient: await post(new URLSearchParams({ logout_token: forOther!.token })),
      tampered: await post(new URLSearchParams({ logout_token: `${forPortal!.slice(0, -4)}AAAA` })),
      missing: await post(new URLSearchParams()),
      notAForm: await post('{"logout_token": "x"}'),
    }
    for (const [name, response] of Object.entries(refusals)) {
      expect([name, response.status]).toEqual([name, 400])
      expect(response.headers.get('cache-control')).toBe('no-store')
      expect(await response.json()).toMatchObject({ error: 'invalid_request' })
    }
  })
})
