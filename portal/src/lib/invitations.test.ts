import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { ConflictError, ForbiddenError, NotFoundError, TooManyRequestsError, ValidationError } from '@opcommerce/shared/errors'
import type { MailSender } from '@opcommerce/shared/mail/sender'
import { createInvitationQueries } from '@opcommerce/shared/queries/invitations'
import { createMembershipQueries } from '@opcommerce/shared/queries/memberships'
import type { UserProfile } from '@opcommerce/shared/users'
import { createTestDatabase, type TestDatabase } from '../../../tests/support/database'
import { testConfig } from '../../../tests/support/idp'
import { startMailDelivery } from '../../../tests/support/mail'
import { companyAdministeredBy, createUser, createUsers, testPortalContext } from '../../../tests/support/portal'
import { linkInMail } from '../../../tests/support/browser'
import { startSmtpCapture, type SmtpCapture } from '../../../tests/support/smtp'
import type { PortalContext } from './context'
import { INVITATION_LIFETIME } from './invitations'
import { messages } from './messages'

describe('invitations: an administrator invites a colleague by email, whose access is active as soon as they log in', () => {
  let database: TestDatabase | undefined
  let smtp: SmtpCapture | undefined
  let sender: MailSender | undefined
  let context: PortalContext
  let clockAhead = 0
  const now = () => new Date(Date.now() + clockAhead)
  const ip = '203.0.113.9'
  const membershipOf = (userId: string, siren: string) => createMembershipQueries(database!.knex).find(userId, siren)
  const tokenOf = (link: string) => new URL(link).pathname.split('/').at(-1)!

  /** The invitation mail to `email` received after the first `seen` mails. */
  const invitationMail = (email: string, seen: number) =>
    smtp!.waitForMail(
      (received) => String(received.subject).startsWith('Invitation au Web Services Entreprise') && JSON.stringify(received.to).includes(email) && smtp!.mails.indexOf(received) >= seen,
    )
  const invitationLink = async (email: string, seen: number) => linkInMail((await invitationMail(email, seen)).html, "Accepter l'invitation")

  const companyOf = (name: string, admin: UserProfile) => companyAdministeredBy(database!.knex, context, name, admin)

  beforeAll(async () => {
    database = await createTestDatabase()
    smtp = await startSmtpCapture()
    sender = startMailDelivery(database.knex, smtp)
    context = testPortalContext(testConfig(database, smtp), database.knex, { now })
  })

  afterAll(async () => {
    await sender?.stop()
    await smtp?.close()
    await database?.close()
  })

  it('mails a link that activates the invited role for the user of that address, once', async () => {
    const [alice, bob] = await createUsers(database!.knex, ['Alice', 'Bob'])
    const company = await companyOf('Invitations SA', alice)
    const seen = smtp!.mails.length
    expect(await context.invitations.invite(alice, company.siren, { email: ` ${bob.email.toUpperCase()} `, role: 'admin' }, ip)).toBe(bob.email)
    const mail = await invitationMail(bob.email, seen)
    const link = linkInMail(mail.html, "Accepter l'invitation")
    expect(link).toMatch(new RegExp(`^${context.config.portal.url}/invitation/[\\w-]{43}$`, 'u'))
    expect(mail.subject).toBe('Invitation au Web Services Entreprise de Invitations SA')
    expect(mail.text).toContain(`Alice Test vous invite à accéder au Web Services Entreprise de Invitations SA (Siren ${company.siren}) en tant qu'administrateur.`)
    // The database keeps the SHA-256 of the secret, never the secret.
    expect(JSON.stringify(await database!.knex('invitations').where({ siren: company.siren }))).not.toContain(tokenOf(link))

    expect(await context.invitations.inspect(tokenOf(link))).toMatchObject({ status: 'valid', registered: true })
    await context.invitations.accept(bob, tokenOf(link), ip)
    expect(await membershipOf(bob.id, company.siren)).toMatchObject({ status: 'active', role: 'admin' })
    expect(await context.memberships.takeWelcome(bob.id, company.siren)).toBe(true)
    expect(await context.invitations.inspect(tokenOf(link))).toEqual({ status: 'used' })
    await expect(context.invitations.accept(bob, tokenOf(link), ip)).rejects.toThrow(messages.invitations.link.used)
    // Already in: inviting again says so.
    await expect(context.invitations.invite(alice, company.siren, { email: bob.email, role: 'member' }, ip)).rejects.toThrow(messages.invitations.alreadyMember)
  })

  it('refuses the link to a user of another address, and a forged or mangled one', async () => {
    const [alice, bob, mallory] = await createUsers(database!.knex, ['Alice', 'Bob', 'Mallory'])
    const company = await companyOf('Adresses SARL', alice)
    const seen = smtp!.mails.length
    await context.invitations.invite(alice, company.siren, { email: bob.email, role: 'member' }, ip)
    const token = tokenOf(await invitationLink(bob.email, seen))
    await expect(context.invitations.accept(mallory, token, ip)).rejects.toBeInstanceOf(ForbiddenError)
    expect(await membershipOf(mallory.id, company.siren)).toBeUndefined()
    for (const forged of [`${token.slice(0, -1)}${token.endsWith('A') ? 'B' : 'A'}`, 'x', `${token}/../x`]) {
      await expect(context.invitations.accept(bob, forged, ip)).rejects.toBeInstanceOf(NotFoundError)
      expect(await context.invitations.inspect(forged)).toEqual({ status: 'unknown' })
    }
    expect(await context.invitations.inspect(token)).toMatchObject({ status: 'valid' })
  })

  it('says an address without a validated user must create one, and expires after 7 days', async () => {
    const alice = await createUser(database!.knex, 'Alice')
    const company = await companyOf('Expiration & Fils', alice)
    const email = `nouvelle.${Date.now()}@exemple.fr`
    const seen = smtp!.mails.length
    await context.invitations.invite(alice, company.siren, { email, role: 'member' }, ip)
    const token = tokenOf(await invitationLink(email, seen))
    expect(await context.invitations.inspect(token)).toMatchObject({ status: 'valid', registered: false, invitation: { email, role: 'member' } })
    clockAhead += INVITATION_LIFETIME
    expect(await context.invitations.inspect(token)).toEqual({ status: 'expired' })
    const newcomer = { ...(await createUser(database!.knex, 'Nouvelle')), email }
    await expect(context.invitations.accept(newcomer, token, ip)).rejects.toThrow(messages.invitations.link.expired)
    clockAhead -= INVITATION_LIFETIME
  })

  it('sends an invitation again with a new link (the old one stops working), and cancels one', async () => {
    const [alice, bob] = await createUsers(database!.knex, ['Alice', 'Bob'])
    const company = await companyOf('Relances SAS', alice)
    let seen = smtp!.mails.length
    await context.invitations.invite(alice, company.siren, { email: bob.email, role: 'member' }, ip)
    const first = tokenOf(await invitationLink(bob.email, seen))
    const [open] = await createInvitationList(company.siren)
    seen = smtp!.mails.length
    expect(await context.invitations.resend(alice, company.siren, open!.id, ip)).toBe(bob.email)
    const second = tokenOf(await invitationLink(bob.email, seen))
    expect(second).not.toBe(first)
    expect(await context.invitations.inspect(first)).toEqual({ status: 'unknown' })
    expect(await context.invitations.inspect(second)).toMatchObject({ status: 'valid' })
    // Inviting the same address again renews that one invitation rather than adding another.
    seen = smtp!.mails.length
    await context.invitations.invite(alice, company.siren, { email: bob.email, role: 'admin' }, ip)
    const third = tokenOf(await invitationLink(bob.email, seen))
    expect(await createInvitationList(company.siren)).toEqual([expect.objectContaining({ id: open!.id, role: 'admin' })])

    expect(await context.invitations.cancel(alice, company.siren, open!.id, ip)).toBe(bob.email)
    expect(await context.invitations.inspect(third)).toEqual({ status: 'cancelled' })
    await expect(context.invitations.accept(bob, third, ip)).rejects.toThrow(messages.invitations.link.cancelled)
    await expect(context.invitations.resend(alice, company.siren, open!.id, ip)).rejects.toBeInstanceOf(ConflictError)
    expect(await membershipOf(bob.id, company.siren)).toBeUndefined()
  })

  it('lets only the administrators of the company invite, resend and cancel', async () => {
    const [alice, bob, carol, dave] = await createUsers(database!.knex, ['Alice', 'Bob', 'Carol', 'Dave'])
    const company = await companyOf('Autorisations SA', alice)
    await context.memberships.linkCompany(bob, company, ip)
    await context.memberships.approve(alice, company.siren, bob.id, ip)
    await companyOf('Autre entreprise SA', carol)
    await context.invitations.invite(alice, company.siren, { email: dave.email, role: 'member' }, ip)
    const [open] = await createInvitationList(company.siren)
    for (const actor of [bob, carol]) {
      for (const attempt of [
        context.invitations.invite(actor, company.siren, { email: 'x@exemple.fr', role: 'admin' }, ip),
        context.invitations.resend(actor, company.siren, open!.id, ip),
        context.invitations.cancel(actor, company.siren, open!.id, ip),
      ]) {
        await expect(attempt).rejects.toBeInstanceOf(ForbiddenError)
      }
    }
    expect(await createInvitationList(company.siren)).toEqual([expect.objectContaining({ email: dave.email, cancelledAt: null })])
  })

  it('explains a wrong address or role next to its field', async () => {
    const alice = await createUser(database!.knex, 'Alice')
    const company = await companyOf('Formulaires SA', alice)
    await expect(context.invitations.invite(alice, company.siren, { email: 'pas-une-adresse', role: 'chef' }, ip)).rejects.toMatchObject({
      fieldErrors: { email: [messages.invitations.emailInvalid], role: [messages.invitations.roleInvalid] },
    })
    await expect(context.invitations.invite(alice, company.siren, { email: '', role: '' }, ip)).rejects.toBeInstanceOf(ValidationError)
  })

  it('counts invitations per administrator and per company before sending, even when sent all at once', async () => {
    const limited = testPortalContext(context.config, database!.knex, {
      now,
      limits: { linkPerUser: { points: 1000, duration: 60 }, linkPerCompanyPerDay: { points: 1000, duration: 60 }, invitePerAdmin: { points: 3, duration: 3600 }, invitePerCompany: { points: 5, duration: 3600 } },
    })
    const [alice, bob, outsider] = await createUsers(database!.knex, ['Alice', 'Bob', 'Olivier'])
    const company = await companyOf('Limites SA', alice)
    await limited.memberships.linkCompany(bob, company, ip)
    await limited.memberships.approve(alice, company.siren, bob.id, ip)
    await limited.memberships.promote(alice, company.siren, bob.id, ip)
    // Someone who is not an administrator spends none of the company's points.
    for (let attempt = 0; attempt < 10; attempt++) {
      await expect(limited.invitations.invite(outsider, company.siren, { email: `o${attempt}@exemple.fr`, role: 'member' }, ip)).rejects.toBeInstanceOf(ForbiddenError)
    }

    const burst = await Promise.allSettled(Array.from({ length: 8 }, (_, i) => limited.invitations.invite(alice, company.siren, { email: `a${i}@exemple.fr`, role: 'member' }, ip)))
    expect(burst.filter((outcome) => outcome.status === 'fulfilled')).toHaveLength(3)
    const refused = burst.filter((outcome): outcome is PromiseRejectedResult => outcome.status === 'rejected').map((outcome) => outcome.reason as Error)
    expect(refused.every((error) => error instanceof TooManyRequestsError && error.message.startsWith(messages.invitations.tooManyForAdmin))).toBe(true)

    const others = await Promise.allSettled(Array.from({ length: 4 }, (_, i) => limited.invitations.invite(bob, company.siren, { email: `b${i}@exemple.fr`, role: 'member' }, ip)))
    expect(others.filter((outcome) => outcome.status === 'fulfilled')).toHaveLength(2)
    expect(others.some((outcome) => outcome.status === 'rejected' && String((outcome.reason as Error).message).startsWith(messages.invitations.tooManyForCompany))).toBe(true)
    expect(Number((await database!.knex('invitations').where({ siren: company.siren }).count({ count: '*' }).first())!.count)).toBe(5)
  })

  /** The company's open invitations, as "Gérer les utilisateurs" lists them. */
  const createInvitationList = (siren: string) => createInvitationQueries(database!.knex).openOf(siren)
})
