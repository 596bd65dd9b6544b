import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { createTestDatabase, type TestDatabase } from '../../../tests/support/database'
import { testLogger } from '../../../tests/support/logger'
import { freePort } from '../../../tests/support/ports'
import { startSmtpCapture, type SmtpCapture } from '../../../tests/support/smtp'
import { enqueueMail } from './outbox'
import { retryDelay } from '../polling'
import { createSmtpTransport, MailSender } from './sender'

describe('mail outbox', () => {
  let database: TestDatabase | undefined
  const captures: SmtpCapture[] = []

  const senderTo = (smtpUrl: string) =>
    new MailSender({
      db: database!.knex,
      transport: createSmtpTransport(smtpUrl),
      from: 'Web Services Entreprise <ne-pas-repondre@opcommerce.test>',
      logger: testLogger,
      pollIntervalMs: 1000,
    })

  /** Seconds until the mail to `to` is due again, on the database's clock (the outbox's only clock). */
  const secondsUntilDue = async (to: string) => {
    const { rows } = await database!.knex.raw('select extract(epoch from next_attempt_at - now())::float as seconds from mail_outbox where "to" = ?', [to])
    return rows[0].seconds as number
  }

  beforeAll(async () => {
    database = await createTestDatabase()
  })

  afterAll(async () => {
    await Promise.all(captures.map((capture) => capture.close()))
    await database?.close()
  })

  it('delivers a queued mail with an HTML and a text part, then forgets its link', async () => {
    const capture = await startSmtpCapture()
    captures.push(capture)
    const link = 'http://localhost:4000/validation/abc'
    await database!.knex.transaction((trx) => enqueueMail(trx, 'alice@example.fr', 'verify_email', { link }))

    expect(await senderTo(capture.url).deliverDue()).toBe(1)

    const mail = await capture.waitForMail((received) => received.subject === 'Validation de création de compte')
    expect(mail.text).toContain('Merci de cliquer sur ce lien pour valider la création votre compte Web services')
    expect(mail.text).toContain(link)
    expect(mail.html).toContain(`<a href="${link}"`)
    expect(mail.html).toContain('Valider la création de mon compte.')
    const row = await database!.knex('mail_outbox').where({ to: 'alice@example.fr' }).first()
    expect(row).toMatchObject({ status: 'sent', data: {}, attempts: 1 })
  })

  it('does not queue the mail when the transaction that caused it rolls back', async () => {
    await expect(
      database!.knex.transaction(async (trx) => {
        await enqueueMail(trx, 'rollback@example.fr', 'verify_email', { link: 'http://x/1' })
        throw new Error('the registration failed')
      }),
    ).rejects.toThrow('the registration failed')
    expect(await database!.knex('mail_outbox').where({ to: 'rollback@example.fr' })).toEqual([])
  })

  it('keeps a mail while SMTP is down and delivers it once SMTP is back', async () => {
    const port = await freePort()
    const sender = senderTo(`smtp://127.0.0.1:${port}`)
    await enqueueMail(database!.knex, 'bob@example.fr', 'reset_password', { link: 'http://localhost:4000/reset/xyz' })

    expect(await sender.deliverDue()).toBe(0)
    const waiting = await database!.knex('mail_outbox').where({ to: 'bob@example.fr' }).first()
    expect(waiting).toMatchObject({ status: 'pending', attempts: 1 })
    expect(waiting.last_error).toMatch(/ECONNREFUSED/)
    const wait = await secondsUntilDue('bob@example.fr')
    expect(wait).toBeLessThanOrEqual(retryDelay(1) / 1000)
    expect(wait).toBeGreaterThan(retryDelay(1) / 1000 - 5)

    const capture = await startSmtpCapture(port)
    captures.push(capture)
    expect(await sender.deliverDue()).toBe(0) // not due yet: the back-off is respected

    // The back-off elapses: the database's clock cannot be moved, so the retry is moved back by as much.
    await database!.knex('mail_outbox').where({ to: 'bob@example.fr' }).update({ next_attempt_at: database!.knex.raw('next_attempt_at - make_interval(secs => ?)', [retryDelay(1) / 1000]) })
    expect(await sender.deliverDue()).toBe(1)
    const mail = await capture.waitForMail((received) => received.to !== undefined)
    expect(mail.subject).toBe('Réinitialisation de votre mot de passe')
    expect(await database!.knex('mail_outbox').where({ to: 'bob@example.fr' }).first()).toMatchObject({
      status: 'sent',
      attempts: 2,
    })
  })

  it('delivers every mail exactly once after a long SMTP outage, and forgets the links of a mail given up for good', async () => {
    const port = await freePort()
    const sender = senderTo(`smtp://127.0.0.1:${port}`)
    const recipients = Array.from({ length: 10 }, (_, index) => `panne.smtp.${index}@example.fr`)
    for (const to of recipients) await enqueueMail(database!.knex, to, 'verify_email', { link: `http://localhost:4000/validation/${to}` })
    // Three rounds while SMTP is down, each due again at once (the back-off elapsed).
    const elapse = () => database!.knex('mail_outbox').whereIn('to', recipients).update({ next_attempt_at: database!.knex.raw('now()') })
    for (let round = 0; round < 3; round++) {
      expect(await sender.deliverDue()).toBe(0)
      await elapse()
    }
    const capture = await startSmtpCapture(port)
    captures.push(capture)
    await Promise.all([sender.deliverDue(), sender.deliverDue()])
    await elapse()
    expect(await sender.deliverDue()).toBe(0)
    const delivered = capture.mails.filter((mail) => recipients.some((to) => JSON.stringify(mail.to).includes(to)))
    expect(delivered).toHaveLength(recipients.length)
    expect(new Set(delivered.map((mail) => mail.messageId)).size).toBe(recipients.length)
    expect(await database!.knex('mail_outbox').whereIn('to', recipients).where({ status: 'sent', data: '{}' })).toHaveLength(recipients.length)

    // A mail the server refuses for good (5xx) is given up, and its link forgotten all the same.
    const rejecting = await startSmtpCapture(0, { reject: 'refuse@example.fr' })
    captures.push(rejecting)
    await enqueueMail(database!.knex, 'refuse@example.fr', 'reset_password', { link: 'http://localhost:4000/mot-de-passe/secret' })
    await senderTo(rejecting.url).deliverDue()
    expect(await database!.knex('mail_outbox').where({ to: 'refuse@example.fr' }).first()).toMatchObject({ status: 'failed', data: {} })
  })

  it('waits longer after each failure, up to an hour', () => {
    expect([1, 2, 3, 4].map(retryDelay)).toEqual([15_000, 30_000, 60_000, 120_000])
    expect(retryDelay(30)).toBe(3_600_000)
  })
})
