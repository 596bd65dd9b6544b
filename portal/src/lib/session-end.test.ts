import { beforeAll, describe, expect, it } from '@jest/globals'
import { createUserQueries } from '@opcommerce/shared/queries/users'
import { newPerson, registerValidated } from '../../../tests/support/accounts'
import { Browser, linkInMail } from '../../../tests/support/browser'
import { testConfig, useIdpStack } from '../../../tests/support/idp'
import { createCompany, createUser, formRequest, sessionCookie, testPortalContext } from '../../../tests/support/portal'
import { memberActionHandler, remindHandler } from '@/handlers/companies'
import type { PortalContext } from './context'
import { companyAccess } from './data'

/** Point 7 of "Hold under attack": a session ends at the next portal request, not when its tokens expire. */
describe('portal sessions end at the next request after a password reset, a disabled user or a removal', () => {
  const stack = useIdpStack()
  let context: PortalContext

  beforeAll(() => {
    context = testPortalContext(testConfig(stack.database, stack.smtp, { IDP_ISSUER: stack.idp.issuer }), stack.database.knex)
  })

  const portalCookie = async (userId: string) => {
    const user = (await createUserQueries(stack.database.knex).findProfile(userId))!
    return (await sessionCookie(context, user)).cookie.split('=')[1]!
  }

  it('a password reset ends every portal session of the user, whatever browser holds it', async () => {
    const person = newPerson('Rita', 'Remise')
    await registerValidated(new Browser(), stack.idp.issuer, stack.smtp, person)
    const user = (await createUserQueries(stack.database.knex).findByEmail(person.email))!
    const laptop = await portalCookie(user.id)
    const phone = await portalCookie(user.id)
    expect(await context.sessions.resume(laptop)).toMatchObject({ user: { email: person.email } })

    const browser = new Browser()
    const after = stack.smtp.mails.length
    await browser.submit(await browser.get(`${stack.idp.issuer}/mot-de-passe-oublie`), '/mot-de-passe-oublie', { email: person.email })
    const mail = await stack.smtp.waitForMail((received) => received.subject === 'Réinitialisation de votre mot de passe' && stack.smtp.mails.indexOf(received) >= after)
    const link = linkInMail(mail.html, 'Choisir un nouveau mot de passe.')
    const password = 'Autre-Jardin-Rouge-31?'
    await browser.submit(await browser.get(link), new URL(link).pathname, { password, password_confirmation: password })

    expect(await context.sessions.resume(laptop)).toBeUndefined()
    expect(await context.sessions.resume(phone)).toBeUndefined()
    expect(await stack.database.knex('portal_sessions').where({ user_id: user.id })).toEqual([])
  })

  it('a user disabled by an operator is signed out of the portal at their next request (401 for a form)', async () => {
    const user = await createUser(stack.database.knex, 'Denis')
    const company = await createCompany(stack.database.knex, context.config, 'Société Désactivée')
    await context.memberships.linkCompany(user, company, 'test')
    const request = await formRequest(context, user, `/api/entreprises/${company.siren}/relance`, {})
    await stack.database.knex('users').where({ id: user.id }).update({ disabled_at: new Date() })
    const response = await remindHandler(context, request, company.siren)
    expect(response.status).toBe(401)
    const cookie = request.headers.get('cookie')!.split('=')[1]!
    expect(await context.sessions.resume(cookie)).toBeUndefined()
  })

  it('a member removed from a company loses its pages and actions at their next request', async () => {
    const company = await createCompany(stack.database.knex, context.config, 'Société Quittée')
    const [alice, bob] = [await createUser(stack.database.knex, 'Alice'), await createUser(stack.database.knex, 'Bob')]
    await context.memberships.linkCompany(alice, company, 'test')
    await context.memberships.linkCompany(bob, company, 'test')
    await context.memberships.approve(alice, company.siren, bob.id, 'test')
    await context.memberships.promote(alice, company.siren, bob.id, 'test')
    const bobSession = (await context.sessions.resume(await portalCookie(bob.id)))!
    const home = `/entreprises/${company.siren}`
    expect((await companyAccess(context, bobSession, company.siren, home, { admin: true })).kind).toBe('page')

    await context.memberships.remove(alice, company.siren, bob.id, 'test')
    expect((await companyAccess(context, bobSession, company.siren, home, { admin: false })).kind).toBe('not_found')
    const demote = await memberActionHandler(context, await formRequest(context, bob, `${home}/membres/${alice.id}`, { action: 'demote' }), company.siren, alice.id)
    expect(demote.status).toBe(403)
  })
})
