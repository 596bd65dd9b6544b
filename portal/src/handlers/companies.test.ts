import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { FORM_REFUSED } from '@opcommerce/shared/errors'
import { createMembershipQueries } from '@opcommerce/shared/queries/memberships'
import { createTestDatabase, type TestDatabase } from '../../../tests/support/database'
import { testConfig } from '../../../tests/support/idp'
import { createCompany, createUser, createUsers, formRequest, testPortalContext } from '../../../tests/support/portal'
import { startSmtpCapture, type SmtpCapture } from '../../../tests/support/smtp'
import type { UserProfile } from '@opcommerce/shared/users'
import type { PortalContext } from '@/lib/context'
import { messages } from '@/lib/messages'
import { rowCounts } from '../../../tests/support/rows'
import { linkCompanyHandler, memberActionHandler, remindHandler } from './companies'

describe('portal route handlers: statuses and server-side authorization', () => {
  let database: TestDatabase | undefined
  let smtp: SmtpCapture | undefined
  let context: PortalContext
  let company: { siren: string; code: string; name: string }
  let otherCompany: { siren: string; code: string; name: string }
  let admin: UserProfile, member: UserProfile, pending: UserProfile, otherAdmin: UserProfile

  const link = async (user: UserProfile | undefined, fields: Record<string, string>, options?: { csrf?: string }) =>
    linkCompanyHandler(context, await formRequest(context, user, '/api/entreprises', fields, options))
  const act = async (user: UserProfile, siren: string, userId: string, action: string, extra: Record<string, string> = {}) =>
    memberActionHandler(context, await formRequest(context, user, `/api/entreprises/${siren}/membres/${userId}`, { action, ...extra }), siren, userId)
  const membership = (userId: string, siren = company.siren) => createMembershipQueries(database!.knex).find(userId, siren)

  beforeAll(async () => {
    database = await createTestDatabase()
    smtp = await startSmtpCapture()
    context = testPortalContext(testConfig(database, smtp), database.knex)
    company = await createCompany(database.knex, context.config, 'Société Lambda')
    otherCompany = await createCompany(database.knex, context.config, 'Société Mu')
    ;[admin, member, pending, otherAdmin] = await createUsers(database.knex, ['Alice', 'Bob', 'Chloe', 'Denis'])
    await context.memberships.linkCompany(admin, company, 'test')
    await context.memberships.linkCompany(member, company, 'test')
    await context.memberships.approve(admin, company.siren, member.id, 'test')
    await context.memberships.linkCompany(otherAdmin, otherCompany, 'test')
    await context.memberships.linkCompany(pending, company, 'test')
  })

  afterAll(async () => {
    await smtp?.close()
    await database?.close()
  })

  it('links a company and tells the first person they are its administrator', async () => {
    const newcomer = await createUser(database!.knex, 'Emma')
    const fresh = await createCompany(database!.knex, context.config, 'Société Nu')
    const response = await link(newcomer, { siren: fresh.siren, code: fresh.code })
    expect(response.status).toBe(200)
    expect(await response.json()).toEqual({ message: messages.link.becameAdmin, redirect: `/entreprises/${fresh.siren}`, redirectDelay: 2500 })
  })

  it('answers bad input with 400 and French field errors', async () => {
    const response = await link(member, { siren: '123', code: '' })
    expect(response.status).toBe(400)
    expect(await response.json()).toEqual({
      message: FORM_REFUSED,
      fieldErrors: { siren: ['Le Siren doit comporter exactement 9 chiffres.'], code: [messages.link.codeRequired] },
    })
    const wrong = await link(member, { siren: otherCompany.siren, code: 'ADH-FAUX' })
    expect(wrong.status).toBe(400)
    expect(await wrong.json()).toEqual({ message: messages.link.noMatch })
  })

  it('refuses a request without a session (401) or with a forged CSRF token (403)', async () => {
    const anonymous = await link(undefined, { siren: company.siren, code: company.code })
    expect(anonymous.status).toBe(401)
    expect(await anonymous.json()).toEqual({ message: messages.session.required, redirect: '/auth/login' })
    const forged = await link(member, { siren: otherCompany.siren, code: otherCompany.code }, { csrf: 'forged-token-forged-token-forged-token-1234' })
    expect(forged.status).toBe(403)
    expect(await membership(member.id, otherCompany.siren)).toBeUndefined()
  })

  it('refuses a form the browser says comes from another site (403), and a body over 16 kB (413), changing nothing', async () => {
    const before = await rowCounts(database!.knex)
    const fresh = await createCompany(database!.knex, context.config, 'Société Xi')
    for (const headers of [{ 'sec-fetch-site': 'cross-site' }, { origin: 'https://pirate.example' }]) {
      const request = await formRequest(context, member, '/api/entreprises', { siren: fresh.siren, code: fresh.code })
      for (const [name, value] of Object.entries(headers)) request.headers.set(name, value)
      const response = await linkCompanyHandler(context, request)
      expect(response.status).toBe(403)
      expect(await response.json()).toEqual({ message: messages.session.crossSite })
    }
    const huge = await linkCompanyHandler(context, await formRequest(context, member, '/api/entreprises', { siren: fresh.siren, code: 'x'.repeat(20_000) }))
    expect(huge.status).toBe(413)
    expect(await huge.json()).toEqual({ message: messages.errors.tooLarge })
    expect(await membership(member.id, fresh.siren)).toBeUndefined()
    expect(await rowCounts(database!.knex)).toEqual(before)
  })

  it('gives 403 to a member and to the administrator of another company, for every action, and changes nothing', async () => {
    const attempts: [string, string][] = [
      ['approve', pending.id],
      ['refuse', pending.id],
      ['promote', member.id],
      ['demote', admin.id],
      ['remove', admin.id],
    ]
    for (const actor of [member, otherAdmin]) {
      for (const [action, target] of attempts) {
        const response = await act(actor, company.siren, target, action)
        expect({ actor: actor.givenName, action, status: response.status }).toEqual({ actor: actor.givenName, action, status: 403 })
        expect(await response.json()).toEqual({ message: messages.members.forbidden })
      }
    }
    expect(await membership(pending.id)).toMatchObject({ status: 'pending' })
    expect(await membership(member.id)).toMatchObject({ status: 'active', role: 'member' })
    expect(await membership(admin.id)).toMatchObject({ status: 'active', role: 'admin' })
  })

  it('answers 409 when the last administrator would be demoted', async () => {
    const response = await act(admin, company.siren, admin.id, 'demote')
    expect(response.status).toBe(409)
    expect(await response.json()).toEqual({ message: messages.members.lastAdmin })
  })

  it('answers 404 for a malformed company or user in the path, and 400 for an unknown action', async () => {
    expect((await act(admin, '12', pending.id, 'approve')).status).toBe(404)
    expect((await act(admin, company.siren, 'not-a-uuid', 'approve')).status).toBe(404)
    expect((await act(admin, company.siren, pending.id, 'delete-everything')).status).toBe(400)
  })

  it('approves with 200 and a message naming the person', async () => {
    const response = await act(admin, company.siren, pending.id, 'approve')
    expect(response.status).toBe(200)
    expect(await response.json()).toEqual({ message: "L'accès de Chloe Test est autorisé." })
  })

  it('throttles "Relancer ma demande" with 429 and Retry-After', async () => {
    const requester = await createUser(database!.knex, 'Fanny')
    await context.memberships.linkCompany(requester, company, 'test')
    const remind = async () => remindHandler(context, await formRequest(context, requester, `/api/entreprises/${company.siren}/relance`, {}), company.siren)
    expect((await remind()).status).toBe(200)
    const tooSoon = await remind()
    expect(tooSoon.status).toBe(429)
    expect(Number(tooSoon.headers.get('retry-after'))).toBeGreaterThan(23 * 3600)
    expect((await tooSoon.json()).message).toMatch(/^Vous avez déjà relancé cette demande il y a moins de 24 heures\./u)
    expect((await remindHandler(context, await formRequest(context, requester, '/api/entreprises/999999999/relance', {}), '999999999')).status).toBe(404)
  })
})
