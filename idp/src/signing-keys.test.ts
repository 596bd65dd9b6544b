import { beforeAll, describe, expect, it } from '@jest/globals'
import { createRemoteJWKSet, decodeProtectedHeader, jwtVerify } from 'jose'
import * as oidc from 'openid-client'
import { createSigningKey, KEY_PUBLICATION_DELAY, KEY_RETIREMENT_DELAY, listSigningKeys, retireSigningKey } from '@opcommerce/shared/signing-keys'
import { newPerson, registerValidated } from '../../tests/support/accounts'
import { Browser } from '../../tests/support/browser'
import { registerClient } from '../../tests/support/clients'
import { useIdpStack } from '../../tests/support/idp'
import { authorizationRequest, discoverClient } from '../../tests/support/oidc'

const REDIRECT_URI = 'http://localhost:7401/callback'
const SECRET = 'rotation-client-secret-0123456789abcdefghij'

describe('signing key rotation without downtime', () => {
  /** How far the idp's clock runs ahead of the real one. */
  let clockAhead = 0
  const now = () => new Date(Date.now() + clockAhead)
  const stack = useIdpStack({ now })
  const browser = new Browser()
  const person = newPerson('Rosa', 'Rotation')

  async function idToken(): Promise<string> {
    const config = await discoverClient(stack.idp.issuer, 'rotation-app', SECRET)
    const request = await authorizationRequest(config, REDIRECT_URI)
    let page = await browser.get(request.url, { stopAt: REDIRECT_URI })
    if (!page.url.startsWith(REDIRECT_URI)) page = await browser.submit(page, /\/login$/u, { email: person.email, password: person.password }, { stopAt: REDIRECT_URI })
    const tokens = await oidc.authorizationCodeGrant(config, new URL(page.url), { pkceCodeVerifier: request.verifier, expectedState: request.state, expectedNonce: request.nonce })
    return tokens.id_token!
  }

  const publishedKids = async () => ((await (await fetch(`${stack.idp.issuer}/jwks`)).json()) as { keys: { kid: string }[] }).keys.map((key) => key.kid)
  const verify = (token: string) => jwtVerify(token, createRemoteJWKSet(new URL(`${stack.idp.issuer}/jwks`)), { issuer: stack.idp.issuer })

  beforeAll(async () => {
    await registerClient(stack.database.knex, { clientId: 'rotation-app', clientSecret: SECRET, redirectUris: [REDIRECT_URI], firstParty: true })
    await registerValidated(browser, stack.idp.issuer, stack.smtp, person)
  })

  it('publishes a new key at once, signs with it only after the publication delay, and keeps verifying the old one', async () => {
    const [firstKid] = await publishedKids()
    const before = await idToken()
    expect(decodeProtectedHeader(before).kid).toBe(firstKid)

    const newKid = await createSigningKey(stack.database.knex, stack.idp.config.secrets.signingKeysSecret, now())
    expect(await stack.idp.reloadKeys()).toBe(true)
    expect((await publishedKids()).sort()).toEqual([firstKid, newKid].sort())
    expect(decodeProtectedHeader(await idToken()).kid).toBe(firstKid)

    clockAhead += KEY_PUBLICATION_DELAY
    expect(await stack.idp.reloadKeys()).toBe(true)
    const after = await idToken()
    expect(decodeProtectedHeader(after).kid).toBe(newKid)
    await expect(verify(before)).resolves.toBeTruthy()
    await expect(verify(after)).resolves.toBeTruthy()
    expect(await stack.idp.reloadKeys()).toBe(false)
  })

  it('retires the old key only once the tokens it signed have expired', async () => {
    const keys = await listSigningKeys(stack.database.knex, now())
    const old = keys.find((key) => key.state === 'verifying')!
    const current = keys.find((key) => key.state === 'signing')!
    expect(await retireSigningKey(stack.database.knex, current.kid, now())).toEqual({ outcome: 'signing' })
    const early = await retireSigningKey(stack.database.knex, old.kid, now())
    expect(early.outcome).toBe('too_soon')
    expect(early.notBefore!.getTime()).toBe(old.since!.getTime() + KEY_RETIREMENT_DELAY)

    clockAhead += early.notBefore!.getTime() - now().getTime()
    expect(await retireSigningKey(stack.database.knex, old.kid, now())).toEqual({ outcome: 'retired' })
    await stack.idp.reloadKeys()
    expect(await publishedKids()).toEqual([current.kid])
    expect(decodeProtectedHeader(await idToken()).kid).toBe(current.kid)
  })
})
