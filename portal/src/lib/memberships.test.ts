import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { BadRequestError, ConflictError, ForbiddenError, NotFoundError, TooManyRequestsError, ValidationError } from '@opcommerce/shared/errors'
import { createMembershipQueries } from '@opcommerce/shared/queries/memberships'
import { createTestDatabase, type TestDatabase } from '../../../tests/support/database'
import { testConfig } from '../../../tests/support/idp'
import { mailsTo, startMailDelivery } from '../../../tests/support/mail'
import { companyAdministeredBy, createCompany, createUser, createUsers, testPortalContext } from '../../../tests/support/portal'
import { startSmtpCapture, type SmtpCapture } from '../../../tests/support/smtp'
import type { MailSender } from '@opcommerce/shared/mail/sender'
import { formatDay } from '@opcommerce/shared/dates'
import type { UserProfile } from '@opcommerce/shared/users'
import { queuedMails } from '../../../tests/support/rows'
import type { PortalContext } from './context'
import { ESCALATION_DELAY, REFUSAL_COOLDOWN, REMINDER_INTERVAL, type MembershipRules } from './memberships'
import { messages } from './messages'

describe('membership rules (guide, section 2)', () => {
  let database: TestDatabase | undefined
  let smtp: SmtpCapture | undefined
  let sender: MailSender | undefined
  let rules: MembershipRules
  /** How far the rules' clock runs ahead of the real one: tests move it, never freeze it. */
  let clockAhead = 0
  const now = () => new Date(Date.now() + clockAhead)
  const ip = '203.0.113.7'

  const config = () => testConfig(database!, smtp!)
  const statusOf = async (userId: string, siren: string) => createMembershipQueries(database!.knex).find(userId, siren)
  const activeOf = (userId: string) => createMembershipQueries(database!.knex).activeOf(userId)

  beforeAll(async () => {
    database = await createTestDatabase()
    smtp = await startSmtpCapture()
    sender = startMailDelivery(database.knex, smtp)
    rules = testPortalContext(config(), database.knex, { now }).memberships
  })

  afterAll(async () => {
    await sender?.stop()
    await smtp?.close()
    await database?.close()
  })

  it('makes the first user to link a company its administrator', async () => {
    const alice = await createUser(database!.knex, 'Alice')
    const company = await createCompany(database!.knex, config(), 'Boulangerie Alpha')
    const result = await rules.linkCompany(alice, { siren: company.siren.replace(/(\d{3})(\d{3})(\d{3})/u, '$1 $2 $3'), code: company.code.toLowerCase() }, ip)
    expect(result.outcome).toBe('admin')
    expect(await statusOf(alice.id, company.siren)).toMatchObject({ role: 'admin', status: 'active' })
    expect(await activeOf(alice.id)).toEqual([{ siren: company.siren, name: 'Boulangerie Alpha', role: 'admin' }])
  })

  it('turns later links into pending requests mailed to every administrator', async () => {
    const company = await createCompany(database!.knex, config(), 'Librairie Beta')
    const [alice, bob, chloe] = [await createUser(database!.knex, 'Alice'), await createUser(database!.knex, 'Bob'), await createUser(database!.knex, 'Chloe')]
    await rules.linkCompany(alice, company, ip)
    expect((await rules.linkCompany(bob, company, ip)).outcome).toBe('pending')
    await rules.approve(alice, company.siren, bob.id, ip)
    await rules.promote(alice, company.siren, bob.id, ip)

    expect((await rules.linkCompany(chloe, company, ip)).outcome).toBe('pending')
    expect(await statusOf(chloe.id, company.siren)).toMatchObject({ role: 'member', status: 'pending' })
    for (const admin of [alice, bob]) {
      const mail = await smtp!.waitForMail(
        (received) =>
          received.subject === "Demande d'accès à Librairie Beta" && JSON.stringify(received.to).includes(admin.email) && String(received.text).includes(chloe.email),
      )
      expect(mail.text).toContain(`Chloe Test (${chloe.email}) demande l'accès au Web Services Entreprise de Librairie Beta (Siren ${company.siren}).`)
      expect(mail.html).toContain(`/entreprises/${company.siren}/utilisateurs`)
      expect(mail.html).toContain('Gérer les utilisateurs')
    }
    expect((await rules.linkCompany(chloe, company, ip)).outcome).toBe('already_pending')
    expect(await activeOf(chloe.id)).toEqual([])
  })

  it('lets a requester remind the administrators once per 24 hours', async () => {
    const company = await createCompany(database!.knex, config(), 'Quincaillerie Gamma')
    const [alice, bob] = [await createUser(database!.knex, 'Alice'), await createUser(database!.knex, 'Bob')]
    await rules.linkCompany(alice, company, ip)
    await rules.linkCompany(bob, company, ip)

    await rules.remindAdministrators(bob, company.siren, ip)
    await smtp!.waitForMail((mail) => mail.subject === "Relance : demande d'accès à Quincaillerie Gamma" && JSON.stringify(mail.to).includes(alice.email))
    const tooSoon = rules.remindAdministrators(bob, company.siren, ip)
    await expect(tooSoon).rejects.toBeInstanceOf(TooManyRequestsError)
    await expect(tooSoon).rejects.toThrow(`${messages.reminder.tooSoon} Vous pourrez la relancer dans 24 heures.`)

    clockAhead += REMINDER_INTERVAL
    await expect(rules.remindAdministrators(bob, company.siren, ip)).resolves.toMatchObject({ siren: company.siren })
    expect(mailsTo(smtp!, alice.email).filter((mail) => mail.subject?.startsWith('Relance'))).toHaveLength(1)
    await smtp!.waitForMail(() => mailsTo(smtp!, alice.email).filter((mail) => mail.subject?.startsWith('Relance')).length === 2)
  })

  it('gives access on approval and mails the requester, who sees it at once', async () => {
    const company = await createCompany(database!.knex, config(), 'Fromagerie Delta')
    const [alice, bob] = [await createUser(database!.knex, 'Alice'), await createUser(database!.knex, 'Bob')]
    await rules.linkCompany(alice, company, ip)
    await rules.linkCompany(bob, company, ip)
    await rules.approve(alice, company.siren, bob.id, ip)
    expect(await activeOf(bob.id)).toEqual([{ siren: company.siren, name: 'Fromagerie Delta', role: 'member' }])
    const mail = await smtp!.waitForMail((received) => received.subject === 'Votre accès à Fromagerie Delta est activé')
    expect(JSON.stringify(mail.to)).toContain(bob.email)
    expect(mail.text).toContain('Vous pouvez accéder au portail !')
    await expect(rules.approve(alice, company.siren, bob.id, ip)).rejects.toThrow(messages.members.notPending)
  })

  it('refuses with a reason shown to the requester, who may ask again only after 30 days', async () => {
    const company = await createCompany(database!.knex, config(), 'Garage Epsilon')
    const [alice, bob] = [await createUser(database!.knex, 'Alice'), await createUser(database!.knex, 'Bob')]
    await rules.linkCompany(alice, company, ip)
    await rules.linkCompany(bob, company, ip)
    await rules.refuse(alice, company.siren, bob.id, { reason: '  Vous ne faites plus partie de la société.  ' }, ip)
    expect(await statusOf(bob.id, company.siren)).toMatchObject({ status: 'rejected', decisionReason: 'Vous ne faites plus partie de la société.' })
    const mail = await smtp!.waitForMail((received) => received.subject === "Votre demande d'accès à Garage Epsilon")
    expect(mail.text).toContain('Motif indiqué : « Vous ne faites plus partie de la société. »')
    await expect(rules.refuse(alice, company.siren, bob.id, { reason: 'x'.repeat(501) }, ip)).rejects.toBeInstanceOf(ValidationError)

    // Asking again at once is refused with the day it becomes possible, and mails nobody.
    const requestsBefore = await queuedMails(database!.knex, alice.email, 'access_request')
    const again = rules.linkCompany(bob, company, ip)
    await expect(again).rejects.toBeInstanceOf(TooManyRequestsError)
    const refusedOn = formatDay(now())
    await expect(again).rejects.toThrow(messages.link.refusedRecently(refusedOn, formatDay(new Date(now().getTime() + REFUSAL_COOLDOWN))))
    clockAhead += REFUSAL_COOLDOWN - 3600_000
    await expect(rules.linkCompany(bob, company, ip)).rejects.toBeInstanceOf(TooManyRequestsError)
    expect(await queuedMails(database!.knex, alice.email, 'access_request')).toBe(requestsBefore)
    expect(await statusOf(bob.id, company.siren)).toMatchObject({ status: 'rejected' })

    clockAhead += 3600_000
    expect((await rules.linkCompany(bob, company, ip)).outcome).toBe('pending')
    expect(await queuedMails(database!.knex, alice.email, 'access_request')).toBe(requestsBefore + 1)
  })

  it('never leaves a company without an administrator', async () => {
    const company = await createCompany(database!.knex, config(), 'Pharmacie Zeta')
    const [alice, bob] = [await createUser(database!.knex, 'Alice'), await createUser(database!.knex, 'Bob')]
    await rules.linkCompany(alice, company, ip)
    await rules.linkCompany(bob, company, ip)
    await rules.approve(alice, company.siren, bob.id, ip)

    const demoting = rules.demote(alice, company.siren, alice.id, ip)
    await expect(demoting).rejects.toBeInstanceOf(ConflictError)
    await expect(demoting).rejects.toThrow(messages.members.lastAdmin)
    // « Quitter l'entreprise »: the last administrator is told to name another one first.
    const leaving = rules.remove(alice, company.siren, alice.id, ip)
    await expect(leaving).rejects.toBeInstanceOf(ConflictError)
    await expect(leaving).rejects.toThrow(messages.members.lastAdminLeaving)
    expect(await statusOf(alice.id, company.siren)).toMatchObject({ role: 'admin', status: 'active' })

    await rules.promote(alice, company.siren, bob.id, ip)
    await rules.demote(bob, company.siren, alice.id, ip)
    await expect(rules.remove(alice, company.siren, bob.id, ip)).rejects.toBeInstanceOf(ForbiddenError)
    await rules.remove(alice, company.siren, alice.id, ip)
    expect(await activeOf(alice.id)).toEqual([])
    expect(await statusOf(bob.id, company.siren)).toMatchObject({ role: 'admin', status: 'active' })
  })

  it('lets nobody but the company administrators decide, and changes nothing when refused', async () => {
    const [first, other] = [await createCompany(database!.knex, config(), 'Société Eta'), await createCompany(database!.knex, config(), 'Société Theta')]
    const [alice, bob, carol, dave] = await createUsers(database!.knex, ['Alice', 'Bob', 'Carol', 'Dave'])
    await rules.linkCompany(alice, first, ip)
    await rules.linkCompany(bob, first, ip)
    await rules.approve(alice, first.siren, bob.id, ip)
    await rules.linkCompany(carol, other, ip) // administrator of another company
    await rules.linkCompany(dave, first, ip) // pending

    for (const actor of [bob, carol]) {
      for (const attempt of [
        rules.approve(actor, first.siren, dave.id, ip),
        rules.refuse(actor, first.siren, dave.id, { reason: '' }, ip),
        rules.promote(actor, first.siren, bob.id, ip),
        rules.demote(actor, first.siren, alice.id, ip),
        rules.remove(actor, first.siren, alice.id, ip),
      ]) {
        await expect(attempt).rejects.toBeInstanceOf(ForbiddenError)
      }
    }
    expect(await statusOf(dave.id, first.siren)).toMatchObject({ status: 'pending' })
    expect(await statusOf(alice.id, first.siren)).toMatchObject({ role: 'admin', status: 'active' })
    expect(await statusOf(bob.id, first.siren)).toMatchObject({ role: 'member', status: 'active' })
  })

  it('makes exactly one administrator when 20 people link a new company at once', async () => {
    const company = await createCompany(database!.knex, config(), 'Entreprise Simultanée')
    const users = await Promise.all(Array.from({ length: 20 }, (_, i) => createUser(database!.knex, `Personne${i}`)))
    const outcomes = await Promise.all(users.map((user) => rules.linkCompany(user, company, ip)))
    expect(outcomes.filter((result) => result.outcome === 'admin')).toHaveLength(1)
    expect(outcomes.filter((result) => result.outcome === 'pending')).toHaveLength(19)
    const [row] = await database!.knex('memberships').where({ siren: company.siren, role: 'admin', status: 'active' }).count({ count: '*' })
    expect(Number(row!.count)).toBe(1)
  })

  it('explains SIREN mistakes and gives one answer for an unknown company or a wrong code', async () => {
    const alice = await createUser(database!.knex, 'Alice')
    const company = await createCompany(database!.knex, config(), 'Société Iota')
    await expect(rules.linkCompany(alice, { siren: '12345', code: 'X' }, ip)).rejects.toMatchObject({ fieldErrors: { siren: ['Le Siren doit comporter exactement 9 chiffres.'] } })
    await expect(rules.linkCompany(alice, { siren: '732829321', code: 'X' }, ip)).rejects.toMatchObject({
      fieldErrors: { siren: ["Ce Siren n'est pas valide : vérifiez les chiffres saisis."] },
    })
    await expect(rules.linkCompany(alice, { siren: company.siren, code: '  ' }, ip)).rejects.toMatchObject({ fieldErrors: { code: [messages.link.codeRequired] } })
    const wrongCode = rules.linkCompany(alice, { siren: company.siren, code: 'ADH-000000' }, ip)
    const unknown = rules.linkCompany(alice, { siren: '732829320', code: company.code }, ip)
    await expect(wrongCode).rejects.toThrow(messages.link.noMatch)
    await expect(unknown).rejects.toThrow(messages.link.noMatch)
    expect(await statusOf(alice.id, company.siren)).toBeUndefined()
  })

  it('limits wrong codes per user, whatever the company, and refuses a code longer than any', async () => {
    const limited = testPortalContext(config(), database!.knex, { now, limits: { linkPerUser: { points: 3, duration: 3600 } } }).memberships
    const company = await createCompany(database!.knex, config(), 'Société Kappa')
    const alice = await createUser(database!.knex, 'Alice')
    for (let attempt = 0; attempt < 3; attempt++) await expect(limited.linkCompany(alice, { siren: company.siren, code: 'FAUX' }, ip)).rejects.toBeInstanceOf(BadRequestError)
    await expect(limited.linkCompany(alice, company, ip)).rejects.toThrow(/^Trop de tentatives d'ajout d'entreprise\. Réessayez dans (\d+ minutes|1 heure)\.$/u)
    expect(await statusOf(alice.id, company.siren)).toBeUndefined()
    const bob = await createUser(database!.knex, 'Bob')
    await expect(limited.linkCompany(bob, { siren: company.siren, code: 'A'.repeat(65) }, ip)).rejects.toMatchObject({ fieldErrors: { code: [messages.link.codeTooLong] } })
    expect((await limited.linkCompany(bob, company, ip)).outcome).toBe('admin')
  })
})

