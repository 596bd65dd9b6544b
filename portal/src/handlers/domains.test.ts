import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { createCompanyDomainQueries } from '@opcommerce/shared/queries/company-domains'
import { domainOf } from '@opcommerce/shared/email-domains'
import { createTestDatabase, type TestDatabase } from '../../../tests/support/database'
import { testConfig } from '../../../tests/support/idp'
import { actorOf, CAST_ROLES, companyCast, formRequest, testPortalContext, type CastRole, type CompanyCast } from '../../../tests/support/portal'
import { rowCounts } from '../../../tests/support/rows'
import { startSmtpCapture, type SmtpCapture } from '../../../tests/support/smtp'
import type { PortalContext } from '@/lib/context'
import { messages } from '@/lib/messages'
import { domainActionHandler } from './domains'

describe('trusted domain route handler: only the company administrators declare or withdraw a domain', () => {
  let database: TestDatabase | undefined
  let smtp: SmtpCapture | undefined
  let context: PortalContext
  let cast: CompanyCast

  const post = async (role: CastRole, fields: Record<string, string>) =>
    domainActionHandler(context, await formRequest(context, actorOf(cast, role), `/api/entreprises/${cast.company.siren}/domaines`, fields), cast.company.siren)
  const declared = () => createCompanyDomainQueries(database!.knex).listOf(cast.company.siren)

  beforeAll(async () => {
    database = await createTestDatabase()
    smtp = await startSmtpCapture()
    context = testPortalContext(testConfig(database, smtp), database.knex)
    cast = await companyCast(database.knex, context, 'Société des Domaines')
  })

  afterAll(async () => {
    await smtp?.close()
    await database?.close()
  })

  const EXPECTED: Record<CastRole, number> = { visitor: 401, pending: 403, refused: 403, member: 403, otherAdmin: 403, admin: 200 }

  it.each(CAST_ROLES)('declaring the domain of one\'s own address as %s', async (role) => {
    const domain = role === 'visitor' ? 'exemple.fr' : domainOf(actorOf(cast, role)!.email)
    const before = await rowCounts(database!.knex)
    const response = await post(role, { action: 'declare', domain })
    expect(response.status).toBe(EXPECTED[role])
    if (role !== 'admin') {
      expect(await rowCounts(database!.knex)).toEqual(before)
      expect(await declared()).toEqual([])
      return
    }
    expect(await response.json()).toEqual({ message: messages.domains.added(domain) })
    expect((await declared()).map((row) => row.domain)).toEqual([domain])
  })

  it.each(CAST_ROLES)('withdrawing a declared domain as %s', async (role) => {
    const domain = domainOf(cast.admin.email)
    const response = await post(role, { action: 'withdraw', domain })
    expect(response.status).toBe(EXPECTED[role])
    expect((await declared()).map((row) => row.domain)).toEqual(role === 'admin' ? [] : [domain])
  })

  it('refuses another domain than one\'s own (400), a domain not declared (409) and an unknown action (400)', async () => {
    const mine = await post('admin', { action: 'declare', domain: 'concurrent.fr' })
    expect(mine.status).toBe(400)
    expect(await mine.json()).toEqual({ message: messages.domains.notYours })
    const withdrawn = await post('admin', { action: 'withdraw', domain: 'jamais-declare.fr' })
    expect(withdrawn.status).toBe(409)
    expect((await post('admin', { action: 'effacer', domain: 'exemple.fr' })).status).toBe(400)
    expect(await declared()).toEqual([])
  })
})
