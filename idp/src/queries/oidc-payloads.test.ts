import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { createCompanyQueries } from '@opcommerce/shared/queries/companies'
import { createMembershipQueries } from '@opcommerce/shared/queries/memberships'
import { createUserQueries } from '@opcommerce/shared/queries/users'
import { createTestDatabase, type TestDatabase } from '../../../tests/support/database'
import { createOidcPayloadQueries, UnstorablePayload, type OidcPayloadQueries } from './oidc-payloads'

/**
 * Writes and lookups made together share one statement (issue 11); what each caller gets must
 * stay what it would get alone, and one bad input must fail its own call only.
 */
describe('oidc payloads written and read together', () => {
  let database: TestDatabase | undefined
  let payloads: OidcPayloadQueries

  beforeAll(async () => {
    database = await createTestDatabase()
    payloads = createOidcPayloadQueries(database.knex)
  })

  afterAll(async () => {
    await database?.close()
  })

  it('stores every write of a burst, the later of two writes of one artifact winning, and fails only the write PostgreSQL refuses', async () => {
    const ids = Array.from({ length: 30 }, (_, index) => `burst-${index}`)
    const results = await Promise.allSettled([
      ...ids.map((id) => payloads.upsert('AccessToken', id, { jti: id, accountId: null, n: 1 }, 3600)),
      payloads.upsert('AccessToken', 'burst-0', { jti: 'burst-0', n: 2 }, 3600),
      // A lifetime past PostgreSQL's int: this write is refused, the others of its turn are not.
      payloads.upsert('AccessToken', 'burst-forever', { jti: 'burst-forever' }, 2 ** 31),
    ])
    expect(results.map((result) => result.status)).toEqual([...ids.map(() => 'fulfilled'), 'fulfilled', 'rejected'])
    const rows = await database!.knex('oidc_payloads').where('id', 'like', 'burst-%').orderBy('id').select('id', 'payload', 'expires_at')
    expect(rows.map((row) => row.id).sort()).toEqual([...ids].sort())
    expect(rows.find((row) => row.id === 'burst-0')!.payload).toEqual({ jti: 'burst-0', n: 2 })
    expect(rows.every((row) => row.expires_at instanceof Date && row.expires_at.getTime() > Date.now() + 3_500_000)).toBe(true)
  })

  it('refuses a NUL character, which jsonb cannot hold, before the write joins the others; the text \\u0000 is stored as given', async () => {
    const results = await Promise.allSettled([
      payloads.upsert('Interaction', 'nul-value', { params: { state: 'a\u0000b' } }, 3600),
      payloads.upsert('Interaction', 'nul-key', { params: { 'st\u0000ate': 'a' } }, 3600),
      payloads.upsert('Interaction', 'nul-after-backslash', { params: { state: 'a\\\u0000' } }, 3600),
      payloads.upsert('Interaction', 'backslash-text', { params: { state: 'a\\u0000', nonce: 'b\\\\u0000' } }, 3600),
    ])
    expect(results.map((result) => (result.status === 'rejected' ? result.reason.constructor : result.status))).toEqual([UnstorablePayload, UnstorablePayload, UnstorablePayload, 'fulfilled'])
    expect(await database!.knex('oidc_payloads').where('kind', 'Interaction').pluck('id')).toEqual(['backslash-text'])
    expect((await payloads.find('Interaction', 'backslash-text'))!.payload).toEqual({ params: { state: 'a\\u0000', nonce: 'b\\\\u0000' } })
  })

  it('gives each lookup of a burst its own token, of the kinds it asked for', async () => {
    await Promise.all([
      payloads.upsert('AccessToken', 'look-1', { jti: 'look-1' }, 3600),
      payloads.upsert('RefreshToken', 'look-2', { jti: 'look-2' }, 3600),
    ])
    const [first, second, wrongKind, unknown] = await Promise.all([
      payloads.findTokenWithContext(['AccessToken', 'RefreshToken'], 'look-1'),
      payloads.findTokenWithContext(['RefreshToken'], 'look-2'),
      payloads.findTokenWithContext(['AccessToken'], 'look-2'),
      payloads.findTokenWithContext(['AccessToken'], 'look-3'),
    ])
    expect(first.map((row) => [row.kind, row.payload.jti])).toEqual([['AccessToken', 'look-1']])
    expect(second.map((row) => [row.kind, row.payload.jti])).toEqual([['RefreshToken', 'look-2']])
    expect(wrongKind).toEqual([])
    expect(unknown).toEqual([])
  })

  it('gives two lookups of one token in a burst objects of their own: what one request changes, the other does not see', async () => {
    await createCompanyQueries(database!.knex).save([{ siren: '732829320', name: 'Entreprise partagée', memberCodeHash: 'hash' }])
    const user = (await createUserQueries(database!.knex).insertValidated({ email: 'partage@exemple.fr', passwordHash: 'hash', givenName: 'Paul', familyName: 'Partage' }, new Date()))!
    await createMembershipQueries(database!.knex).upsert({ userId: user.id, siren: '732829320', role: 'member', status: 'active', at: new Date() })
    await payloads.upsert('AccessToken', 'shared-1', { jti: 'shared-1', accountId: user.id, claims: { userinfo: { email: null } } }, 3600)
    const [[first], [second]] = await Promise.all([
      payloads.findTokenWithContext(['AccessToken'], 'shared-1'),
      payloads.findTokenWithContext(['AccessToken'], 'shared-1'),
    ])
    Object.assign(first!.payload.claims as object, { changed: true })
    first!.account!.companies[0]!.role = 'admin'
    first!.account!.companies.push({ siren: '000000000', name: 'Ajoutée', role: 'member' })
    expect(second!.payload).toEqual({ jti: 'shared-1', accountId: user.id, claims: { userinfo: { email: null } } })
    expect(second!.account!.companies).toEqual([{ siren: '732829320', name: 'Entreprise partagée', role: 'member' }])
  })

  it('marks a code used once when it is presented several times at once: the first call, the others are replays of its grant', async () => {
    await payloads.upsert('AuthorizationCode', 'code-1', { jti: 'code-1', grantId: 'grant-1' }, 60)
    await payloads.upsert('AuthorizationCode', 'code-2', { jti: 'code-2', grantId: 'grant-2' }, 60)
    const results = await Promise.all([
      ...Array.from({ length: 5 }, () => payloads.consume('AuthorizationCode', 'code-1')),
      payloads.consume('AuthorizationCode', 'code-2'),
    ])
    expect(results).toEqual([undefined, ...Array.from({ length: 4 }, () => ({ replayedGrantId: 'grant-1' })), undefined])
    expect(await payloads.consume('AuthorizationCode', 'code-2')).toEqual({ replayedGrantId: 'grant-2' })
  })
})
