import { beforeAll, describe, expect, it } from '@jest/globals'
import type * as oidc from 'openid-client'
import { newPerson, type Person, register, registerValidated, registrationFields } from '../../tests/support/accounts'
import { Browser, type Page } from '../../tests/support/browser'
import { registerClient } from '../../tests/support/clients'
import { useIdpStack } from '../../tests/support/idp'
import { authorizationRequest, discoverClient } from '../../tests/support/oidc'
import { queuedMails } from '../../tests/support/rows'
import { messages } from './messages'

const REDIRECT_URI = 'http://localhost:7091/callback'
const SECRET = 'throttle-app-secret-0123456789abcdefghijklmn'
const PARALLEL = 40

/** The limits under test, lowered so that 40 parallel attempts overrun each of them. */
const LIMITS = {
  loginFailuresPerIp: { points: 10, duration: 15 * 60 },
  loginFailuresPerAccount: { points: 10, duration: 15 * 60 },
  // One slow-lane turn per 10 minutes: past the account's budget, exactly one more attempt is evaluated here.
  loginSlowLanePerAccount: { points: 1, duration: 10 * 60 },
  registrationPerIp: { points: 10, duration: 60 * 60 },
}

/** A client address of its own for each attempt: the idp trusts its (test) reverse proxy. */
const from = (index: number) => ({ 'x-forwarded-for': `198.51.100.${index + 1}` })

describe('every throttle counts an attempt before evaluating it: 40 parallel attempts, no more evaluated than the limit', () => {
  const stack = useIdpStack({ limits: LIMITS, env: { TRUST_PROXY: 'true' } })
  let app: oidc.Configuration

  beforeAll(async () => {
    await registerClient(stack.database.knex, { clientId: 'throttle-app', clientSecret: SECRET, redirectUris: [REDIRECT_URI], firstParty: true })
    app = await discoverClient(stack.idp.issuer, 'throttle-app', SECRET)
  })

  const countAudit = async (type: string, subject?: string) => {
    const [row] = await stack.database.knex('audit_events').where({ type, ...(subject ? { subject } : {}) }).select(stack.database.knex.raw('count(*)::int as count'))
    return Number((row as { count: number }).count)
  }

  /** A browser on the login page of an authorization request: a failed login leaves it there, ready for the next. */
  async function loginPage(): Promise<{ browser: Browser; page: Page }> {
    const browser = new Browser()
    return { browser, page: await browser.get((await authorizationRequest(app, REDIRECT_URI)).url) }
  }

  it('login: 40 wrong passwords at once from one address are evaluated 10 times (per-IP budget)', async () => {
    const { browser, page } = await loginPage()
    const before = await countAudit('login.failed')
    const answers = await Promise.all(
      Array.from({ length: PARALLEL }, (_, index) =>
        browser.submit(page, /\/login$/u, { email: `inconnu.${index}@exemple.fr`, password: 'Mauvais-Essai-1!' }, { stopAt: REDIRECT_URI, headers: from(200) }),
      ),
    )
    expect(answers.filter((answer) => answer.status === 401)).toHaveLength(LIMITS.loginFailuresPerIp.points)
    expect(answers.filter((answer) => answer.status === 429)).toHaveLength(PARALLEL - LIMITS.loginFailuresPerIp.points)
    expect((await countAudit('login.failed')) - before).toBe(LIMITS.loginFailuresPerIp.points)
  })

  it('login: 40 wrong passwords at once for one account from 40 addresses are evaluated 11 times (account budget + one slow-lane turn)', async () => {
    const victim = newPerson('Vera', 'Cible')
    await registerValidated(new Browser(), stack.idp.issuer, stack.smtp, victim)
    const userId = ((await stack.database.knex('users').where({ email: victim.email }).first()) as { id: string }).id
    const { browser, page } = await loginPage()
    const answers = await Promise.all(
      Array.from({ length: PARALLEL }, (_, index) => browser.submit(page, /\/login$/u, { email: victim.email, password: `Mauvais-Essai-${index}!` }, { stopAt: REDIRECT_URI, headers: from(index) })),
    )
    const evaluated = await countAudit('login.failed', userId)
    expect(evaluated).toBe(LIMITS.loginFailuresPerAccount.points + 1)
    expect(answers.filter((answer) => answer.status === 401)).toHaveLength(evaluated)
    for (const refused of answers.filter((answer) => answer.status !== 401)) {
      expect(refused.status).toBe(429)
      expect(refused.document.querySelector('.alert--error')?.textContent.trim()).toMatch(new RegExp(`^${messages.login.tooMany} Réessayez dans \\d+ (secondes?|minutes?)\\.$`, 'u'))
    }
  })

  it('registration: 40 at once from one address create 10 registrations (per-IP budget)', async () => {
    const browser = new Browser()
    const form = await browser.get(`${stack.idp.issuer}/inscription`)
    const people = Array.from({ length: PARALLEL }, (_, index) => newPerson('Rafale', `Inscription ${index}`.replace(/\d/gu, (digit) => 'abcdefghij'[Number(digit)]!)))
    const answers = await Promise.all(people.map((person) => browser.submit(form, '/inscription', registrationFields(person), { headers: from(201) })))
    const [row] = await stack.database
      .knex('registrations')
      .whereIn('email', people.map((person) => person.email))
      .select(stack.database.knex.raw('count(*)::int as count'))
    expect(Number((row as { count: number }).count)).toBe(LIMITS.registrationPerIp.points)
    expect(answers.filter((answer) => answer.status === 429)).toHaveLength(PARALLEL - LIMITS.registrationPerIp.points)
  })

  it('"Renvoyer à nouveau l\'email": 40 at once send one mail (one a minute per address)', async () => {
    const person = newPerson('Remy', 'Renvoi')
    const browser = new Browser()
    const sent = await register(browser, stack.idp.issuer, person)
    await stack.smtp.waitForMail((mail) => JSON.stringify(mail.to).includes(person.email))
    const answers = await Promise.all(Array.from({ length: PARALLEL }, () => browser.submit(sent, '/inscription/renvoyer')))
    expect(answers.filter((answer) => answer.status === 200)).toHaveLength(1)
    expect(answers.filter((answer) => answer.status === 429)).toHaveLength(PARALLEL - 1)
    expect(await queuedMails(stack.database.knex, person.email, 'verify_email')).toBe(2)
  })

  it('"Mot de passe oublié ?": 40 requests at once for one address send 3 links (per-address budget)', async () => {
    const person: Person = newPerson('Ines', 'Oubli')
    await registerValidated(new Browser(), stack.idp.issuer, stack.smtp, person)
    const browser = new Browser()
    const form = await browser.get(`${stack.idp.issuer}/mot-de-passe-oublie`)
    const answers = await Promise.all(Array.from({ length: PARALLEL }, (_, index) => browser.submit(form, '/mot-de-passe-oublie', { email: person.email }, { headers: from(index) })))
    expect(answers.filter((answer) => answer.status === 200)).toHaveLength(3)
    // The links are mailed after the answer: wait for the three, then check that no fourth comes.
    await stack.smtp.waitForMail(() => stack.smtp.mails.filter((mail) => mail.subject === 'Réinitialisation de votre mot de passe' && JSON.stringify(mail.to).includes(person.email)).length === 3)
    expect(await queuedMails(stack.database.knex, person.email, 'reset_password')).toBe(3)
  })
})
