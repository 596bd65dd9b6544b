import { beforeAll, describe, expect, it } from '@jest/globals'
import { FORM_REFUSED } from '@opcommerce/shared/errors'
import * as oidc from 'openid-client'
import { PASSWORD_RULES } from '@opcommerce/shared/password-policy'
import { newPerson, type Person, registerValidated } from '../../tests/support/accounts'
import { Browser, linkInMail, type Page } from '../../tests/support/browser'
import { registerClient } from '../../tests/support/clients'
import { useIdpStack } from '../../tests/support/idp'
import { authorizationRequest, discoverClient } from '../../tests/support/oidc'
import { queuedMails } from '../../tests/support/rows'
import { messages } from './messages'

const REDIRECT_URI = 'http://localhost:7031/callback'
const SECRET = 'reset-client-secret-0123456789abcdefghijklmn'
const NEW_PASSWORD = 'Nouveau-Jardin-Vert-77?'
const MINUTE = 60_000 // milliseconds

describe('password reset: one answer for every email, a single-use link valid 1 hour, the same policy', () => {
  const stack = useIdpStack({ now: () => new Date(Date.now() + clockAhead) })
  let app: oidc.Configuration
  /** How far the idp's clock is ahead of the real one. */
  let clockAhead = 0

  beforeAll(async () => {
    await registerClient(stack.database.knex, { clientId: 'reset-app', clientSecret: SECRET, redirectUris: [REDIRECT_URI], firstParty: true })
    app = await discoverClient(stack.idp.issuer, 'reset-app', SECRET)
  })

  async function validatedPerson(givenName: string, familyName: string): Promise<Person> {
    const person = newPerson(givenName, familyName)
    await registerValidated(new Browser(), stack.idp.issuer, stack.smtp, person)
    return person
  }

  /** Fills "Mot de passe oublié ?" in a fresh browser. */
  async function requestReset(email: string): Promise<Page> {
    const browser = new Browser()
    const form = await browser.get(`${stack.idp.issuer}/mot-de-passe-oublie`)
    return browser.submit(form, '/mot-de-passe-oublie', { email })
  }

  /** The link of the newest reset mail to `email`, received after the `after`-th mail. */
  async function resetLink(email: string, after: number): Promise<string> {
    const mail = await stack.smtp.waitForMail(
      (received) =>
        received.subject === 'Réinitialisation de votre mot de passe' && JSON.stringify(received.to).includes(email) && stack.smtp.mails.indexOf(received) >= after,
    )
    return linkInMail(mail.html, 'Choisir un nouveau mot de passe.')
  }

  async function requestLink(email: string): Promise<string> {
    const after = stack.smtp.mails.length
    expect((await requestReset(email)).status).toBe(200)
    return resetLink(email, after)
  }

  /** Opens the link and submits a new password with its confirmation. */
  async function choosePassword(browser: Browser, link: string, password: string, confirmation = password): Promise<Page> {
    const form = await browser.get(link)
    return browser.submit(form, new URL(link).pathname, { password, password_confirmation: confirmation })
  }

  /** Whether the account's password is `password`, as the login page answers. */
  async function logsInWith(email: string, password: string): Promise<boolean> {
    const browser = new Browser()
    const login = await browser.get((await authorizationRequest(app, REDIRECT_URI)).url)
    const page = await browser.submit(login, /\/login$/u, { email, password }, { stopAt: REDIRECT_URI })
    if (page.url.startsWith(REDIRECT_URI)) return true
    expect(page.document.querySelector('.alert--error')?.textContent.trim()).toBe(messages.login.invalid)
    return false
  }

  const passwordHash = async (email: string) => ((await stack.database.knex('users').where({ email }).first()) as { password_hash: string }).password_hash

  const fieldErrors = (page: Page, name: string) => page.document.querySelectorAll(`#champ-${name}-erreurs li`).map((item) => item.textContent.trim())

  it('answers an existing and an unknown email with the same page, and mails only the existing account', async () => {
    const karim = await validatedPerson('Karim', 'Laurent')
    const unknown = newPerson('Personne', 'Inconnue').email
    const after = stack.smtp.mails.length
    const existing = await requestReset(karim.email)
    const missing = await requestReset(unknown)
    expect(existing.status).toBe(200)
    expect(missing.status).toBe(existing.status)
    expect(missing.text).toBe(existing.text)
    expect(existing.document.querySelector('.alert--success')?.textContent.trim()).toBe(messages.reset.requested)

    const mail = await stack.smtp.waitForMail((received) => received.subject === 'Réinitialisation de votre mot de passe' && stack.smtp.mails.indexOf(received) >= after)
    expect(JSON.stringify(mail.to)).toContain(karim.email)
    expect(mail.text).toContain('Choisir un nouveau mot de passe.')
    expect(linkInMail(mail.html, 'Choisir un nouveau mot de passe.')).toMatch(new RegExp(`^${stack.idp.issuer}/mot-de-passe/[\\w-]{43}$`, 'u'))
    expect(await queuedMails(stack.database.knex, unknown, 'reset_password')).toBe(0)
  })

  it('refuses a malformed email (400) with the French message next to the field', async () => {
    const page = await requestReset('pas-un-email')
    expect(page.status).toBe(400)
    expect(fieldErrors(page, 'email')).toEqual([messages.email.invalid])
    expect(page.document.querySelector('input[name="email"]')?.getAttribute('value')).toBe('pas-un-email')
  })

  it.each([
    ['breaking the length rule', 'Ab1!xyz', [PASSWORD_RULES[0]!.message]],
    ['without a special character', 'QuatreChevauxBleus42', [PASSWORD_RULES.find((rule) => rule.id === 'special')!.message]],
    ['common and leaked', 'Azerty123!', [expect.stringContaining('Ce mot de passe est trop courant ou trop facile à deviner')]],
  ])('refuses a new password %s (400), keeps the old one and the link', async (_label, weak, expected) => {
    const person = await validatedPerson('Lea', 'Marchand')
    const hash = await passwordHash(person.email)
    const link = await requestLink(person.email)
    const browser = new Browser()
    const page = await choosePassword(browser, link, weak)
    expect(page.status).toBe(400)
    expect(page.document.querySelector('.alert--error')?.textContent.trim()).toBe(FORM_REFUSED)
    expect(fieldErrors(page, 'password')).toEqual(expected)
    expect(page.document.querySelector('input[name="password"]')?.getAttribute('value')).toBe('')
    expect(await passwordHash(person.email)).toBe(hash)
    expect((await browser.get(link)).status).toBe(200)
  })

  it('refuses a confirmation that differs (400) and changes nothing', async () => {
    const person = await validatedPerson('Marc', 'Noel')
    const hash = await passwordHash(person.email)
    const link = await requestLink(person.email)
    const page = await choosePassword(new Browser(), link, NEW_PASSWORD, 'Nouveau-Jardin-Vert-78?')
    expect(page.status).toBe(400)
    expect(fieldErrors(page, 'password_confirmation')).toEqual([messages.password.mismatch])
    expect(await passwordHash(person.email)).toBe(hash)
  })

  it('sets the new password and ends every SSO session and token of the account', async () => {
    const nora = await validatedPerson('Nora', 'Olivier')
    const laptop = new Browser()
    const first = await authorizationRequest(app, REDIRECT_URI)
    const login = await laptop.get(first.url)
    const callback = await laptop.submit(login, /\/login$/u, { email: nora.email, password: nora.password }, { stopAt: REDIRECT_URI })
    const tokens = await oidc.authorizationCodeGrant(app, new URL(callback.url), {
      pkceCodeVerifier: first.verifier,
      expectedState: first.state,
      expectedNonce: first.nonce,
    })
    const sso = await laptop.get((await authorizationRequest(app, REDIRECT_URI)).url, { stopAt: REDIRECT_URI })
    expect(sso.url).toMatch(/code=/u)

    const done = await choosePassword(new Browser(), await requestLink(nora.email), NEW_PASSWORD)
    expect(done.status).toBe(200)
    expect(done.document.querySelector('.alert--success')?.textContent.trim()).toBe(messages.reset.done)

    const afterReset = await laptop.get((await authorizationRequest(app, REDIRECT_URI)).url, { stopAt: REDIRECT_URI })
    expect(afterReset.url).toMatch(/\/interaction\//u)
    expect(afterReset.document.querySelector('input[name="password"]')).not.toBeNull()
    await expect(oidc.refreshTokenGrant(app, tokens.refresh_token!)).rejects.toMatchObject({ error: 'invalid_grant' })
    await expect(oidc.fetchUserInfo(app, tokens.access_token, tokens.claims()!.sub)).rejects.toMatchObject({ status: 401 })

    expect(await logsInWith(nora.email, nora.password)).toBe(false)
    expect(await logsInWith(nora.email, NEW_PASSWORD)).toBe(true)
  })

  it('uses a link once: opened or submitted again it answers 410', async () => {
    const olga = await validatedPerson('Olga', 'Picard')
    const link = await requestLink(olga.email)
    const browser = new Browser()
    const form = await browser.get(link)
    expect((await browser.submit(form, new URL(link).pathname, { password: NEW_PASSWORD, password_confirmation: NEW_PASSWORD })).status).toBe(200)
    const hash = await passwordHash(olga.email)

    const reopened = await browser.get(link)
    expect(reopened.status).toBe(410)
    expect(reopened.document.querySelector('.alert--error')?.textContent.trim()).toBe(messages.reset.link.used)
    const resubmitted = await browser.submit(form, new URL(link).pathname, { password: 'Encore-Un-Autre-Mot-55!', password_confirmation: 'Encore-Un-Autre-Mot-55!' })
    expect(resubmitted.status).toBe(410)
    expect(resubmitted.text).toContain(messages.reset.link.used)
    expect(await passwordHash(olga.email)).toBe(hash)
  })

  it('lets a link expire after 1 hour (410), and the password stays as it was', async () => {
    const pierre = await validatedPerson('Pierre', 'Quentin')
    const hash = await passwordHash(pierre.email)
    const link = await requestLink(pierre.email)
    const browser = new Browser()
    const form = await browser.get(link)
    expect(form.status).toBe(200)
    clockAhead = 61 * MINUTE
    try {
      const opened = await browser.get(link)
      expect(opened.status).toBe(410)
      expect(opened.document.querySelector('.alert--error')?.textContent.trim()).toBe(messages.reset.link.expired)
      const submitted = await browser.submit(form, new URL(link).pathname, { password: NEW_PASSWORD, password_confirmation: NEW_PASSWORD })
      expect(submitted.status).toBe(410)
      expect(submitted.text).toContain(messages.reset.link.expired)
    } finally {
      clockAhead = 0
    }
    expect(await passwordHash(pierre.email)).toBe(hash)
  })

  it('still accepts a link 59 minutes later', async () => {
    const quitterie = await validatedPerson('Quitterie', 'Roche')
    const link = await requestLink(quitterie.email)
    clockAhead = 59 * MINUTE
    try {
      expect((await choosePassword(new Browser(), link, NEW_PASSWORD)).status).toBe(200)
    } finally {
      clockAhead = 0
    }
  })

  it('retires the previous link when a new one is requested', async () => {
    const remi = await validatedPerson('Remi', 'Simon')
    const first = await requestLink(remi.email)
    const second = await requestLink(remi.email)
    expect(second).not.toBe(first)
    expect((await new Browser().get(first)).status).toBe(410)
    expect((await choosePassword(new Browser(), second, NEW_PASSWORD)).status).toBe(200)
  })

  it('refuses a fourth request within the hour for one email (429, "Réessayez dans …"), known or not', async () => {
    const sarah = await validatedPerson('Sarah', 'Tessier')
    const unknown = newPerson('Inconnu', 'Absent').email
    for (const email of [sarah.email, unknown]) {
      for (let request = 1; request <= 3; request++) expect((await requestReset(email)).status).toBe(200)
    }
    const mailsBefore = await queuedMails(stack.database.knex, sarah.email, 'reset_password')
    const known = await requestReset(sarah.email)
    const missing = await requestReset(unknown)
    for (const page of [known, missing]) {
      expect(page.status).toBe(429)
      expect(page.document.querySelector('.alert--error')?.textContent.trim()).toMatch(
        new RegExp(`^${messages.reset.tooMany} Réessayez dans \\d+ (minutes?|heure)\\.$`, 'u'),
      )
      expect(Number(page.headers.get('retry-after'))).toBeGreaterThan(0)
    }
    expect(missing.text).toBe(known.text)
    expect(await queuedMails(stack.database.knex, sarah.email, 'reset_password')).toBe(mailsBefore)
  })

  it.each([
    ['an unknown but well-formed token', 'AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA'],
    ['a truncated token', 'abc'],
  ])('answers %s with 404 and the French explanation', async (_label, token) => {
    const page = await new Browser().get(`${stack.idp.issuer}/mot-de-passe/${token}`)
    expect(page.status).toBe(404)
    expect(page.document.querySelector('.alert--error')?.textContent.trim()).toBe(messages.reset.link.unknown)
  })
})
