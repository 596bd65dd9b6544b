import { beforeAll, describe, expect, it } from '@jest/globals'
import * as oidc from 'openid-client'
import { registerClient } from '../../tests/support/clients'
import { useIdpStack } from '../../tests/support/idp'
import { discoverClient } from '../../tests/support/oidc'

const SECRET = 'machine-client-secret-0123456789abcdefghijk'
const OTHER_SECRET = 'other-machine-secret-0123456789abcdefghijkl'

describe('client_credentials: a confidential machine client gets a token that introspection and revocation manage', () => {
  const stack = useIdpStack()
  let machine: oidc.Configuration
  let otherMachine: oidc.Configuration

  beforeAll(async () => {
    await registerClient(stack.database.knex, { clientId: 'batch-service', clientSecret: SECRET, grantTypes: ['client_credentials'], name: 'Traitement nocturne' })
    await registerClient(stack.database.knex, { clientId: 'other-service', clientSecret: OTHER_SECRET, grantTypes: ['client_credentials'] })
    await registerClient(stack.database.knex, {
      clientId: 'web-app',
      clientSecret: SECRET,
      redirectUris: ['http://localhost:7041/callback'],
      grantTypes: ['authorization_code', 'refresh_token'],
    })
    machine = await discoverClient(stack.idp.issuer, 'batch-service', SECRET)
    otherMachine = await discoverClient(stack.idp.issuer, 'other-service', OTHER_SECRET)
  })

  it('issues an access token, active at introspection until revoked', async () => {
    const tokens = await oidc.clientCredentialsGrant(machine)
    expect(tokens.token_type.toLowerCase()).toBe('bearer')
    expect(tokens.expires_in).toBeGreaterThan(0)
    expect(tokens.refresh_token).toBeUndefined()
    expect(tokens.id_token).toBeUndefined()

    const introspected = await oidc.tokenIntrospection(machine, tokens.access_token)
    expect(introspected).toMatchObject({ active: true, client_id: 'batch-service' })
    expect(introspected.sub).toBeUndefined()

    await oidc.tokenRevocation(machine, tokens.access_token)
    expect(await oidc.tokenIntrospection(machine, tokens.access_token)).toEqual({ active: false })
  })

  it('ignores another client asking to revoke the token: it stays active', async () => {
    const tokens = await oidc.clientCredentialsGrant(machine)
    // RFC 7009 answers 200 whatever happened, so that revocation reveals nothing about tokens.
    await oidc.tokenRevocation(otherMachine, tokens.access_token)
    expect(await oidc.tokenIntrospection(machine, tokens.access_token)).toMatchObject({ active: true })
  })

  it('follows a change of the client made elsewhere (new secret, then deletion) without a restart', async () => {
    const NEW_SECRET = 'rotated-machine-secret-0123456789abcdefghij'
    await registerClient(stack.database.knex, { clientId: 'rotating-service', clientSecret: SECRET, grantTypes: ['client_credentials'] })
    const before = await discoverClient(stack.idp.issuer, 'rotating-service', SECRET)
    await oidc.clientCredentialsGrant(before) // the idp now keeps the client in memory
    await registerClient(stack.database.knex, { clientId: 'rotating-service', clientSecret: NEW_SECRET, grantTypes: ['client_credentials'] })
    // Other processes hear of it through PostgreSQL's notifications (on PGlite, within a second).
    await refusedSoon(() => oidc.clientCredentialsGrant(before))
    const after = await discoverClient(stack.idp.issuer, 'rotating-service', NEW_SECRET)
    await oidc.clientCredentialsGrant(after)
    await stack.database.knex('oidc_clients').where({ client_id: 'rotating-service' }).delete()
    await refusedSoon(() => oidc.clientCredentialsGrant(after))
  })

  it('answers an unknown token as inactive', async () => {
    expect(await oidc.tokenIntrospection(machine, 'pas-un-jeton-emis-par-ce-serveur')).toEqual({ active: false })
  })

  it('refuses a wrong client secret (invalid_client, 401)', async () => {
    const impostor = await discoverClient(stack.idp.issuer, 'batch-service', 'wrong-secret-0123456789abcdefghijklmnopq')
    await expect(oidc.clientCredentialsGrant(impostor)).rejects.toMatchObject({ error: 'invalid_client', status: 401 })
  })

  it('refuses client_credentials to a client not registered with that grant (400)', async () => {
    const webApp = await discoverClient(stack.idp.issuer, 'web-app', SECRET)
    await expect(oidc.clientCredentialsGrant(webApp)).rejects.toMatchObject({
      error: 'invalid_request',
      error_description: 'requested grant type is not allowed for this client',
      status: 400,
    })
  })

  it('does not accept a client_credentials token as a person’s token at userinfo', async () => {
    const tokens = await oidc.clientCredentialsGrant(machine)
    const response = await fetch(`${stack.idp.issuer}/me`, { headers: { authorization: `Bearer ${tokens.access_token}` } })
    expect(response.status).toBe(401)
    expect(response.headers.get('www-authenticate')).toMatch(/error="invalid_token"/u)
  })
})

/** Retries `grant` until the idp refuses it as invalid_client, for at most 5 s. */
async function refusedSoon(grant: () => Promise<unknown>): Promise<void> {
  const deadline = Date.now() + 5_000
  for (;;) {
    const refusal = await grant().then(
      () => undefined,
      (error: unknown) => error,
    )
    if (refusal) return void expect(refusal).toMatchObject({ error: 'invalid_client', status: 401 })
    if (Date.now() > deadline) throw new Error('the idp still accepts the changed client after 5 s')
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
}
