import { describe, expect, it } from '@jest/globals'
import { createClientQueries } from '@opcommerce/shared/queries/clients'
import { OPERATOR_ACTOR, useCli } from '../support/cli'
import { useIdpStack } from '../support/idp'

describe('npm run cli -- clients', () => {
  const stack = useIdpStack()
  const cli = useCli({ sharedDatabase: () => stack.database })
  const clients = () => createClientQueries(stack.database.knex)

  it('creates a client with the default grants and prints the generated secret once', async () => {
    const result = await cli.run(['clients', 'create', '--client-id', 'paie', '--redirect-uri', 'https://paie.opcommerce.test/callback', '--name', 'Paie', '--tool', '--url', 'https://paie.opcommerce.test', '--description', 'Déclarations de paie'])
    expect(result.code).toBe(0)
    expect(result.stdout).toContain('Client « paie » créé (authorization_code, refresh_token).')
    const secret = result.stdout.trim().split('\n').at(-1)!
    expect(secret).toMatch(/^[\w-]{43}$/u)
    const client = await clients().find('paie')
    expect(client).toMatchObject({ name: 'Paie', tool: true, url: 'https://paie.opcommerce.test', description: 'Déclarations de paie' })
    expect(client!.metadata).toMatchObject({ client_secret: secret, grant_types: ['authorization_code', 'refresh_token'], redirect_uris: ['https://paie.opcommerce.test/callback'] })
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
})
