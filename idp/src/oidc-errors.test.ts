import { beforeAll, describe, expect, it } from '@jest/globals'
import { type HTMLElement, parse } from 'node-html-parser'
import * as oidc from 'openid-client'
import { newPerson, type Person, registerValidated } from '../../tests/support/accounts'
import { Browser } from '../../tests/support/browser'
import { registerClient } from '../../tests/support/clients'
import { useIdpStack } from '../../tests/support/idp'
import { authorizationRequest, discoverClient } from '../../tests/support/oidc'
import { messages } from './messages'

const FIRST_PARTY_REDIRECT = 'http://localhost:7021/callback'
const THIRD_PARTY_REDIRECT = 'http://localhost:7022/callback'
const UNREGISTERED_REDIRECT = 'http://evil.localhost:7666/callback'
const SECRET = 'errors-client-secret-0123456789abcdefghijklm'

describe('OAuth errors: refused authorization and token requests', () => {
  const stack = useIdpStack()
  let firstParty: oidc.Configuration
  let thirdParty: oidc.Configuration
  let person: Person
  /** A browser where `person` is logged in (single sign-on session). */
  const signedIn = new Browser()

  beforeAll(async () => {
    await registerClient(stack.database.knex, { clientId: 'our-app', clientSecret: SECRET, redirectUris: [FIRST_PARTY_REDIRECT], firstParty: true, name: 'Portail' })
    await registerClient(stack.database.knex, {
      clientId: 'partner-app',
      clientSecret: SECRET,
      redirectUris: [THIRD_PARTY_REDIRECT],
      firstParty: false,
      name: 'Outil partenaire',
    })
    await registerClient(stack.database.knex, { clientId: 'retired-app', clientSecret: SECRET, redirectUris: [FIRST_PARTY_REDIRECT], firstParty: true })
    await stack.database.knex('oidc_clients').where({ client_id: 'retired-app' }).update({ enabled: false })
    firstParty = await discoverClient(stack.idp.issuer, 'our-app', SECRET)
    thirdParty = await discoverClient(stack.idp.issuer, 'partner-app', SECRET)
    person = newPerson('Jade', 'Klein')
    await registerValidated(signedIn, stack.idp.issuer, stack.smtp, person)
    const login = await signedIn.get((await authorizationRequest(firstParty, FIRST_PARTY_REDIRECT)).url)
    const signIn = await signedIn.submit(login, /\/login$/u, { email: person.email, password: person.password }, { stopAt: FIRST_PARTY_REDIRECT })
    if (!signIn.url.startsWith(FIRST_PARTY_REDIRECT)) throw new Error(`Login failed:\n${signIn.text}`)
  })

  /** An /auth URL built by hand: a valid PKCE request of our-app, `changes` applied (undefined removes). */
  function authUrl(changes: Record<string, string | undefined>): string {
    const params: Record<string, string | undefined> = {
      client_id: 'our-app',
      response_type: 'code',
      redirect_uri: FIRST_PARTY_REDIRECT,
      scope: 'openid email',
      state: 'etat-123',
      code_challenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM',
      code_challenge_method: 'S256',
      ...changes,
    }
    const url = new URL(`${stack.idp.issuer}/auth`)
    for (const [name, value] of Object.entries(params)) if (value !== undefined) url.searchParams.set(name, value)
    return url.toString()
  }

  /** One request, redirects not followed: where the browser would be sent, or the page shown. */
  async function fetchOnce(url: string): Promise<{ status: number; location: string | null; document: HTMLElement }> {
    const response = await fetch(url, { redirect: 'manual', headers: { accept: 'text/html' } })
    return { status: response.status, location: response.headers.get('location'), document: parse(await response.text()) }
  }

  /** The French error page of a request that must not go back to any application. */
  async function expectErrorPage(url: string, status: number, message: string): Promise<void> {
    const { status: actual, location, document } = await fetchOnce(url)
    expect(actual).toBe(status)
    expect(location).toBeNull()
    expect(document.querySelector('html')?.getAttribute('lang')).toBe('fr')
    expect(document.querySelector('.alert--error')?.textContent.trim()).toBe(message)
  }

  it('refuses a request without PKCE: back to the application with invalid_request, never a code (no idp page)', async () => {
    const { status, location } = await fetchOnce(authUrl({ code_challenge: undefined, code_challenge_method: undefined }))
    expect(status).toBeGreaterThanOrEqual(300)
    expect(status).toBeLessThan(400)
    const back = new URL(location!)
    expect(`${back.origin}${back.pathname}`).toBe(FIRST_PARTY_REDIRECT)
    expect(back.searchParams.get('error')).toBe('invalid_request')
    expect(back.searchParams.get('error_description')).toMatch(/PKCE/u)
    expect(back.searchParams.get('state')).toBe('etat-123')
    expect(back.searchParams.has('code')).toBe(false)
  })

  it.each(['state', 'nonce'])('refuses a %s holding a NUL character: back to the application with invalid_request, nothing stored', async (name) => {
    const before = await stack.database.knex('oidc_payloads').count({ count: '*' }).first()
    const { status, location } = await fetchOnce(authUrl({ [name]: 'etat\u0000nul' }))
    expect(status).toBeGreaterThanOrEqual(300)
    expect(status).toBeLessThan(400)
    const back = new URL(location!)
    expect(`${back.origin}${back.pathname}`).toBe(FIRST_PARTY_REDIRECT)
    expect(back.searchParams.get('error')).toBe('invalid_request')
    expect(back.searchParams.has('code')).toBe(false)
    expect(await stack.database.knex('oidc_payloads').count({ count: '*' }).first()).toEqual(before)
  })

  it('refuses the "plain" PKCE method: only S256 is accepted', async () => {
    const { location } = await fetchOnce(authUrl({ code_challenge: 'a'.repeat(43), code_challenge_method: 'plain' }))
    const back = new URL(location!)
    expect(back.searchParams.get('error')).toBe('invalid_request')
    expect(back.searchParams.has('code')).toBe(false)
  })

  it('shows a French page (400) for a redirect_uri the client did not register, and never redirects there', async () => {
    await expectErrorPage(
      authUrl({ redirect_uri: UNREGISTERED_REDIRECT }),
      400,
      "L'adresse de retour demandée par l'application n'est pas autorisée. Contactez l'équipe qui gère cette application.",
    )
  })

  it('shows the same page for a redirect_uri that only starts like the registered one', async () => {
    await expectErrorPage(
      authUrl({ redirect_uri: `${FIRST_PARTY_REDIRECT}/../../evil` }),
      400,
      "L'adresse de retour demandée par l'application n'est pas autorisée. Contactez l'équipe qui gère cette application.",
    )
  })

  it.each([
    ['an unknown client_id', { client_id: 'inconnue' }],
    ['a disabled client', { client_id: 'retired-app' }],
  ])('shows a French page (400) for %s, without redirecting', async (_label, changes) => {
    await expectErrorPage(authUrl(changes), 400, "Cette application n'est pas reconnue par le service d'authentification de l'Opcommerce.")
  })

  it('shows a French page (400) when client_id is missing', async () => {
    await expectErrorPage(authUrl({ client_id: undefined }), 400, "La demande de connexion envoyée par l'application est incorrecte.")
  })

  // oidc-provider names these cases only in English (error_description); oidc/errors.ts maps
  // them by error class, and these tests drive the real provider into each one.
  it('shows the French "expired" page (400) when a browser resumes an authorization request without its cookie', async () => {
    const login = await new Browser().get((await authorizationRequest(firstParty, FIRST_PARTY_REDIRECT)).url)
    const uid = new URL(login.url).pathname.split('/').at(-1)!
    await expectErrorPage(`${stack.idp.issuer}/auth/${uid}`, 400, messages.login.expired)
  })

  it('shows the French "expired" page (400) when the authorization request to resume is gone', async () => {
    const browser = new Browser()
    const login = await browser.get((await authorizationRequest(firstParty, FIRST_PARTY_REDIRECT)).url)
    const uid = new URL(login.url).pathname.split('/').at(-1)!
    await stack.database.knex('oidc_payloads').where({ kind: 'Interaction', id: uid }).delete()
    const page = await browser.get(`${stack.idp.issuer}/auth/${uid}`, { stopAt: FIRST_PARTY_REDIRECT })
    expect(page.status).toBe(400)
    expect(page.document.querySelector('.alert--error')?.textContent.trim()).toBe(messages.login.expired)
  })

  it('sends an unsupported response_type back to the application as an error, never a token', async () => {
    const { location } = await fetchOnce(authUrl({ response_type: 'token' }))
    const back = new URL(location!)
    expect(`${back.origin}${back.pathname}`).toBe(FIRST_PARTY_REDIRECT)
    // An implicit-flow response type answers in the fragment.
    expect(new URLSearchParams(back.hash.slice(1)).get('error')).toBe('unsupported_response_type')
    expect(location).not.toMatch(/access_token|code=/u)
  })

  it('answers prompt=none without a session with login_required', async () => {
    const { location } = await fetchOnce(authUrl({ prompt: 'none' }))
    const back = new URL(location!)
    expect(`${back.origin}${back.pathname}`).toBe(FIRST_PARTY_REDIRECT)
    expect(back.searchParams.get('error')).toBe('login_required')
  })

  it('refuses a reused authorization code with invalid_grant and revokes what the code gave', async () => {
    const request = await authorizationRequest(firstParty, FIRST_PARTY_REDIRECT)
    const login = await signedIn.get(request.url, { stopAt: FIRST_PARTY_REDIRECT })
    expect(login.url).toMatch(/code=/u)
    const checks = { pkceCodeVerifier: request.verifier, expectedState: request.state, expectedNonce: request.nonce }
    const tokens = await oidc.authorizationCodeGrant(firstParty, new URL(login.url), checks)
    const sub = tokens.claims()!.sub
    await expect(oidc.fetchUserInfo(firstParty, tokens.access_token, sub)).resolves.toMatchObject({ email: person.email })

    await expect(oidc.authorizationCodeGrant(firstParty, new URL(login.url), checks)).rejects.toMatchObject({ error: 'invalid_grant' })
    await expect(oidc.fetchUserInfo(firstParty, tokens.access_token, sub)).rejects.toMatchObject({ status: 401 })
    await expect(oidc.refreshTokenGrant(firstParty, tokens.refresh_token!)).rejects.toMatchObject({ error: 'invalid_grant' })
  })

  it('refuses a code presented with the wrong PKCE verifier (invalid_grant)', async () => {
    const request = await authorizationRequest(firstParty, FIRST_PARTY_REDIRECT)
    const callback = await signedIn.get(request.url, { stopAt: FIRST_PARTY_REDIRECT })
    expect(callback.url).toMatch(/code=/u)
    await expect(
      oidc.authorizationCodeGrant(firstParty, new URL(callback.url), {
        pkceCodeVerifier: oidc.randomPKCECodeVerifier(),
        expectedState: request.state,
        expectedNonce: request.nonce,
      }),
    ).rejects.toMatchObject({ error: 'invalid_grant' })
  })

  it('refuses a code of one client redeemed by another (invalid_grant)', async () => {
    const request = await authorizationRequest(firstParty, FIRST_PARTY_REDIRECT)
    const callback = await signedIn.get(request.url, { stopAt: FIRST_PARTY_REDIRECT })
    const code = new URL(callback.url).searchParams.get('code')!
    const response = await fetch(`${stack.idp.issuer}/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: `Basic ${Buffer.from(`partner-app:${SECRET}`).toString('base64')}` },
      body: new URLSearchParams({ grant_type: 'authorization_code', code, redirect_uri: FIRST_PARTY_REDIRECT, code_verifier: request.verifier }),
    })
    expect(response.status).toBe(400)
    expect(await response.json()).toMatchObject({ error: 'invalid_grant' })
  })

  it('asks for consent for a third-party client ("Autoriser l\'accès"); "Refuser" returns access_denied to it', async () => {
    const request = await authorizationRequest(thirdParty, THIRD_PARTY_REDIRECT)
    const consent = await signedIn.get(request.url, { stopAt: THIRD_PARTY_REDIRECT })
    expect(consent.status).toBe(200)
    expect(consent.document.querySelector('h1')?.textContent).toBe("Autoriser l'accès")
    expect(consent.text).toContain("L'application Outil partenaire demande à accéder à :")
    expect(consent.text).toContain('votre adresse email')
    expect(consent.text).toContain('les entreprises auxquelles vous avez accès')

    const back = await signedIn.submit(consent, /\/abort$/u, {}, { stopAt: THIRD_PARTY_REDIRECT })
    const callback = new URL(back.url)
    expect(`${callback.origin}${callback.pathname}`).toBe(THIRD_PARTY_REDIRECT)
    expect(callback.searchParams.get('error')).toBe('access_denied')
    expect(callback.searchParams.get('error_description')).toBe(messages.consent.denied)
    expect(callback.searchParams.get('state')).toBe(request.state)
    expect(callback.searchParams.has('code')).toBe(false)
    await expect(
      oidc.authorizationCodeGrant(thirdParty, callback, { pkceCodeVerifier: request.verifier, expectedState: request.state }),
    ).rejects.toMatchObject({ error: 'access_denied' })

    const asked = await signedIn.get((await authorizationRequest(thirdParty, THIRD_PARTY_REDIRECT)).url, { stopAt: THIRD_PARTY_REDIRECT })
    expect(asked.document.querySelector('h1')?.textContent).toBe("Autoriser l'accès")
  })

  it('remembers a consent once given: "Autoriser" returns a code, and the next request does not ask again', async () => {
    const request = await authorizationRequest(thirdParty, THIRD_PARTY_REDIRECT)
    const consent = await signedIn.get(request.url, { stopAt: THIRD_PARTY_REDIRECT })
    const back = await signedIn.submit(consent, /\/consent$/u, {}, { stopAt: THIRD_PARTY_REDIRECT })
    const tokens = await oidc.authorizationCodeGrant(thirdParty, new URL(back.url), {
      pkceCodeVerifier: request.verifier,
      expectedState: request.state,
      expectedNonce: request.nonce,
    })
    expect(tokens.claims()).toMatchObject({ email: person.email })
    const again = await signedIn.get((await authorizationRequest(thirdParty, THIRD_PARTY_REDIRECT)).url, { stopAt: THIRD_PARTY_REDIRECT })
    expect(again.url).toMatch(/code=/u)
  })
})
