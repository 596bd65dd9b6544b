import { beforeAll, describe, expect, it } from '@jest/globals'
import { FORM_REFUSED } from '@opcommerce/shared/errors'
import { createUserQueries } from '@opcommerce/shared/queries/users'
import type { UserProfile } from '@opcommerce/shared/users'
import type { PortalContext } from '@opcommerce/portal/src/lib/context'
import { newPerson, STRONG_PASSWORD } from '../support/accounts'
import { Browser } from '../support/browser'
import { useIdpStack } from '../support/idp'
import { createCompany, createUser, testPortalContext } from '../support/portal'
import { queuedMails } from '../support/rows'
import { messages } from '@opcommerce/idp/src/messages'

describe('« Créer un compte » from an invitation: the link proves the address, no validation mail', () => {
  const stack = useIdpStack()
  let portal: PortalContext
  let admin: UserProfile
  let company: { siren: string; code: string; name: string }

  /** Invites `email` to the company; returns the secret of the mail's link. */
  async function invite(email: string): Promise<string> {
    await portal.invitations.invite(admin, company.siren, { email, role: 'member' }, 'test')
    const [row] = await stack.database.knex('mail_outbox').where({ to: email, template: 'invitation' }).orderBy('id', 'desc').limit(1).select('data')
    return new URL((row.data as { link: string }).link).pathname.split('/').at(-1)!
  }

  const registrationOf = (token: string) => `${stack.idp.issuer}/inscription?invitation=${token}`
  const fields = { password: STRONG_PASSWORD, password_confirmation: STRONG_PASSWORD, given_name: 'Inès', family_name: 'Invitée' }

  beforeAll(async () => {
    portal = testPortalContext(stack.idp.config, stack.database.knex)
    admin = await createUser(stack.database.knex, 'Alice')
    company = await createCompany(stack.database.knex, stack.idp.config, 'Boulangerie Invitante')
    await portal.memberships.linkCompany(admin, company, 'test')
  })

  it('fills in the address, creates a validated user, then leads to the portal link that logs in and activates the access', async () => {
    const person = newPerson('Ines', 'Invitee')
    const token = await invite(person.email)
    const browser = new Browser()
    const form = await browser.get(registrationOf(token))
    expect(form.status).toBe(200)
    expect(form.text).toContain(messages.invitation.intro('Boulangerie Invitante'))
    const email = form.document.querySelector('input[name="email"]')!
    expect(email.getAttribute('value')).toBe(person.email)
    expect(email.hasAttribute('readonly')).toBe(true)
    expect(form.document.querySelector('input[name="email_confirmation"]')).toBeNull()

    // Whatever address is posted, the invitation's is the one registered.
    const done = await browser.submit(form, '/inscription', { ...fields, email: 'autre@exemple.fr' })
    expect(done.status).toBe(200)
    expect(done.text).toContain('Félicitations, votre compte a bien été validé.')
    const next = done.document.querySelectorAll('a').find((link) => link.textContent.trim() === 'Se connecter')!
    expect(next.getAttribute('href')).toBe(`${stack.idp.config.portal.url}/invitation/${token}`)
    const user = await createUserQueries(stack.database.knex).findByEmail(person.email)
    expect(user).toMatchObject({ givenName: 'Inès', familyName: 'Invitée', emailVerifiedAt: expect.any(Date) })
    expect(await createUserQueries(stack.database.knex).findByEmail('autre@exemple.fr')).toBeUndefined()
    expect(await queuedMails(stack.database.knex, person.email, 'verify_email')).toBe(0)
    expect(await stack.database.knex('audit_events').where({ type: 'account.registered_by_invitation', subject: user!.id }).first()).toBeDefined()
  })

  it('never changes the password of a validated user: they are sent to log in', async () => {
    const owner = await createUser(stack.database.knex, 'Olga')
    const before = (await createUserQueries(stack.database.knex).findById(owner.id))!.passwordHash
    const token = await invite(owner.email)
    const browser = new Browser()
    const form = await browser.get(registrationOf(token))
    const answer = await browser.submit(form, '/inscription', fields, { stopAt: stack.idp.config.portal.url })
    expect(answer.url).toBe(`${stack.idp.config.portal.url}/invitation/${token}`)
    expect((await createUserQueries(stack.database.knex).findById(owner.id))!.passwordHash).toBe(before)
  })

  it('keeps the invitation in a refused form, and sends an unusable link to the portal, which says why', async () => {
    const person = newPerson('Paul', 'Faible')
    const token = await invite(person.email)
    const browser = new Browser()
    const form = await browser.get(registrationOf(token))
    const refused = await browser.submit(form, '/inscription', { ...fields, password: 'faible', password_confirmation: 'faible' })
    expect(refused.status).toBe(400)
    expect(refused.document.querySelector('.alert--error')?.textContent.trim()).toBe(FORM_REFUSED)
    expect(refused.document.querySelector('input[name="invitation"]')?.getAttribute('value')).toBe(token)
    expect(refused.document.querySelector('input[name="email"]')?.getAttribute('value')).toBe(person.email)
    expect(await createUserQueries(stack.database.knex).findByEmail(person.email)).toBeUndefined()

    const [open] = await stack.database.knex('invitations').whereRaw('lower(email) = ?', [person.email]).select('id')
    await portal.invitations.cancel(admin, company.siren, open.id, 'test')
    for (const answer of [await browser.get(registrationOf(token), { stopAt: stack.idp.config.portal.url }), await browser.submit(form, '/inscription', fields, { stopAt: stack.idp.config.portal.url })]) {
      expect(answer.url).toBe(`${stack.idp.config.portal.url}/invitation/${token}`)
    }
    expect(await createUserQueries(stack.database.knex).findByEmail(person.email)).toBeUndefined()
    expect((await new Browser().get(registrationOf('pas-un-jeton'), { stopAt: stack.idp.config.portal.url })).url).toBe(`${stack.idp.config.portal.url}/invitation/pas-un-jeton`)
  })
})
