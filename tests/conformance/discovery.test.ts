/**
 * OpenID Connect Discovery 1.0 and what the provider accepts: it advertises exactly what it
 * supports (the code flow, the grants in use, the client authentications and the algorithm
 * allowed) and refuses what it does not advertise.
 */
import { randomUUID } from 'node:crypto'
import { beforeAll, describe, expect, it } from '@jest/globals'
import { SignJWT } from 'jose'
import * as oidc from 'openid-client'
import { buildClient } from '@opcommerce/shared/clients'
import { createClientQueries } from '@opcommerce/shared/queries/clients'
import { Browser } from '../support/browser'
import { TEST_SECRETS, useIdpStack } from '../support/idp'
import { ACR_VALUES } from '@opcommerce/idp/src/libraries/authentication-context'
import { relyingParty, type RelyingParty } from './support'

describe('discovery: exactly what is supported, and nothing else accepted', () => {
  const stack = useIdpStack()
  let metadata: Record<string, unknown>
  let rp: RelyingParty

  beforeAll(async () => {
    const response = await fetch(`${stack.idp.issuer}/.well-known/openid-configuration`)
    expect(response.status).toBe(200)
    metadata = (await response.json()) as Record<string, unknown>
    rp = await relyingParty(stack, 'discovery-rp')
  })

  it('Discovery 1.0 §3 and §4.3: names its issuer, exactly the URL it was fetched under, and endpoints under it', () => {
    expect(metadata.issuer).toBe(stack.idp.issuer)
    for (const endpoint of ['authorization_endpoint', 'token_endpoint', 'userinfo_endpoint', 'jwks_uri', 'end_session_endpoint', 'introspection_endpoint', 'revocation_endpoint']) {
      expect(String(metadata[endpoint])).toMatch(new RegExp(`^${stack.idp.issuer}/`, 'u'))
    }
  })

  it('Discovery 1.0 §3 and RFC 9700 §2.1.2: the code response type only, the grants in use, S256 only', () => {
    expect(metadata.response_types_supported).toEqual(['code'])
    expect(metadata.grant_types_supported).toEqual(['authorization_code', 'refresh_token', 'client_credentials'])
    expect(metadata.code_challenge_methods_supported).toEqual(['S256'])
    expect(metadata.subject_types_supported).toEqual(['public'])
  })

  it('Discovery 1.0 §3: the client authentications and the signing algorithm allowed, and no feature nobody uses', () => {
    expect(metadata.token_endpoint_auth_methods_supported).toEqual(['client_secret_basic', 'client_secret_post', 'none'])
    expect(metadata.token_endpoint_auth_signing_alg_values_supported).toBeUndefined()
    expect(metadata.id_token_signing_alg_values_supported).toEqual(['RS256'])
    expect(metadata.request_parameter_supported).toBeUndefined()
    expect(metadata.request_uri_parameter_supported).toBe(false)
    for (const absent of ['pushed_authorization_request_endpoint', 'dpop_signing_alg_values_supported', 'registration_endpoint', 'device_authorization_endpoint']) {
      expect(metadata[absent]).toBeUndefined()
    }
  })

  it('Discovery 1.0 §3, Core 1.0 §5.5.1.1, Back-Channel Logout 1.0 §2.1: claims, acr values and logout support', () => {
    expect(metadata.claims_parameter_supported).toBe(true)
    expect(metadata.acr_values_supported).toEqual(Object.values(ACR_VALUES))
    expect(metadata.claims_supported).toEqual(expect.arrayContaining(['sub', 'acr', 'amr', 'auth_time', 'sid', 'email', 'companies']))
    expect(metadata.backchannel_logout_supported).toBe(true)
    expect(metadata.backchannel_logout_session_supported).toBe(true)
  })

  it('Core 1.0 §10.1.1: the JWKS publishes the RS256 signing keys, each with its kid, and no private part', async () => {
    const jwks = (await (await fetch(String(metadata.jwks_uri))).json()) as { keys: Record<string, unknown>[] }
    expect(jwks.keys.length).toBeGreaterThan(0)
    for (const key of jwks.keys) {
      expect(key).toMatchObject({ kty: 'RSA', alg: 'RS256', use: 'sig', kid: expect.any(String) })
      expect(key.d).toBeUndefined()
    }
  })

  it.each([['id_token'], ['code id_token'], ['token'], ['code token'], ['none']])(
    'RFC 6749 §4.1.2.1 and Core 1.0 §3.1.2.6: response_type=%s, not advertised, is refused with unsupported_response_type',
    async (responseType) => {
      const url = oidc.buildAuthorizationUrl(rp.config, {
        redirect_uri: rp.redirectUri,
        response_type: responseType,
        scope: 'openid',
        state: 'state-of-the-request',
        nonce: 'nonce-of-the-request',
        code_challenge: await oidc.calculatePKCECodeChallenge(oidc.randomPKCECodeVerifier()),
        code_challenge_method: 'S256',
      })
      const page = await new Browser().get(url.toString(), { stopAt: rp.redirectUri })
      const response = new URL(page.url)
      const parameters = response.hash ? new URLSearchParams(response.hash.slice(1)) : response.searchParams
      expect(parameters.get('error')).toBe('unsupported_response_type')
      expect(parameters.get('state')).toBe('state-of-the-request')
      expect(parameters.get('code')).toBeNull()
      expect(parameters.get('id_token')).toBeNull()
    },
  )

  it('Core 1.0 §6.1: a request object (request=), not advertised, is refused with request_not_supported', async () => {
    const url = oidc.buildAuthorizationUrl(rp.config, {
      redirect_uri: rp.redirectUri,
      scope: 'openid',
      state: 'state-with-request-object',
      request: 'eyJhbGciOiJub25lIn0.eyJzY29wZSI6Im9wZW5pZCJ9.',
      code_challenge: await oidc.calculatePKCECodeChallenge(oidc.randomPKCECodeVerifier()),
      code_challenge_method: 'S256',
    })
    const page = await new Browser().get(url.toString(), { stopAt: rp.redirectUri })
    expect(new URL(page.url).searchParams.get('error')).toBe('request_not_supported')
  })

  it('RFC 7523 §2.2: a client registered for client_secret_jwt (not advertised) gets no token with its signed assertion', async () => {
    // Not something `clients create` writes: an operator editing the row by hand.
    const { client } = buildClient({ clientId: 'jwt-client', clientSecret: rp.secret, grantTypes: ['client_credentials'] }, TEST_SECRETS.SIGNING_KEYS_SECRET)
    await createClientQueries(stack.database.knex).save({ ...client, metadata: { ...client.metadata, token_endpoint_auth_method: 'client_secret_jwt' as 'client_secret_basic' } })
    const assertion = await new SignJWT({})
      .setProtectedHeader({ alg: 'HS256' })
      .setIssuer('jwt-client')
      .setSubject('jwt-client')
      .setAudience(String(metadata.token_endpoint))
      .setJti(randomUUID())
      .setIssuedAt()
      .setExpirationTime('1 minute')
      .sign(new TextEncoder().encode(rp.secret))
    const response = await fetch(String(metadata.token_endpoint), {
      method: 'POST',
      body: new URLSearchParams({
        grant_type: 'client_credentials',
        client_id: 'jwt-client',
        client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
        client_assertion: assertion,
      }),
    })
    // The provider refuses the client itself: its metadata names a method it does not take.
    expect(response.status).toBe(400)
    expect(await response.json()).toMatchObject({ error: 'invalid_client_metadata' })
  })
})
