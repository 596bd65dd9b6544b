import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { createSecondFactorQueries } from '@opcommerce/shared/queries/second-factors'
import { createTestDatabase, type TestDatabase } from '../../../tests/support/database'
import { testConfig } from '../../../tests/support/idp'
import { actorOf, CAST_ROLES, companyCast, formRequest, testPortalContext, type CastRole, type CompanyCast } from '../../../tests/support/portal'
import { startSmtpCapture, type SmtpCapture } from '../../../tests/support/smtp'
import type { PortalContext } from '@/lib/context'
import { messages } from '@/lib/messages'
import { twoFactorRequirementHandler } from './two-factor'

describe('two-factor requirement of a company: set by its administrators only, once they have a second factor', () => {
  let database: TestDatabase | undefined
  let smtp: SmtpCapture | undefined
  let context: PortalContext
  let cast: CompanyCast

  const post = async (role: CastRole, action: string) =>
    twoFactorRequirementHandler(context, await formRequest(context, actorOf(cast, role), `/api/entreprises/${cast.company.siren}/double-authentification`, { action }), cast.company.siren)
  const required = async () => (await createSecondFactorQueries(database!.knex).companyRequirement(cast.company.siren)).required

  /** A passkey row stands for any second factor here (the idp's tests cover the ceremonies). */
  async function giveSecondFactor(userId: string) {
    await createSecondFactorQueries(database!.knex).insertPasskey({
      id: `cle-${userId}`,
      userId,
      publicKey: new Uint8Array([1, 2, 3]),
      counter: 0,
      transports: [],
      name: 'Clé de test',
      deviceType: 'multiDevice',
      createdAt: new Date(),
    })
  }

  beforeAll(async () => {
    database = await createTestDatabase()
    smtp = await startSmtpCapture()
    context = testPortalContext(testConfig(database, smtp), database.knex)
    cast = await companyCast(database.knex, context, 'Société Prudente')
  })

  afterAll(async () => {
    await smtp?.close()
    await database?.close()
  })

  it('refuses an administrator without a second factor: they would lose the company themselves', async () => {
    const response = await post('admin', 'require')
    expect(response.status).toBe(400)
    expect(await response.json()).toEqual({ message: messages.twoFactor.adminFirst })
    expect(await required()).toBe(false)
  })

  const EXPECTED: Record<CastRole, number> = { visitor: 401, pending: 403, refused: 403, member: 403, otherAdmin: 403, admin: 200 }

  it.each(CAST_ROLES)('requiring it as %s', async (role) => {
    const actor = actorOf(cast, role)
    if (actor && role !== 'admin') await giveSecondFactor(actor.id)
    if (role === 'admin') await giveSecondFactor(cast.admin.id)
    const response = await post(role, 'require')
    expect(response.status).toBe(EXPECTED[role])
    expect(await required()).toBe(role === 'admin')
    if (role === 'admin') expect(await response.json()).toEqual({ message: messages.twoFactor.required(cast.company.name) })
  })

  it('says when nothing changes (409), refuses an unknown action (400), and lets it go again', async () => {
    expect((await post('admin', 'require')).status).toBe(409)
    expect((await post('admin', 'exiger')).status).toBe(400)
    const released = await post('admin', 'release')
    expect(released.status).toBe(200)
    expect(await released.json()).toEqual({ message: messages.twoFactor.notRequired(cast.company.name) })
    expect(await required()).toBe(false)
  })
})
