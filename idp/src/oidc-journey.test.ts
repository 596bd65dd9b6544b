import { beforeAll, describe, expect, it } from '@jest/globals'
import { createRemoteJWKSet, jwtVerify } from 'jose'
import * as oidc from 'openid-client'
import { newPerson, register, validationLink } from '../../tests/support/accounts'
import { Browser } from '../../tests/support/browser'
import { registerClient } from '../../tests/support/clients'
import { authorizationRequest, discoverClient } from '../../tests/support/oidc'
import { useIdpStack } from '../../tests/support/idp'

const REDIRECT_URI = 'http://localhost:7001/callback'
const OTHER_REDIRECT_URI = 'http://localhost:7002/callback'
const SECRET = 'journey-client-secret-0123456789abcdefghijkl'

describe('from registration to single sign-on and logout, over HTTP only', () => {
  const stack = useIdpStack()
  const browser = new Browser()
  const alice = newPerson('Alice', 'Martin')
  let app: oidc.Configuration
  let tokens: oidc.TokenEndpointResponse & oidc.TokenEndpointResponseHelpers

  const discover = (clientId: string) => discoverClient(stack.idp.issuer, clientId, SECRET)

  beforeAll(async () => {
    for (const [clientId, redirectUri] of [
      ['journey-app', REDIRECT_URI],
      ['other-app', OTHER_REDIRECT_URI],
    ] as const) {
      await registerClient(stack.database.knex, {
        clientId,
        clientSecret: SECRET,
        redirectUris: [redirectUri],
        postLogoutRedirectUris: [`${new URL(redirectUri).origin}/`],
        firstParty: true,
        name: clientId,
      })
    }
    app = await discover('journey-app')
  })

  it('registers Alice and shows "Validation de compte"', async () => {
    const page = await register(browser, stack.idp.issuer, alice)
    expect(page.status).toBe(200)
    expect(page.text).toContain('Validation de compte')
    expect(page.text).toContain(`Un message de validation a été envoyé sur votre email : ${alice.email}.`)
    expect(page.document.querySelector('button')?.textContent).toBe("Renvoyer à nouveau l'email")
    expect(page.text).toContain('Retour à la connexion')
  })

  it('validates the account with the link of the mail', async () => {
    const mail = await stack.smtp.waitForMail((received) => received.subject === 'Validation de création de compte')
    expect(mail.text).toContain('Madame, Monsieur,')
    expect(mail.text).toContain('Merci de cliquer sur ce lien pour valider la création votre compte Web services')
    const page = await browser.get(await validationLink(stack.smtp, alice.email))
    expect(page.status).toBe(200)
    expect(page.text).toContain('Félicitations, votre compte a bien été validé.')
    expect(page.document.querySelector('a.button')?.textContent).toBe('Se connecter')
  })

  it('logs in through the authorization code flow with PKCE and issues a verifiable ID token', async () => {
    const request = await authorizationRequest(app, REDIRECT_URI)
    const login = await browser.get(request.url)
    expect(login.text).toContain('Connexion')
    expect(login.document.querySelector('button[type="submit"]')?.textContent).toBe('Se connecter')
    expect(login.text).toContain('Créer un compte')
    expect(login.text).toContain('Mot de passe oublié ?')

    const callback = await browser.submit(login, /\/login$/u, { email: alice.email, password: alice.password }, { stopAt: REDIRECT_URI })
    tokens = await oidc.authorizationCodeGrant(app, new URL(callback.url), {
      pkceCodeVerifier: request.verifier,
      expectedState: request.state,
      expectedNonce: request.nonce,
    })

    const jwks = createRemoteJWKSet(new URL(`${stack.idp.issuer}/jwks`))
    const { payload, protectedHeader } = await jwtVerify(tokens.id_token!, jwks, { issuer: stack.idp.issuer, audience: 'journey-app' })
    expect(protectedHeader.alg).toBe('RS256')
    expect(payload).toMatchObject({
      email: alice.email,
      email_verified: true,
      given_name: 'Alice',
      family_name: 'Martin',
      companies: [],
      company_roles: [],
      nonce: request.nonce,
    })
    expect(tokens.refresh_token).toBeTruthy()
  })

  it('returns the same claims at userinfo', async () => {
    const claims = tokens.claims()!
    const userinfo = await oidc.fetchUserInfo(app, tokens.access_token, claims.sub)
    expect(userinfo).toMatchObject({
      sub: claims.sub,
      email: alice.email,
      email_verified: true,
      given_name: 'Alice',
      family_name: 'Martin',
      companies: [],
    })
  })

  it('refreshes the tokens and refuses the refresh token it replaced', async () => {
    const refreshed = await oidc.refreshTokenGrant(app, tokens.refresh_token!)
    expect(refreshed.access_token).not.toBe(tokens.access_token)
    expect(refreshed.refresh_token).not.toBe(tokens.refresh_token)
    expect(refreshed.claims()).toMatchObject({ email: alice.email, companies: [] })
    await expect(oidc.refreshTokenGrant(app, tokens.refresh_token!)).rejects.toMatchObject({ error: 'invalid_grant' })
    tokens = refreshed
  })

  it('signs Alice into a second application without asking for her password (single sign-on)', async () => {
    const other = await discover('other-app')
    const request = await authorizationRequest(other, OTHER_REDIRECT_URI)
    const callback = await browser.get(request.url, { stopAt: OTHER_REDIRECT_URI })
    expect(callback.url).toMatch(/[?&]code=/u)
    const otherTokens = await oidc.authorizationCodeGrant(other, new URL(callback.url), {
      pkceCodeVerifier: request.verifier,
      expectedState: request.state,
      expectedNonce: request.nonce,
    })
    expect(otherTokens.claims()).toMatchObject({ sub: tokens.claims()!.sub, email: alice.email })
  })

  it('ends the SSO session at logout: the next authorization request asks for the password again', async () => {
    const endSession = oidc.buildEndSessionUrl(app, {
      id_token_hint: tokens.id_token!,
      post_logout_redirect_uri: 'http://localhost:7001/',
    })
    const confirmation = await browser.get(endSession.toString())
    expect(confirmation.text).toContain('Se déconnecter')
    const back = await browser.submit(confirmation, /\/session\/end\/confirm$/u, {}, { stopAt: 'http://localhost:7001/' })
    expect(back.url).toBe('http://localhost:7001/')

    await expect(oidc.refreshTokenGrant(app, tokens.refresh_token!)).rejects.toMatchObject({ error: 'invalid_grant' })
    const request = await authorizationRequest(app, REDIRECT_URI)
    const page = await browser.get(request.url, { stopAt: REDIRECT_URI })
    expect(page.url).toMatch(/\/interaction\//u)
    expect(page.document.querySelector('input[name="password"]')).not.toBeNull()
  })
})
