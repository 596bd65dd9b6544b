import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { BadRequestError, ConflictError, ForbiddenError, TooManyRequestsError, ValidationError } from '@opcommerce/shared/errors'
import { createMembershipQueries } from '@opcommerce/shared/queries/memberships'
import { createTestDatabase, type TestDatabase } from '../../../tests/support/database'
import { testConfig } from '../../../tests/support/idp'
import { mailsTo, startMailDelivery } from '../../../tests/support/mail'
import { createCompany, createUser, createUsers, testPortalContext } from '../../../tests/support/portal'
import { startSmtpCapture, type SmtpCapture } from '../../../tests/support/smtp'
import type { MailSender } from '@opcommerce/shared/mail/sender'
import { REMINDER_INTERVAL, type MembershipRules } from './memberships'
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

  it('refuses with a reason shown to the requester, who may ask again later', async () => {
    const company = await createCompany(database!.knex, config(), 'Garage Epsilon')
    const [alice, bob] = [await createUser(database!.knex, 'Alice'), await createUser(database!.knex, 'Bob')]
    await rules.linkCompany(alice, company, ip)
    await rules.linkCompany(bob, company, ip)
    await rules.refuse(alice, company.siren, bob.id, { reason: '  Vous ne faites plus partie de la société.  ' }, ip)
    expect(await statusOf(bob.id, company.siren)).toMatchObject({ status: 'rejected', decisionReason: 'Vous ne faites plus partie de la société.' })
    const mail = await smtp!.waitForMail((received) => received.subject === "Votre demande d'accès à Garage Epsilon")
    expect(mail.text).toContain('Motif indiqué : « Vous ne faites plus partie de la société. »')
    await expect(rules.refuse(alice, company.siren, bob.id, { reason: 'x'.repeat(501) }, ip)).rejects.toBeInstanceOf(ValidationError)
    expect((await rules.linkCompany(bob, company, ip)).outcome).toBe('pending')
  })

  it('never leaves a company without an administrator', async () => {
    const company = await createCompany(database!.knex, config(), 'Pharmacie Zeta')
    const [alice, bob] = [await createUser(database!.knex, 'Alice'), await createUser(database!.knex, 'Bob')]
    await rules.linkCompany(alice, company, ip)
    await rules.linkCompany(bob, company, ip)
    await rules.approve(alice, company.siren, bob.id, ip)

    for (const attempt of [
      rules.demote(alice, company.siren, alice.id, ip),
      rules.remove(alice, company.siren, alice.id, ip),
    ]) {
      await expect(attempt).rejects.toBeInstanceOf(ConflictError)
      await expect(attempt).rejects.toThrow(messages.members.lastAdmin)
    }
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
