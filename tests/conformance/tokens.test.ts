/**
 * The token, userinfo and introspection endpoints: a code is redeemed once, for the
 * redirect_uri it was issued to; refresh tokens rotate and a reused one ends the grant; userinfo
 * answers GET and POST; a token is introspected only by its client or a resource server.
 */
import { beforeAll, describe, expect, it } from '@jest/globals'
import * as oidc from 'openid-client'
import type { Person } from '../support/accounts'
import { Browser } from '../support/browser'
import { useIdpStack } from '../support/idp'
import { authorize, exchange, relyingParty, signIn, validatedPerson, type RelyingParty } from './support'

describe('tokens (RFC 6749, Core 1.0 §3.1.3 and §5.3, RFC 7662, RFC 9700)', () => {
  const stack = useIdpStack()
  let rp: RelyingParty
  let otherRp: RelyingParty
  let resourceServer: RelyingParty
  let carol: { person: Person; browser: Browser }

  beforeAll(async () => {
    rp = await relyingParty(stack, 'tokens-rp')
    otherRp = await relyingParty(stack, 'tokens-other-rp')
    resourceServer = await relyingParty(stack, 'tokens-api', { grantTypes: ['client_credentials'], redirectUris: [], resourceServer: true })
    carol = await validatedPerson(stack, 'Carole', 'Jeton')
    await signIn(carol.browser, rp, carol.person)
  })

  it('RFC 6749 §4.1.2 and §10.5: a code redeemed twice is refused the second time, and what the first gave is revoked', async () => {
    const authorization = await authorize(carol.browser, rp)
    const first = await exchange(rp, authorization)
    await expect(exchange(rp, authorization)).rejects.toMatchObject({ error: 'invalid_grant' })
    await expect(oidc.refreshTokenGrant(rp.config, first.refresh_token!)).rejects.toMatchObject({ error: 'invalid_grant' })
    expect(await oidc.tokenIntrospection(rp.config, first.access_token)).toEqual({ active: false })
  })

  it('RFC 6749 §4.1.3 and Core 1.0 §3.1.3.2: a code redeemed with another redirect_uri is refused', async () => {
    const authorization = await authorize(carol.browser, rp)
    const response = await fetch(rp.config.serverMetadata().token_endpoint!, {
      method: 'POST',
      headers: { authorization: `Basic ${Buffer.from(`${rp.clientId}:${rp.secret}`).toString('base64')}` },
      body: new URLSearchParams({
        grant_type: 'authorization_code',
        code: new URL(authorization.page.url).searchParams.get('code')!,
        redirect_uri: 'http://localhost:7999/elsewhere',
        code_verifier: authorization.request.verifier,
      }),
    })
    expect(response.status).toBe(400)
    expect(await response.json()).toMatchObject({ error: 'invalid_grant' })
  })

  it('RFC 6749 §4.1.3: a code issued to one client is refused to another', async () => {
    const authorization = await authorize(carol.browser, rp)
    await expect(oidc.authorizationCodeGrant(otherRp.config, new URL(authorization.page.url), { pkceCodeVerifier: authorization.request.verifier, expectedState: authorization.request.state })).rejects.toMatchObject({ error: 'invalid_grant' })
  })

  it('Core 1.0 §5.3.1 and §5.3.2: userinfo answers GET and POST, with the sub of the ID token', async () => {
    const tokens = await signIn(carol.browser, rp, carol.person)
    const sub = tokens.claims()!.sub
    const endpoint = rp.config.serverMetadata().userinfo_endpoint!
    const bearer = { authorization: `Bearer ${tokens.access_token}` }

    const viaGet = await fetch(endpoint, { headers: bearer })
    expect(viaGet.status).toBe(200)
    expect(await viaGet.json()).toMatchObject({ sub, email: carol.person.email, given_name: 'Carole' })

    const viaPost = await fetch(endpoint, { method: 'POST', headers: bearer })
    expect(viaPost.status).toBe(200)
    expect(await viaPost.json()).toMatchObject({ sub, email: carol.person.email })

    // RFC 6750 §2.2: the access token in a form body, as POST allows.
    const inBody = await fetch(endpoint, { method: 'POST', body: new URLSearchParams({ access_token: tokens.access_token }) })
    expect(inBody.status).toBe(200)
    expect(await inBody.json()).toMatchObject({ sub })

    const forged = await fetch(endpoint, { headers: { authorization: 'Bearer not-a-token-of-this-server' } })
    expect(forged.status).toBe(401)
    expect(forged.headers.get('www-authenticate')).toMatch(/error="invalid_token"/u)
  })

  it('RFC 6749 §6 and RFC 9700 §4.14.2: refresh tokens rotate; a reused one is refused and ends the grant', async () => {
    const tokens = await signIn(carol.browser, rp, carol.person)
    const refreshed = await oidc.refreshTokenGrant(rp.config, tokens.refresh_token!)
    expect(refreshed.refresh_token).toBeTruthy()
    expect(refreshed.refresh_token).not.toBe(tokens.refresh_token)
    expect(refreshed.claims()).toMatchObject({ sub: tokens.claims()!.sub, amr: ['pwd'], auth_time: tokens.claims()!.auth_time })

    await expect(oidc.refreshTokenGrant(rp.config, tokens.refresh_token!)).rejects.toMatchObject({ error: 'invalid_grant' })
    // Whoever replayed the old token may hold the new one: it is refused too.
    await expect(oidc.refreshTokenGrant(rp.config, refreshed.refresh_token!)).rejects.toMatchObject({ error: 'invalid_grant' })
  })

  it('RFC 7662 §2.1 and §4: a token is introspected by its own client or a resource server, and looks inactive to any other', async () => {
    const tokens = await signIn(carol.browser, rp, carol.person)
    expect(await oidc.tokenIntrospection(rp.config, tokens.access_token)).toMatchObject({ active: true, client_id: rp.clientId, sub: tokens.claims()!.sub })
    expect(await oidc.tokenIntrospection(otherRp.config, tokens.access_token)).toEqual({ active: false })
    expect(await oidc.tokenIntrospection(resourceServer.config, tokens.access_token)).toMatchObject({ active: true, client_id: rp.clientId })
    expect(await oidc.tokenIntrospection(resourceServer.config, tokens.refresh_token!)).toMatchObject({ active: true, client_id: rp.clientId, sub: tokens.claims()!.sub })
  })
})
