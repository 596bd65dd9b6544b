import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { FORM_REFUSED } from '@opcommerce/shared/errors'
import { createMembershipQueries } from '@opcommerce/shared/queries/memberships'
import { createTestDatabase, type TestDatabase } from '../../../tests/support/database'
import { testConfig } from '../../../tests/support/idp'
import { actorOf, CAST_ROLES, companyCast, createCompany, createUser, createUsers, formRequest, testPortalContext, type CastRole, type CompanyCast } from '../../../tests/support/portal'
import { queuedMails, rowCounts } from '../../../tests/support/rows'
import { startSmtpCapture, type SmtpCapture } from '../../../tests/support/smtp'
import type { UserProfile } from '@opcommerce/shared/users'
import type { PortalContext } from '@/lib/context'
import { cookieNames } from '@/lib/cookies'
import { unsealFlash } from '@/lib/flash'
import { ESCALATION_DELAY } from '@/lib/memberships'
import { messages } from '@/lib/messages'
import { cancelRequestHandler, escalateHandler, linkCompanyHandler, memberActionHandler, remindHandler } from './companies'

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
    expect(await response.json()).toEqual({ message: messages.link.becameAdmin, redirect: `/entreprises/${fresh.siren}`, redirectDelay: 1000 })
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

describe('route handlers of a requester and a member: cancelling, escalating, leaving', () => {
  let database: TestDatabase | undefined
  let smtp: SmtpCapture | undefined
  let context: PortalContext
  let cast: CompanyCast
  let clockAhead = 0

  const post = async (role: CastRole, path: string, fields: Record<string, string> = {}) => formRequest(context, actorOf(cast, role), path, fields)
  const status = async (userId: string) => (await createMembershipQueries(database!.knex).find(userId, cast.company.siren))?.status

  beforeAll(async () => {
    database = await createTestDatabase()
    smtp = await startSmtpCapture()
    context = testPortalContext(testConfig(database, smtp), database.knex, { now: () => new Date(Date.now() + clockAhead) })
    cast = await companyCast(database.knex, context, 'Société Quittée')
  })

  afterAll(async () => {
    await smtp?.close()
    await database?.close()
  })

  const ONLY_PENDING: Record<CastRole, number> = { visitor: 401, pending: 200, refused: 404, member: 404, otherAdmin: 404, admin: 404 }

  it.each(CAST_ROLES)('"Contacter l\'Opcommerce" after 7 days as %s', async (role) => {
    clockAhead = ESCALATION_DELAY
    const mailed = () => queuedMails(database!.knex, context.config.opcoContactEmail, 'access_escalated')
    const before = await mailed()
    const response = await escalateHandler(context, await post(role, `/api/entreprises/${cast.company.siren}/escalade`), cast.company.siren)
    expect(response.status).toBe(ONLY_PENDING[role])
    expect((await mailed()) - before).toBe(role === 'pending' ? 1 : 0)
  })

  // The pending requester cancels last: every other cell finds the request still there.
  it.each([...CAST_ROLES.filter((role) => role !== 'pending'), 'pending' as const])('"Annuler ma demande" as %s', async (role) => {
    const before = await rowCounts(database!.knex)
    const response = await cancelRequestHandler(context, await post(role, `/api/entreprises/${cast.company.siren}/annulation`), cast.company.siren)
    expect(response.status).toBe(ONLY_PENDING[role])
    if (role !== 'pending') expect(await rowCounts(database!.knex)).toEqual(before)
    expect(await status(cast.pending.id)).toBe(role === 'pending' ? undefined : 'pending')
    expect(await status(cast.refused.id)).toBe('rejected')
  })

  it('answers 409 with the date to a request escalated too early, and 404 to a malformed SIREN', async () => {
    const fresh = await createUser(database!.knex, 'Fanny')
    clockAhead = 0
    await context.memberships.linkCompany(fresh, cast.company, 'test')
    const response = await escalateHandler(context, await formRequest(context, fresh, `/api/entreprises/${cast.company.siren}/escalade`, {}), cast.company.siren)
    expect(response.status).toBe(409)
    expect((await response.json()).message).toMatch(/^Vous pourrez contacter l'Opcommerce à partir du /u)
    expect((await cancelRequestHandler(context, await formRequest(context, fresh, '/api/entreprises/12/annulation', {}), '12')).status).toBe(404)
  })

  const LEAVE: Record<CastRole, number> = { visitor: 401, pending: 409, refused: 409, member: 200, otherAdmin: 409, admin: 409 }

  it.each(CAST_ROLES)('"Quitter l\'entreprise" as %s (the only administrator is told to name another one first)', async (role) => {
    const actor = actorOf(cast, role)
    const self = actor?.id ?? cast.member.id
    const response = await memberActionHandler(context, await post(role, `/api/entreprises/${cast.company.siren}/membres/${self}`, { action: 'remove' }), cast.company.siren, self)
    expect(response.status).toBe(LEAVE[role])
    if (role === 'admin') expect(await response.json()).toEqual({ message: messages.members.lastAdminLeaving })
    if (role === 'member') expect(await response.json()).toEqual({ message: messages.members.left, redirect: '/mes-entreprises' })
    expect(await status(cast.admin.id)).toBe('active')
  })
})

describe('forms posted without JavaScript: a 303 to the page, with the outcome shown there once', () => {
  let database: TestDatabase | undefined
  let smtp: SmtpCapture | undefined
  let context: PortalContext

  const flashOf = (response: Response) => {
    const name = cookieNames(context.config).flash
    const cookie = response.headers.getSetCookie().find((header) => header.startsWith(`${name}=`))
    return cookie && unsealFlash(decodeURIComponent(cookie.slice(name.length + 1).split(';')[0]!), context.config.secrets.portalSessionSecret, new Date())
  }

  beforeAll(async () => {
    database = await createTestDatabase()
    smtp = await startSmtpCapture()
    context = testPortalContext(testConfig(database, smtp), database.knex)
  })

  afterAll(async () => {
    await smtp?.close()
    await database?.close()
  })

  it('sends a refused form back to its page with its message, each field error and what was typed (never the CSRF token)', async () => {
    const user = await createUser(database!.knex, 'Gilles')
    const referer = `${context.config.portal.url}/mes-entreprises`
    const response = await linkCompanyHandler(context, await formRequest(context, user, '/api/entreprises', { siren: '123', code: '' }, { plain: { referer } }))
    expect(response.status).toBe(303)
    expect(response.headers.get('location')).toBe(referer)
    const flash = flashOf(response)
    expect(flash).toEqual({
      ok: false,
      message: FORM_REFUSED,
      form: '/api/entreprises',
      fieldErrors: { siren: ['Le Siren doit comporter exactement 9 chiffres.'], code: [messages.link.codeRequired] },
      values: { siren: '123', code: '' },
    })
    // The cookie is sealed: its text cannot be read, nor written by anyone else.
    expect(response.headers.getSetCookie().join(';')).not.toContain('Siren')
    expect(unsealFlash('forged.value.here', context.config.secrets.portalSessionSecret, new Date())).toBeUndefined()
  })

  it('follows the action to its next page, and goes back to the handler\'s own page without a Referer (or with a foreign one)', async () => {
    const user = await createUser(database!.knex, 'Hector')
    const company = await createCompany(database!.knex, context.config, 'Sans Script SA')
    const linked = await linkCompanyHandler(context, await formRequest(context, user, '/api/entreprises', { siren: company.siren, code: company.code }, { plain: {} }))
    expect(linked.status).toBe(303)
    // "Vous allez être redirigé" belongs to the page left; the home says « Vous pouvez accéder au portail ! ».
    expect(linked.headers.get('location')).toBe(`${context.config.portal.url}/entreprises/${company.siren}`)
    expect(flashOf(linked)).toBeUndefined()

    const other = await createCompany(database!.knex, context.config, 'Sans Script 2 SA')
    const wrong = await linkCompanyHandler(context, await formRequest(context, user, '/api/entreprises', { siren: other.siren, code: 'FAUX' }, { plain: { referer: 'https://ailleurs.example/page' } }))
    expect(wrong.headers.get('location')).toBe(`${context.config.portal.url}/entreprises/ajouter`)
    expect(flashOf(wrong)).toMatchObject({ ok: false, message: messages.link.noMatch })

    const colleague = await createUser(database!.knex, 'Irene')
    await context.memberships.linkCompany(colleague, company, 'test')
    await context.memberships.approve(user, company.siren, colleague.id, 'test')
    const left = await memberActionHandler(
      context,
      await formRequest(context, colleague, `/api/entreprises/${company.siren}/membres/${colleague.id}`, { action: 'remove' }, { plain: {} }),
      company.siren,
      colleague.id,
    )
    expect(left.status).toBe(303)
    expect(left.headers.get('location')).toBe(`${context.config.portal.url}/mes-entreprises`)
    expect(flashOf(left)).toEqual({ ok: true, message: messages.members.left })
  })

  it('sends a visitor to log in and back, and keeps the JSON of the script path', async () => {
    const referer = `${context.config.portal.url}/entreprises/ajouter`
    const visitor = await linkCompanyHandler(context, await formRequest(context, undefined, '/api/entreprises', { siren: '1', code: '' }, { plain: { referer } }))
    expect(visitor.status).toBe(303)
    expect(visitor.headers.get('location')).toBe(`${context.config.portal.url}/auth/login?returnTo=${encodeURIComponent('/entreprises/ajouter')}`)
    const scripted = await linkCompanyHandler(context, await formRequest(context, undefined, '/api/entreprises', { siren: '1', code: '' }))
    expect(scripted.status).toBe(401)
    expect(scripted.headers.get('content-type')).toContain('application/json')
  })
})
