import { beforeAll, describe, expect, it } from '@jest/globals'
import type * as oidc from 'openid-client'
import { newPerson, type Person, register, registerValidated, validationLink } from '../../tests/support/accounts'
import { Browser, type Page } from '../../tests/support/browser'
import { registerClient } from '../../tests/support/clients'
import { useIdpStack } from '../../tests/support/idp'
import { authorizationRequest, discoverClient } from '../../tests/support/oidc'
import { messages } from './messages'

const REDIRECT_URI = 'http://localhost:7011/callback'
const SECRET = 'login-client-secret-0123456789abcdefghijklmn'
/** Failures from unknown browsers after which an account is slowed down in this file (10 in production). */
const FAILURES_ALLOWED = 3

describe('login: refused attempts are answered in French, without revealing which accounts exist', () => {
  const stack = useIdpStack({
    limits: {
      loginFailuresPerAccount: { points: FAILURES_ALLOWED, duration: 15 * 60 },
      // One slow-lane turn per 10 minutes: past the budget, the attempts of this file wait no turn.
      loginSlowLanePerAccount: { points: 1, duration: 10 * 60 },
    },
  })
  let app: oidc.Configuration

  beforeAll(async () => {
    await registerClient(stack.database.knex, { clientId: 'login-app', clientSecret: SECRET, redirectUris: [REDIRECT_URI], firstParty: true, name: 'Application de test' })
    app = await discoverClient(stack.idp.issuer, 'login-app', SECRET)
  })

  /** The login page an application sends the browser to. */
  async function openLogin(browser: Browser): Promise<Page> {
    const page = await browser.get((await authorizationRequest(app, REDIRECT_URI)).url, { stopAt: REDIRECT_URI })
    expect(page.document.querySelector('input[name="password"]')).not.toBeNull()
    return page
  }

  /** Opens the login page and submits it; stops before leaving for the application. */
  async function logIn(browser: Browser, email: string, password: string): Promise<Page> {
    return browser.submit(await openLogin(browser), /\/login$/u, { email, password }, { stopAt: REDIRECT_URI })
  }

  const expectStillOnLogin = (page: Page) => {
    expect(page.url).toMatch(/\/interaction\/[\w-]+\/login$/u)
    expect(page.document.querySelector('input[name="password"]')?.getAttribute('value')).toBe('')
  }

  const errorAlert = (page: Page) => page.document.querySelector('.alert--error')?.textContent.trim()

  async function validatedPerson(givenName: string, familyName: string): Promise<Person> {
    const person = newPerson(givenName, familyName)
    await registerValidated(new Browser(), stack.idp.issuer, stack.smtp, person)
    return person
  }

  it('tells an unvalidated account with the right password to validate it (403) and offers to resend the mail', async () => {
    const bruno = newPerson('Bruno', 'Caron')
    await register(new Browser(), stack.idp.issuer, bruno)
    await validationLink(stack.smtp, bruno.email)

    const browser = new Browser()
    const page = await logIn(browser, bruno.email, bruno.password)
    expect(page.status).toBe(403)
    expectStillOnLogin(page)
    expect(page.text).toContain(messages.login.unvalidated)
    expect(page.document.querySelector('input[name="email"]')?.getAttribute('value')).toBe(bruno.email)
    const resendForm = page.document.querySelector('form[action="/inscription/renvoyer"]')
    expect(resendForm?.querySelector('button')?.textContent.trim()).toBe("Renvoyer à nouveau l'email")

    const mailsBefore = stack.smtp.mails.length
    const resent = await browser.submit(page, '/inscription/renvoyer')
    expect(resent.status).toBe(200)
    expect(resent.text).toContain(messages.validation.resent)
    expect(resent.text).toContain(`${messages.validation.sent} ${bruno.email}.`)
    const link = await validationLink(stack.smtp, bruno.email, mailsBefore)
    expect((await browser.get(link)).text).toContain(messages.validation.done)

    const back = resent.document.querySelectorAll('a.button').find((anchor) => anchor.textContent.trim() === 'Retour à la connexion')!
    const loginAgain = await browser.get(new URL(back.getAttribute('href')!, resent.url).toString())
    const callback = await browser.submit(loginAgain, /\/login$/u, { email: bruno.email, password: bruno.password }, { stopAt: REDIRECT_URI })
    expect(callback.url).toMatch(/^http:\/\/localhost:7011\/callback\?.*code=/u)
  })

  it('gives the same answer to a wrong password, an unknown email and a wrong password on an unvalidated account', async () => {
    const carla = await validatedPerson('Carla', 'Dumas')
    const unvalidated = newPerson('Denis', 'Perrin')
    await register(new Browser(), stack.idp.issuer, unvalidated)

    const wrongPassword = await logIn(new Browser(), carla.email, 'Pas-Le-Bon-Mot-De-Passe-1!')
    const unknownEmail = await logIn(new Browser(), 'personne.inconnue@exemple.fr', carla.password)
    const wrongOnUnvalidated = await logIn(new Browser(), unvalidated.email, 'Pas-Le-Bon-Mot-De-Passe-1!')
    for (const page of [wrongPassword, unknownEmail, wrongOnUnvalidated]) {
      expect(page.status).toBe(401)
      expectStillOnLogin(page)
      expect(errorAlert(page)).toBe(messages.login.invalid)
      expect(page.text).not.toContain(messages.login.unvalidated)
    }
    expect(unknownEmail.text).toBe(wrongPassword.text)
    expect(wrongOnUnvalidated.text).toBe(wrongPassword.text)
  })

  it('answers an empty form with the same message, not an error page', async () => {
    const page = await logIn(new Browser(), '', '')
    expect(page.status).toBe(401)
    expectStillOnLogin(page)
    expect(errorAlert(page)).toBe(messages.login.invalid)
  })

  it(`slows unknown browsers down after ${FAILURES_ALLOWED} failures (429 in seconds), but never the browser the owner logged in with`, async () => {
    const elise = await validatedPerson('Elise', 'Fabre')
    const fabien = await validatedPerson('Fabien', 'Gauthier')
    const own = new Browser()
    expect((await logIn(own, elise.email, elise.password)).url).toMatch(/code=/u)
    // Another day: the SSO session is over, the browser keeps its device cookie.
    await stack.database.knex('oidc_payloads').where({ kind: 'Session' }).delete()

    for (let attempt = 1; attempt <= FAILURES_ALLOWED; attempt++) {
      const failed = await logIn(new Browser(), elise.email, `Mauvais-Essai-${attempt}!`)
      expect(failed.status).toBe(401)
      expect(errorAlert(failed)).toBe(messages.login.invalid)
    }
    // The slow lane's one turn goes to whoever asks first; after it, unknown browsers wait.
    expect((await logIn(new Browser(), elise.email, 'Mauvais-Essai-0!')).status).toBe(401)
    const slowed = await logIn(new Browser(), elise.email.toUpperCase(), elise.password)
    expect(slowed.status).toBe(429)
    expectStillOnLogin(slowed)
    expect(errorAlert(slowed)).toMatch(new RegExp(`^${messages.login.tooMany} Réessayez dans \\d+ minutes?\\.$`, 'u'))
    expect(Number(slowed.headers.get('retry-after'))).toBeLessThanOrEqual(10 * 60)

    const owner = await logIn(own, elise.email, elise.password)
    expect(owner.url).toMatch(/^http:\/\/localhost:7011\/callback\?.*code=/u)
    const other = await logIn(new Browser(), fabien.email, fabien.password)
    expect(other.url).toMatch(/^http:\/\/localhost:7011\/callback\?.*code=/u)
  })

  it('answers an over-long email or password with the field’s French message, before anything is checked (400)', async () => {
    const page = await logIn(new Browser(), `${'a'.repeat(250)}@exemple.fr`, 'x'.repeat(200))
    expect(page.status).toBe(400)
    expectStillOnLogin(page)
    expect(page.document.querySelectorAll('#champ-email-erreurs li').map((item) => item.textContent.trim())).toEqual([messages.form.tooLong])
    expect(page.document.querySelectorAll('#champ-password-erreurs li').map((item) => item.textContent.trim())).toEqual([messages.form.tooLong])
  })

  it('gives back the point of a right password: logging in again and again never spends the budget', async () => {
    const gael = await validatedPerson('Gael', 'Henry')
    for (let login = 1; login <= FAILURES_ALLOWED + 2; login++) {
      expect((await logIn(new Browser(), gael.email, gael.password)).url).toMatch(/code=/u)
    }
    expect((await logIn(new Browser(), gael.email, 'Mauvais-Essai-0!')).status).toBe(401)
  })

  it('refuses a login posted without the form’s _csrf field (403) and does not log in', async () => {
    const hana = await validatedPerson('Hana', 'Icard')
    const browser = new Browser()
    const page = await openLogin(browser)
    const action = new URL(page.document.querySelector('form[action$="/login"]')!.getAttribute('action')!, page.url).toString()
    const refused = await browser.post(action, new URLSearchParams({ email: hana.email, password: hana.password }), { stopAt: REDIRECT_URI })
    expect(refused.status).toBe(403)
    expect(refused.text).toContain(messages.form.csrf)
    const retry = await browser.get(page.url, { stopAt: REDIRECT_URI })
    expect(retry.document.querySelector('input[name="password"]')).not.toBeNull()
  })

  it('answers a login page whose authorization request is unknown with the French "expired" page (400)', async () => {
    const browser = new Browser()
    const page = await browser.get(`${stack.idp.issuer}/interaction/inexistante`)
    expect(page.status).toBe(400)
    expect(page.text).toContain(messages.login.expired)
  })

  it('answers a login posted to another browser’s authorization request with the "expired" page (400)', async () => {
    const ines = await validatedPerson('Ines', 'Jacob')
    const mine = await openLogin(new Browser())
    const otherBrowser = new Browser()
    const theirs = await openLogin(otherBrowser)
    const csrf = theirs.document.querySelector('input[name="_csrf"]')!.getAttribute('value')!
    const action = new URL(mine.document.querySelector('form[action$="/login"]')!.getAttribute('action')!, mine.url).toString()
    const page = await otherBrowser.post(action, new URLSearchParams({ _csrf: csrf, email: ines.email, password: ines.password }), { stopAt: REDIRECT_URI })
    expect(page.status).toBe(400)
    expect(page.text).toContain(messages.login.expired)
  })
})
