import { beforeAll, describe, expect, it } from '@jest/globals'
import { parse } from 'node-html-parser'
import { sha256 } from '@opcommerce/shared/crypto'
import { portalClient } from '@opcommerce/shared/platform-clients'
import { createClientQueries } from '@opcommerce/shared/queries/clients'
import { newPerson, registerValidated } from '../../../tests/support/accounts'
import { Browser } from '../../../tests/support/browser'
import { testConfig, useIdpStack } from '../../../tests/support/idp'
import { testPortalContext } from '../../../tests/support/portal'
import type { PortalContext } from '@/lib/context'
import { cookieNames } from '@/lib/cookies'
import { finishLogin, logout, startLogin } from './auth'

/** The value of a cookie a response sets. */
function setCookie(response: Response, name: string): string | undefined {
  const header = response.headers.getSetCookie().find((cookie) => cookie.startsWith(`${name}=`))
  return header?.slice(name.length + 1).split(';')[0]
}

describe('portal login through the idp (code + PKCE, state and nonce checked)', () => {
  const stack = useIdpStack()
  let context: PortalContext
  const person = newPerson('Hélène', 'Durand')
  const browser = new Browser()
  let SESSION_COOKIE = ''
  let LOGIN_COOKIE = ''

  /** Runs /auth/login, the idp's login page and /auth/callback; returns the callback's response. */
  async function logIn(returnTo: string, tamper: (callback: URL) => URL = (url) => url): Promise<Response> {
    const started = await startLogin(context, new Request(`${context.config.portal.url}/auth/login?returnTo=${encodeURIComponent(returnTo)}`))
    expect(started.status).toBe(303)
    const loginCookie = setCookie(started, LOGIN_COOKIE)!
    const callbackUrl = `${context.config.portal.url}/auth/callback`
    let page = await browser.get(started.headers.get('location')!, { stopAt: callbackUrl })
    if (!page.url.startsWith(callbackUrl)) page = await browser.submit(page, /\/login$/u, { email: person.email, password: person.password }, { stopAt: callbackUrl })
    return finishLogin(context, new Request(tamper(new URL(page.url)), { headers: { cookie: `${LOGIN_COOKIE}=${loginCookie}` } }))
  }

  beforeAll(async () => {
    context = testPortalContext(testConfig(stack.database, stack.smtp, { IDP_ISSUER: stack.idp.issuer }), stack.database.knex)
    ;({ session: SESSION_COOKIE, login: LOGIN_COOKIE } = cookieNames(context.config))
    await createClientQueries(stack.database.knex).save(portalClient(context.config))
    await registerValidated(browser, stack.idp.issuer, stack.smtp, person)
  })

  it('sends the browser to the idp with PKCE S256, state and nonce', async () => {
    const response = await startLogin(context, new Request(`${context.config.portal.url}/auth/login`))
    const target = new URL(response.headers.get('location')!)
    expect(target.origin).toBe(stack.idp.issuer)
    expect(target.searchParams.get('client_id')).toBe('portal')
    expect(target.searchParams.get('code_challenge_method')).toBe('S256')
    expect(target.searchParams.get('scope')).toBe('openid profile email')
    for (const parameter of ['code_challenge', 'state', 'nonce']) expect(target.searchParams.get(parameter)).toMatch(/^[\w-]{30,}$/u)
    expect(response.headers.getSetCookie()[0]).toMatch(/HttpOnly/iu)
  })

  it('opens a server-side session behind an opaque HttpOnly cookie and returns to the page asked for', async () => {
    const response = await logIn('/outils')
    expect(response.status).toBe(303)
    expect(response.headers.get('location')).toBe(`${context.config.portal.url}/outils`)
    const cookie = response.headers.getSetCookie().find((value) => value.startsWith(`${SESSION_COOKIE}=`))!
    expect(cookie).toMatch(/HttpOnly/iu)
    expect(cookie).toMatch(/SameSite=lax/iu)
    const value = setCookie(response, SESSION_COOKIE)!
    expect(value).toMatch(/^[\w-]{43}$/u)
    expect(await context.sessions.resume(value)).toMatchObject({ user: { email: person.email, givenName: 'Hélène', familyName: 'Durand' } })
    const [row] = await stack.database.knex('portal_sessions').where({ id: sha256(value) })
    expect(row.refresh_token_encrypted).toBeTruthy()
    expect(JSON.stringify(row)).not.toContain(value)
  })

  it('sends a person without any access to "Ajouter une entreprise" after login', async () => {
    const response = await logIn('')
    expect(response.headers.get('location')).toBe(`${context.config.portal.url}/entreprises/ajouter`)
  })

  it('refuses a callback whose state was tampered with, and opens no session', async () => {
    const response = await logIn('/outils', (url) => {
      url.searchParams.set('state', 'forged-state-forged-state-forged-state-forged')
      return url
    })
    expect(response.headers.get('location')).toBe(`${context.config.portal.url}/?erreur=connexion`)
    expect(setCookie(response, SESSION_COOKIE)).toBeUndefined()
  })

  it('explains a callback reached without a login in progress, rather than starting over in a loop', async () => {
    const response = await finishLogin(context, new Request(`${context.config.portal.url}/auth/callback?code=abc&state=def`))
    expect(response.headers.get('location')).toBe(`${context.config.portal.url}/?erreur=connexion`)
    expect(setCookie(response, SESSION_COOKIE)).toBeUndefined()
  })

  it('ignores a returnTo leading outside the portal', async () => {
    const response = await logIn('//evil.example/phishing')
    expect(response.headers.get('location')).toBe(`${context.config.portal.url}/entreprises/ajouter`)
  })

  it('logs out through the idp with the ID token in a posted form, never in a URL, only with the CSRF token', async () => {
    const sessionValue = setCookie(await logIn('/outils'), SESSION_COOKIE)!
    const session = (await context.sessions.resume(sessionValue))!
    const post = (csrf: string) => {
      const body = new FormData()
      body.set('_csrf', csrf)
      return new Request(`${context.config.portal.url}/auth/logout`, { method: 'POST', body, headers: { cookie: `${SESSION_COOKIE}=${sessionValue}` } })
    }
    expect((await logout(context, post('forged'))).status).toBe(403)
    const response = await logout(context, post(session.csrf))
    expect(response.status).toBe(200)
    expect(response.headers.get('location')).toBeNull()
    expect(response.headers.get('cache-control')).toBe('no-store')
    expect(response.headers.get('referrer-policy')).toBe('no-referrer')
    const page = parse(await response.text())
    const form = page.querySelector('form')!
    expect(form.getAttribute('method')).toBe('post')
    expect(form.getAttribute('action')).toBe(`${stack.idp.issuer}/session/end`)
    expect(form.querySelector('input[name="id_token_hint"]')?.getAttribute('value')).toBe(session.idToken)
    expect(form.querySelector('input[name="post_logout_redirect_uri"]')?.getAttribute('value')).toBe(`${context.config.portal.url}/`)
    expect(form.querySelector('button[type="submit"][data-auto-submit]')?.textContent).toBe('Se déconnecter')
    // The idp's script presses that button at once; the page runs no other.
    expect(page.querySelector('script')!.getAttribute('src')).toBe(`${stack.idp.issuer}/assets/auto-submit.js`)
    expect(response.headers.get('content-security-policy')).toContain(`script-src ${stack.idp.issuer};`)
    expect(response.headers.getSetCookie().some((cookie) => cookie.startsWith(`${SESSION_COOKIE}=;`))).toBe(true)
    expect(await context.sessions.resume(sessionValue)).toBeUndefined()
  })

  it('refreshes the tokens once when concurrent requests meet an expiring session, and ends it after an idp logout', async () => {
    const value = setCookie(await logIn('/outils'), SESSION_COOKIE)!
    const [before] = await stack.database.knex('portal_sessions').where({ id: sha256(value) })
    await stack.database.knex('portal_sessions').where({ id: sha256(value) }).update({ access_token_expires_at: new Date(Date.now() + 10_000) })

    const resumed = await Promise.all(Array.from({ length: 5 }, () => context.sessions.resume(value)))
    expect(resumed.every((session) => session?.user.email === person.email)).toBe(true)
    const [after] = await stack.database.knex('portal_sessions').where({ id: sha256(value) })
    expect(after.refresh_token_encrypted).not.toBe(before.refresh_token_encrypted)
    expect(after.access_token_expires_at.getTime()).toBeGreaterThan(Date.now() + 500_000)
    expect(after.refreshing_until).toBeNull()
    expect(await context.sessions.resume(value)).toMatchObject({ user: { email: person.email } })

    // Logging out elsewhere ends the SSO session: at its next refresh, the portal session ends too.
    const confirmation = await browser.get(`${stack.idp.issuer}/session/end`)
    await browser.submit(confirmation, /\/session\/end\/confirm$/u)
    await stack.database.knex('portal_sessions').where({ id: sha256(value) }).update({ access_token_expires_at: new Date() })
    expect(await context.sessions.resume(value)).toBeUndefined()
    expect(await stack.database.knex('portal_sessions').where({ id: sha256(value) })).toEqual([])
  })
})
