import { beforeAll, describe, expect, it } from '@jest/globals'
import * as oidc from 'openid-client'
import { newPerson, type Person, registerValidated } from '../../tests/support/accounts'
import { Browser } from '../../tests/support/browser'
import { registerClient } from '../../tests/support/clients'
import { useIdpStack } from '../../tests/support/idp'
import { authorizationRequest, discoverClient } from '../../tests/support/oidc'

const REDIRECT_URI = 'http://localhost:7601/callback'
const SECRET = 'logout-app-secret-0123456789abcdefghijklmn'

describe('RP-initiated logout asks unless the hint names the signed-in person', () => {
  const stack = useIdpStack()

  async function signIn(person: Person): Promise<{ browser: Browser; idToken: string }> {
    const browser = new Browser()
    await registerValidated(browser, stack.idp.issuer, stack.smtp, person)
    const config = await discoverClient(stack.idp.issuer, 'logout-app', SECRET)
    const request = await authorizationRequest(config, REDIRECT_URI)
    const login = await browser.get(request.url)
    const callback = await browser.submit(login, /\/login$/u, { email: person.email, password: person.password }, { stopAt: REDIRECT_URI })
    const tokens = await oidc.authorizationCodeGrant(config, new URL(callback.url), { pkceCodeVerifier: request.verifier, expectedState: request.state, expectedNonce: request.nonce })
    return { browser, idToken: tokens.id_token! }
  }

  beforeAll(async () => {
    await registerClient(stack.database.knex, { clientId: 'logout-app', clientSecret: SECRET, redirectUris: [REDIRECT_URI], postLogoutRedirectUris: ['http://localhost:7601/'], firstParty: true })
  })

  it("confirms at once with the person's own ID token, but asks when the link carries someone else's", async () => {
    const alice = await signIn(newPerson('Alice', 'Lenoir'))
    const bob = await signIn(newPerson('Bob', 'Leblanc'))
    const logoutPage = (browser: Browser, idToken: string) =>
      browser.get(`${stack.idp.issuer}/session/end?id_token_hint=${idToken}&post_logout_redirect_uri=${encodeURIComponent('http://localhost:7601/')}`)

    const forged = await logoutPage(bob.browser, alice.idToken)
    expect(forged.text).toContain('Voulez-vous vous déconnecter de votre espace Web Services Entreprise ?')
    expect(forged.document.querySelector('[data-auto-submit]')).toBeNull()

    const own = await logoutPage(bob.browser, bob.idToken)
    expect(own.text).toContain('Déconnexion de votre espace Web Services Entreprise en cours…')
    expect(own.document.querySelector('script[src="/assets/auto-submit.js"]')).not.toBeNull()
    expect(own.document.querySelector('button[data-auto-submit]')?.getAttribute('value')).toBe('yes')
  })

  it('answers a method the page does not take with a French 405 page', async () => {
    const page = await new Browser().get(`${stack.idp.issuer}/inscription/renvoyer`)
    expect(page.status).toBe(405)
    expect(page.text).toContain("Cette action n'est pas possible sur cette page.")
  })
})