describe('membership rules beyond the guide: leaving, cancelling, being told, escalating, trusted domains, welcomes', () => {
  let database: TestDatabase | undefined
  let smtp: SmtpCapture | undefined
  let sender: MailSender | undefined
  let context: PortalContext
  let clockAhead = 0
  const now = () => new Date(Date.now() + clockAhead)
  const ip = '203.0.113.8'
  const statusOf = async (userId: string, siren: string) => createMembershipQueries(database!.knex).find(userId, siren)
  const queued = (email: string, template: string) => queuedMails(database!.knex, email, template)
  const companyOf = (name: string, admin: UserProfile, members: UserProfile[] = []) => companyAdministeredBy(database!.knex, context, name, admin, members)

  beforeAll(async () => {
    database = await createTestDatabase()
    smtp = await startSmtpCapture()
    sender = startMailDelivery(database.knex, smtp)
    context = testPortalContext(testConfig(database, smtp, { OPCO_CONTACT_EMAIL: 'aide@opcommerce.test' }), database.knex, { now })
  })

  afterAll(async () => {
    await sender?.stop()
    await smtp?.close()
    await database?.close()
  })

  it('lets a requester cancel their pending request, which the administrators can no longer approve', async () => {
    const [alice, bob] = await createUsers(database!.knex, ['Alice', 'Bob'])
    const company = await companyOf('Annulation SA', alice)
    await context.memberships.linkCompany(bob, company, ip)
    await context.memberships.cancelRequest(bob, company.siren, ip)
    expect(await statusOf(bob.id, company.siren)).toBeUndefined()
    await expect(context.memberships.approve(alice, company.siren, bob.id, ip)).rejects.toThrow(messages.members.notPending)
    await expect(context.memberships.cancelRequest(bob, company.siren, ip)).rejects.toBeInstanceOf(NotFoundError)
    // Nor can an active member "cancel" their access through it.
    await expect(context.memberships.cancelRequest(alice, company.siren, ip)).rejects.toBeInstanceOf(NotFoundError)
    expect(await statusOf(alice.id, company.siren)).toMatchObject({ status: 'active' })
  })

  it('mails a member whose access is removed or whose role changes, but not one who leaves', async () => {
    const [alice, bob, chloe] = await createUsers(database!.knex, ['Alice', 'Bob', 'Chloe'])
    const company = await companyOf('Notifications SARL', alice, [bob, chloe])
    await context.memberships.promote(alice, company.siren, bob.id, ip)
    const promoted = await smtp!.waitForMail((mail) => mail.subject === 'Votre rôle dans Notifications SARL a changé' && JSON.stringify(mail.to).includes(bob.email))
    expect(promoted.text).toContain('Un administrateur vous a nommé administrateur du Web Services Entreprise de Notifications SARL')
    await context.memberships.demote(alice, company.siren, bob.id, ip)
    const demoted = await smtp!.waitForMail((mail) => mail.subject === 'Votre rôle dans Notifications SARL a changé' && String(mail.text).includes("retiré le rôle d'administrateur"))
    expect(JSON.stringify(demoted.to)).toContain(bob.email)

    await context.memberships.remove(alice, company.siren, chloe.id, ip)
    const removed = await smtp!.waitForMail((mail) => mail.subject === 'Votre accès à Notifications SARL a été retiré')
    expect(JSON.stringify(removed.to)).toContain(chloe.email)
    expect(removed.text).toContain(`Un administrateur a retiré votre accès au Web Services Entreprise de Notifications SARL (Siren ${company.siren}).`)

    await context.memberships.remove(bob, company.siren, bob.id, ip)
    expect(await statusOf(bob.id, company.siren)).toMatchObject({ status: 'revoked' })
    expect(await queued(bob.email, 'access_removed')).toBe(0)
  })

  it("escalates a request pending for 7 days to the Opcommerce's address, once, and lists it for the operators", async () => {
    const [alice, bob] = await createUsers(database!.knex, ['Alice', 'Bob'])
    const company = await companyOf('Escalade & Cie', alice)
    await context.memberships.linkCompany(bob, company, ip)
    const requestedAt = now()
    const tooSoon = context.memberships.escalate(bob, company.siren, ip)
    await expect(tooSoon).rejects.toBeInstanceOf(ConflictError)
    await expect(tooSoon).rejects.toThrow(messages.request.escalationTooSoon(formatDay(new Date(requestedAt.getTime() + ESCALATION_DELAY))))

    clockAhead += ESCALATION_DELAY
    await context.memberships.escalate(bob, company.siren, ip)
    const mail = await smtp!.waitForMail((received) => received.subject === "Demande d'accès sans réponse : Escalade & Cie")
    expect(JSON.stringify(mail.to)).toContain('aide@opcommerce.test')
    expect(mail.text).toContain(`Bob Test (${bob.email}) demande l'accès au Web Services Entreprise de Escalade & Cie (Siren ${company.siren}) depuis le ${formatDay(requestedAt)}`)
    expect(mail.text).toContain(alice.email)
    await expect(context.memberships.escalate(bob, company.siren, ip)).rejects.toThrow(messages.request.alreadyEscalated(formatDay(now())))
    expect(await queued('aide@opcommerce.test', 'access_escalated')).toBe(1)

    const listed = await createMembershipQueries(database!.knex).escalatedRequests()
    expect(listed.filter((request) => request.siren === company.siren)).toEqual([
      expect.objectContaining({ companyName: 'Escalade & Cie', user: expect.objectContaining({ email: bob.email }), adminEmails: [alice.email] }),
    ])
    // Settled: no longer listed.
    await context.memberships.approve(alice, company.siren, bob.id, ip)
    expect((await createMembershipQueries(database!.knex).escalatedRequests()).filter((request) => request.siren === company.siren)).toEqual([])
  })

  it('activates at once a user on a declared domain, tells the administrators, and keeps asking the others', async () => {
    const alice = await createUser(database!.knex, 'Alice', 'Test', 'boulangerie-test.fr')
    const colleague = await createUser(database!.knex, 'Bob', 'Test', 'boulangerie-test.fr')
    const outsider = await createUser(database!.knex, 'Chloe', 'Test', 'ailleurs-test.fr')
    const company = await companyOf('Domaines SAS', alice)
    expect(await context.domains.declare(alice, company.siren, { domain: ' Boulangerie-Test.FR ' }, ip)).toBe('boulangerie-test.fr')

    expect((await context.memberships.linkCompany(colleague, company, ip)).outcome).toBe('member_by_domain')
    expect(await statusOf(colleague.id, company.siren)).toMatchObject({ status: 'active', role: 'member' })
    const told = await smtp!.waitForMail((mail) => mail.subject === 'Bob Test a rejoint Domaines SAS')
    expect(JSON.stringify(told.to)).toContain(alice.email)
    expect(told.text).toContain('son adresse est sur le domaine boulangerie-test.fr')
    expect((await context.memberships.linkCompany(outsider, company, ip)).outcome).toBe('pending')

    // A wrong code adhérent is still a wrong code, whatever the domain.
    const other = await createUser(database!.knex, 'Denis', 'Test', 'boulangerie-test.fr')
    await expect(context.memberships.linkCompany(other, { siren: company.siren, code: 'ADH-FAUX' }, ip)).rejects.toThrow(messages.link.noMatch)

    // Once withdrawn, the domain opens nothing.
    await context.domains.withdraw(alice, company.siren, { domain: 'boulangerie-test.fr' }, ip)
    expect((await context.memberships.linkCompany(other, company, ip)).outcome).toBe('pending')
  })

  it('lets an administrator declare only the domain of their own address, never a free-mail or disposable one', async () => {
    const alice = await createUser(database!.knex, 'Alice', 'Test', 'quincaillerie-test.fr')
    const gmail = await createUser(database!.knex, 'Gaston', 'Test', 'gmail.com')
    const throwaway = await createUser(database!.knex, 'Yann', 'Test', 'yopmail.com')
    const member = await createUser(database!.knex, 'Bob', 'Test', 'quincaillerie-test.fr')
    const company = await companyOf('Règles des domaines SA', alice, [gmail, throwaway, member])
    await context.memberships.promote(alice, company.siren, gmail.id, ip)
    await context.memberships.promote(alice, company.siren, throwaway.id, ip)

    await expect(context.domains.declare(alice, company.siren, { domain: 'gmail.com' }, ip)).rejects.toThrow(messages.domains.notYours)
    await expect(context.domains.declare(gmail, company.siren, { domain: 'gmail.com' }, ip)).rejects.toThrow(messages.domains.publicProvider('gmail.com'))
    await expect(context.domains.declare(throwaway, company.siren, { domain: 'yopmail.com' }, ip)).rejects.toThrow(messages.domains.publicProvider('yopmail.com'))
    await expect(context.domains.declare(member, company.siren, { domain: 'quincaillerie-test.fr' }, ip)).rejects.toBeInstanceOf(ForbiddenError)
    await context.domains.declare(alice, company.siren, { domain: 'quincaillerie-test.fr' }, ip)
    await expect(context.domains.declare(alice, company.siren, { domain: 'quincaillerie-test.fr' }, ip)).rejects.toThrow(messages.domains.alreadyDeclared('quincaillerie-test.fr'))
    await expect(context.domains.withdraw(member, company.siren, { domain: 'quincaillerie-test.fr' }, ip)).rejects.toBeInstanceOf(ForbiddenError)
    expect(await database!.knex('company_domains').where({ siren: company.siren }).pluck('domain')).toEqual(['quincaillerie-test.fr'])
  })

  it('owes « Vous pouvez accéder au portail ! » once after each activation, never on later visits', async () => {
    const [alice, bob] = await createUsers(database!.knex, ['Alice', 'Bob'])
    const company = await createCompany(database!.knex, context.config, 'Bienvenue SARL')
    await context.memberships.linkCompany(alice, company, ip)
    expect(await context.memberships.takeWelcome(alice.id, company.siren)).toBe(true)
    expect(await context.memberships.takeWelcome(alice.id, company.siren)).toBe(false)

    await context.memberships.linkCompany(bob, company, ip)
    expect(await context.memberships.takeWelcome(bob.id, company.siren)).toBe(false)
    await context.memberships.approve(alice, company.siren, bob.id, ip)
    expect(await Promise.all([context.memberships.takeWelcome(bob.id, company.siren), context.memberships.takeWelcome(bob.id, company.siren)])).toEqual(
      expect.arrayContaining([true, false]),
    )
    // A role change is not an activation.
    await context.memberships.promote(alice, company.siren, bob.id, ip)
    expect(await context.memberships.takeWelcome(bob.id, company.siren)).toBe(false)
  })
})
