import { beforeAll, describe, expect, it } from '@jest/globals'
import * as oidc from 'openid-client'
import { decryptClientSecret } from '@opcommerce/shared/clients'
import { createClientQueries } from '@opcommerce/shared/queries/clients'
import { newPerson, registerValidated } from '../support/accounts'
import { Browser } from '../support/browser'
import { OPERATOR_ACTOR, useCli } from '../support/cli'
import { useIdpStack } from '../support/idp'
import { authorizationRequest, discoverClient } from '../support/oidc'

const REDIRECT_URI = 'http://localhost:7061/callback'
const SECRET = 'cli-clients-secret-0123456789abcdefghijklmn'

describe('npm run cli -- clients', () => {
  const stack = useIdpStack()
  // The idp decrypts the client secrets the CLI stores: both use its key.
  const cli = useCli({ sharedDatabase: () => stack.database, env: () => ({ SIGNING_KEYS_SECRET: stack.idp.config.secrets.signingKeysSecret }) })
  const clients = () => createClientQueries(stack.database.knex)

  it('creates a client with the default grants and prints the generated secret once', async () => {
    const result = await cli.run(['clients', 'create', '--client-id', 'paie', '--redirect-uri', 'https://paie.opcommerce.test/callback', '--name', 'Paie', '--tool', '--url', 'https://paie.opcommerce.test', '--description', 'Déclarations de paie'])
    expect(result.code).toBe(0)
    expect(result.stdout).toContain('Client « paie » créé (authorization_code, refresh_token).')
    const secret = result.stdout.trim().split('\n').at(-1)!
    expect(secret).toMatch(/^[\w-]{43}$/u)
    const client = await clients().find('paie')
    expect(client).toMatchObject({ name: 'Paie', tool: true, url: 'https://paie.opcommerce.test', description: 'Déclarations de paie' })
    expect(client!.metadata).toMatchObject({ grant_types: ['authorization_code', 'refresh_token'], redirect_uris: ['https://paie.opcommerce.test/callback'] })
    // The secret is stored encrypted, nowhere in clear.
    expect(JSON.stringify(await stack.database.knex('oidc_clients').where({ client_id: 'paie' }).first())).not.toContain(secret)
    expect(decryptClientSecret(client!.secretEncrypted!, stack.idp.config.secrets.signingKeysSecret)).toBe(secret)
    expect(await clients().listTools()).toEqual([{ clientId: 'paie', name: 'Paie', description: 'Déclarations de paie', href: 'https://paie.opcommerce.test' }])
    expect(await stack.database.knex('audit_events').where({ type: 'client.saved', subject: 'paie' }).first()).toMatchObject({ actor: OPERATOR_ACTOR })
  })

  it('lists clients, as JSON without their secrets, and deletes one', async () => {
    await cli.run(['clients', 'create', '--client-id', 'batch', '--grant-type', 'client_credentials', '--client-secret', 'batch-secret-0123456789abcdefghijklmnopqr'])
    const list = await cli.run(['clients', 'list'])
    expect(list.stdout).toContain('batch — batch')
    expect(list.stdout).toContain('grants : client_credentials')
    const json = await cli.json<{ clientId: string; grantTypes: string[]; enabled: boolean }[]>(['clients', 'list'])
    expect(json).toEqual(expect.arrayContaining([expect.objectContaining({ clientId: 'batch', grantTypes: ['client_credentials'], enabled: true })]))
    expect(JSON.stringify(json)).not.toContain('batch-secret-0123456789abcdefghijklmnopqr')
    expect((await cli.run(['clients', 'delete', '--client-id', 'batch'])).stdout).toContain('Client « batch » supprimé.')
    expect(await clients().find('batch')).toBeUndefined()
    const again = await cli.run(['clients', 'delete', '--client-id', 'batch'])
    expect(again.code).toBe(3)
    expect(again.stderr.trim()).toBe('Aucun client « batch ».')
    expect(await stack.database.knex('audit_events').where({ type: 'client.deleted', subject: 'batch' }).first()).toMatchObject({ actor: OPERATOR_ACTOR })
  })

  it('refuses an incomplete or malformed client with a French explanation', async () => {
    const noRedirect = await cli.run(['clients', 'create', '--client-id', 'sans-retour'])
    expect(noRedirect.code).toBe(1)
    expect(noRedirect.stderr).toContain('au moins une --redirect-uri est nécessaire pour authorization_code')
    const badUri = await cli.run(['clients', 'create', '--client-id', 'x', '--redirect-uri', 'pas-une-url'])
    expect(badUri.stderr).toContain('doit être une URL absolue http(s)')
    const unknownOption = await cli.run(['clients', 'create', '--client-id', 'x', '--colour', 'bleu'])
    expect(unknownOption.code).toBe(1)
    expect(unknownOption.stderr).toContain('Option inconnue : --colour')
    expect(await clients().find('x')).toBeUndefined()
  })

  it('registers a back-channel logout URI and a resource server, and lists them', async () => {
    const created = await cli.run(['clients', 'create', '--client-id', 'agenda', '--redirect-uri', 'https://agenda.opcommerce.test/callback', '--backchannel-logout-uri', 'https://agenda.opcommerce.test/backchannel-logout'])
    expect(created.code).toBe(0)
    expect((await clients().find('agenda'))!.metadata).toMatchObject({ backchannel_logout_uri: 'https://agenda.opcommerce.test/backchannel-logout', backchannel_logout_session_required: true })
    await cli.run(['clients', 'create', '--client-id', 'api-paie', '--grant-type', 'client_credentials', '--resource-server'])
    expect((await clients().find('api-paie'))!.metadata).toMatchObject({ resource_server: true })
    expect((await clients().find('agenda'))!.metadata.resource_server).toBeUndefined()
    const list = (await cli.run(['clients', 'list'])).stdout
    expect(list).toContain('api-paie — api-paie [serveur de ressources]')
    expect(list).toContain('backchannel_logout_uri : https://agenda.opcommerce.test/backchannel-logout')
    expect(await cli.json(['clients', 'list'])).toEqual(expect.arrayContaining([expect.objectContaining({ clientId: 'api-paie', resourceServer: true }), expect.objectContaining({ clientId: 'agenda', backchannelLogoutUri: 'https://agenda.opcommerce.test/backchannel-logout' })]))
    const badUri = await cli.run(['clients', 'create', '--client-id', 'agenda', '--redirect-uri', 'https://agenda.opcommerce.test/callback', '--backchannel-logout-uri', 'agenda'])
    expect(badUri.code).toBe(1)
    expect(badUri.stderr).toContain('backchannelLogoutUri : doit être une URL absolue http(s)')
  })

  describe('disable and enable', () => {
    const browser = new Browser()
    const person = newPerson('Denise', 'Client')
    let app: oidc.Configuration
    let tokens: oidc.TokenEndpointResponse

    const login = async () => {
      const request = await authorizationRequest(app, REDIRECT_URI)
      const page = await browser.get(request.url, { stopAt: REDIRECT_URI })
      // With the SSO session of an earlier login, the idp answers without the login form.
      const callback = page.url.startsWith(REDIRECT_URI) ? page : await browser.submit(page, /\/login$/u, { email: person.email, password: person.password }, { stopAt: REDIRECT_URI })
      return oidc.authorizationCodeGrant(app, new URL(callback.url), { pkceCodeVerifier: request.verifier, expectedState: request.state, expectedNonce: request.nonce })
    }
    const userinfoStatus = async (accessToken: string) => (await fetch(`${stack.idp.issuer}/me`, { headers: { authorization: `Bearer ${accessToken}` } })).status

    beforeAll(async () => {
      const created = await cli.run([
        'clients', 'create', '--client-id', 'outil-rh', '--client-secret', SECRET, '--redirect-uri', REDIRECT_URI,
        '--first-party', '--tool', '--name', 'Outil RH', '--url', 'http://localhost:7061/',
      ])
      expect(created.code).toBe(0)
      await registerValidated(browser, stack.idp.issuer, stack.smtp, person)
      app = await discoverClient(stack.idp.issuer, 'outil-rh', SECRET)
      tokens = await login()
    })

    it('disables a client: its tokens, refreshes and logins are refused at once, and it leaves the tools', async () => {
      expect(await userinfoStatus(tokens.access_token)).toBe(200)
      const disabled = await cli.run(['clients', 'disable', '--client-id', 'outil-rh', '--json'])
      expect(disabled.code).toBe(0)
      expect(JSON.parse(disabled.stdout)).toMatchObject({ clientId: 'outil-rh', enabled: false, tokensDeleted: expect.any(Number) })
      expect(JSON.parse(disabled.stdout).tokensDeleted).toBeGreaterThanOrEqual(2) // at least the access and refresh tokens

      expect(await userinfoStatus(tokens.access_token)).toBe(401)
      await expect(oidc.refreshTokenGrant(app, tokens.refresh_token!)).rejects.toMatchObject({ error: 'invalid_client' })
      const request = await authorizationRequest(app, REDIRECT_URI)
      const refused = await browser.get(request.url)
      expect(refused.status).toBe(400)
      expect(await clients().listTools()).not.toContainEqual(expect.objectContaining({ clientId: 'outil-rh' }))
      expect((await cli.run(['clients', 'list'])).stdout).toContain('outil-rh — Outil RH [interne, outil, désactivé]')
      expect(await stack.database.knex('audit_events').where({ type: 'client.disabled', subject: 'outil-rh' }).first()).toMatchObject({ actor: OPERATOR_ACTOR })
    })

    it('a client saved again stays disabled; enabling it brings logins back, not its old tokens', async () => {
      await cli.run(['clients', 'create', '--client-id', 'outil-rh', '--client-secret', SECRET, '--redirect-uri', REDIRECT_URI, '--first-party', '--tool', '--name', 'Outil RH 2', '--url', 'http://localhost:7061/'])
      expect(await clients().find('outil-rh')).toMatchObject({ name: 'Outil RH 2', enabled: false })

      const enabled = await cli.run(['clients', 'enable', '--client-id', 'outil-rh'])
      expect(enabled).toMatchObject({ code: 0, stdout: 'Client « outil-rh » réactivé.\n' })
      await expect(oidc.refreshTokenGrant(app, tokens.refresh_token!)).rejects.toMatchObject({ error: 'invalid_grant' })
      expect(await userinfoStatus(tokens.access_token)).toBe(401)
      const fresh = await login()
      expect(await userinfoStatus(fresh.access_token)).toBe(200)
      expect(await clients().listTools()).toContainEqual(expect.objectContaining({ clientId: 'outil-rh' }))
      expect(await stack.database.knex('audit_events').where({ type: 'client.enabled', subject: 'outil-rh' }).first()).toMatchObject({ actor: OPERATOR_ACTOR })

      const unknown = await cli.run(['clients', 'disable', '--client-id', 'inconnu'])
      expect(unknown).toMatchObject({ code: 3, stderr: 'Aucun client « inconnu ».\n' })
    })
  })
})
