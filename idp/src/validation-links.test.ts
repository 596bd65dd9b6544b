import { describe, expect, it } from '@jest/globals'
import { newPerson, register, validationLink } from '../../tests/support/accounts'
import { Browser, type Page } from '../../tests/support/browser'
import { useIdpStack } from '../../tests/support/idp'
import { queuedMails } from '../../tests/support/rows'
import { messages } from './messages'

const HOUR = 3600_000 // milliseconds

describe('validation links and "Renvoyer à nouveau l\'email"', () => {
  const stack = useIdpStack({ now: () => new Date(Date.now() + clockAhead) })
  /** How far the idp's clock is ahead of the real one. */
  let clockAhead = 0

  /** When the address became a user; null while it is only registered. */
  const verifiedAt = async (email: string) => ((await stack.database.knex('users').where({ email }).first()) as { email_verified_at: Date } | undefined)?.email_verified_at ?? null

  function alertText(page: Page): string | undefined {
    return page.document.querySelector('.alert--error')?.textContent.trim()
  }

  it('refuses a link used a second time (410) and says so', async () => {
    const person = newPerson('Nina', 'Leroy')
    const browser = new Browser()
    await register(browser, stack.idp.issuer, person)
    const link = await validationLink(stack.smtp, person.email)
    expect((await browser.get(link)).text).toContain(messages.validation.done)

    const again = await browser.get(link)
    expect(again.status).toBe(410)
    expect(again.text).toContain('déjà été utilisé')
    expect(alertText(again)).toBe(messages.validation.link.used_validated)
    expect(again.text).not.toContain(messages.validation.done)
  })

  it('refuses a link opened more than 24 hours later (410, "a expiré") and leaves the account unvalidated', async () => {
    const person = newPerson('Omar', 'Chevalier')
    await register(new Browser(), stack.idp.issuer, person)
    const link = await validationLink(stack.smtp, person.email)
    clockAhead = 25 * HOUR
    try {
      const page = await new Browser().get(link)
      expect(page.status).toBe(410)
      expect(page.text).toContain('a expiré')
      expect(alertText(page)).toBe(messages.validation.link.expired)
    } finally {
      clockAhead = 0
    }
    expect(await verifiedAt(person.email)).toBeNull()
  })

  it('still accepts a link opened 23 hours later', async () => {
    const person = newPerson('Rose', 'Lambert')
    const browser = new Browser()
    await register(browser, stack.idp.issuer, person)
    const link = await validationLink(stack.smtp, person.email)
    clockAhead = 23 * HOUR
    try {
      const page = await browser.get(link)
      expect(page.status).toBe(200)
      expect(page.text).toContain(messages.validation.done)
    } finally {
      clockAhead = 0
    }
  })

  it.each([
    ['a well-formed token nobody was given', 'AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA'],
    ['a truncated token', 'abc123'],
    ['a token with characters no link contains', '%27%3Cscript%3E'],
  ])('answers 404 with the French explanation for %s', async (_label, token) => {
    const page = await new Browser().get(`${stack.idp.issuer}/validation/${token}`)
    expect(page.status).toBe(404)
    expect(alertText(page)).toBe(messages.validation.link.unknown)
  })

  it('"Renvoyer à nouveau l\'email" sends a new link that works and retires the previous one', async () => {
    const person = newPerson('Theo', 'Girard')
    const browser = new Browser()
    const sent = await register(browser, stack.idp.issuer, person)
    const firstLink = await validationLink(stack.smtp, person.email)

    const mailsBefore = stack.smtp.mails.length
    const resent = await browser.submit(sent, '/inscription/renvoyer')
    expect(resent.status).toBe(200)
    expect(resent.document.querySelector('.alert--success')?.textContent.trim()).toBe(messages.validation.resent)
    const secondLink = await validationLink(stack.smtp, person.email, mailsBefore)
    expect(secondLink).not.toBe(firstLink)

    expect((await new Browser().get(firstLink)).status).toBe(410)
    expect(await verifiedAt(person.email)).toBeNull()
    const validated = await browser.get(secondLink)
    expect(validated.status).toBe(200)
    expect(validated.text).toContain(messages.validation.done)
  })

  it('refuses a second "Renvoyer à nouveau l\'email" within a minute (429, "Réessayez dans …") and sends nothing', async () => {
    const person = newPerson('Yann', 'Mercier')
    const browser = new Browser()
    const sent = await register(browser, stack.idp.issuer, person)
    const first = await browser.submit(sent, '/inscription/renvoyer')
    expect(first.status).toBe(200)
    expect(await queuedMails(stack.database.knex, person.email, 'verify_email')).toBe(2)

    const second = await browser.submit(first, '/inscription/renvoyer')
    expect(second.status).toBe(429)
    expect(alertText(second)).toMatch(new RegExp(`^${messages.validation.resendTooSoon} Réessayez dans \\d+ (secondes?|minutes?)\\.$`, 'u'))
    expect(Number(second.headers.get('retry-after'))).toBeGreaterThan(0)
    expect(Number(second.headers.get('retry-after'))).toBeLessThanOrEqual(60)
    expect(second.text).toContain('Validation de compte')
    expect(await queuedMails(stack.database.knex, person.email, 'verify_email')).toBe(2)
  })

  it('explains that no registration is pending when the browser never registered (400)', async () => {
    const browser = new Browser()
    const form = await browser.get(`${stack.idp.issuer}/inscription`)
    const csrf = form.document.querySelector('input[name="_csrf"]')!.getAttribute('value')!
    const page = await browser.post(`${stack.idp.issuer}/inscription/renvoyer`, new URLSearchParams({ _csrf: csrf }))
    expect(page.status).toBe(400)
    expect(page.text).toContain(messages.validation.nothingPending)
  })
})
