import { beforeAll, describe, expect, it } from '@jest/globals'
import * as oidc from 'openid-client'
import { newPerson, registerValidated } from '../../tests/support/accounts'
import { Browser } from '../../tests/support/browser'
import { registerClient } from '../../tests/support/clients'
import { useIdpStack } from '../../tests/support/idp'
import { authorizationRequest, discoverClient } from '../../tests/support/oidc'

const REDIRECT_URI = 'http://localhost:7701/callback'
const SECRET = 'replay-app-secret-0123456789abcdefghijklmn'

describe('a code or refresh token used twice at the same moment works once', () => {
  const stack = useIdpStack()
  const person = newPerson('Rémi', 'Rejeu')
  const browser = new Browser()
  let config: oidc.Configuration

  async function callback() {
    const request = await authorizationRequest(config, REDIRECT_URI)
    let page = await browser.get(request.url, { stopAt: REDIRECT_URI })
    if (!page.url.startsWith(REDIRECT_URI)) page = await browser.submit(page, /\/login$/u, { email: person.email, password: person.password }, { stopAt: REDIRECT_URI })
    return { url: new URL(page.url), request }
  }

  const exchange = ({ url, request }: Awaited<ReturnType<typeof callback>>) =>
    oidc.authorizationCodeGrant(config, url, { pkceCodeVerifier: request.verifier, expectedState: request.state, expectedNonce: request.nonce })

  beforeAll(async () => {
    await registerClient(stack.database.knex, { clientId: 'replay-app', clientSecret: SECRET, redirectUris: [REDIRECT_URI], firstParty: true })
    await registerValidated(browser, stack.idp.issuer, stack.smtp, person)
    config = await discoverClient(stack.idp.issuer, 'replay-app', SECRET)
  })

  it('redeems an authorization code sent twice at once only once, and revokes what it gave', async () => {
    const redirect = await callback()
    const outcomes = await Promise.allSettled([exchange(redirect), exchange(redirect), exchange(redirect)])
    const succeeded = outcomes.filter((outcome) => outcome.status === 'fulfilled')
    const refused = outcomes.filter((outcome) => outcome.status === 'rejected')
    expect(refused.length).toBeGreaterThanOrEqual(2)
    for (const outcome of refused) expect((outcome as PromiseRejectedResult).reason).toMatchObject({ error: 'invalid_grant' })
    for (const outcome of succeeded) {
      const tokens = (outcome as PromiseFulfilledResult<oidc.TokenEndpointResponse>).value
      await expect(oidc.refreshTokenGrant(config, tokens.refresh_token!)).rejects.toMatchObject({ error: 'invalid_grant' })
    }
  })

  it('rotates a refresh token sent twice at once only once', async () => {
    const tokens = await exchange(await callback())
    const outcomes = await Promise.allSettled([1, 2, 3].map(() => oidc.refreshTokenGrant(config, tokens.refresh_token!)))
    expect(outcomes.filter((outcome) => outcome.status === 'fulfilled').length).toBeLessThanOrEqual(1)
    for (const outcome of outcomes.filter((candidate) => candidate.status === 'rejected')) {
      expect((outcome as PromiseRejectedResult).reason).toMatchObject({ error: 'invalid_grant' })
    }
  })
})
