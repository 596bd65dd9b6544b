import { beforeAll, describe, expect, it } from '@jest/globals'
import * as oidc from 'openid-client'
import { generate } from 'otplib'
import { newPerson, type Person, registerValidated } from '../../tests/support/accounts'
import { Browser, linkInMail, type Page } from '../../tests/support/browser'
import { registerClient } from '../../tests/support/clients'
import { useIdpStack } from '../../tests/support/idp'
import { authorizationRequest, discoverClient, type AuthorizationRequest } from '../../tests/support/oidc'
import { CSRF_FIELD } from '@opcommerce/shared/forms'
import { ACR_VALUES } from './libraries/authentication-context'
import { createTotp } from './libraries/totp'
import { createSecondFactorQueries } from '@opcommerce/shared/queries/second-factors'
import { messages } from './messages'

const REDIRECT_URI = 'http://localhost:7041/callback'
const SECRET = 'two-factor-client-secret-0123456789abcdefgh'
const STEP = 30_000 // milliseconds

describe('login with a second factor: asked after the password, amr and acr say so, companies that require it', () => {
  /** The account's budget of codes stays the production one; the IP's is raised for the file's many logins from 127.0.0.1. */
  const stack = useIdpStack({ limits: { secondFactorFailuresPerIp: { points: 10_000, duration: 60 } } })
  let app: oidc.Configuration
  let sirens = 100_000_000

  beforeAll(async () => {
    await registerClient(stack.database.knex, { clientId: 'two-factor-app', clientSecret: SECRET, redirectUris: [REDIRECT_URI], firstParty: true, name: 'Application de test' })
    app = await discoverClient(stack.idp.issuer, 'two-factor-app', SECRET)
  })

  async function validatedPerson(givenName: string): Promise<Person & { id: string }> {
    const person = newPerson(givenName, 'Durand')
    await registerValidated(new Browser(), stack.idp.issuer, stack.smtp, person)
    const { id } = await stack.database.knex('users').whereRaw('lower(email) = lower(?)', [person.email]).first('id')
    return { ...person, id }
  }

  /** A company the person is an active member of; `required` sets its two-factor requirement. */
  async function memberOf(userId: string, name: string, required: boolean): Promise<string> {
    sirens += 1
    const siren = String(sirens)
    await stack.database.knex('companies').insert({ siren, name, member_code_hash: 'x', two_factor_required: required })
    await stack.database.knex('memberships').insert({ user_id: userId, siren, role: 'member', status: 'active' })
    return siren
  }

  /** Starts an authorization request and submits the password; stops before the application. */
  async function logIn(browser: Browser, person: Person, extra: Record<string, string> = {}): Promise<{ page: Page; request: AuthorizationRequest }> {
    const request = await authorizationRequest(app, REDIRECT_URI, 'openid email companies', extra)
    const form = await browser.get(request.url, { stopAt: REDIRECT_URI })
    const page = await browser.submit(form, /\/login$/u, { email: person.email, password: person.password }, { stopAt: REDIRECT_URI })
    return { page, request }
  }

  async function claimsOf(callback: Page, request: AuthorizationRequest) {
    expect(callback.url).toMatch(/^http:\/\/localhost:7041\/callback\?.*code=/u)
    const tokens = await oidc.authorizationCodeGrant(app, new URL(callback.url), { pkceCodeVerifier: request.verifier, expectedState: request.state, expectedNonce: request.nonce })
    return tokens.claims()! as oidc.IDToken & { companies: { siren: string }[] }
  }

  const codeAt = (secret: string, at: number) => generate({ secret, epoch: Math.floor(at / 1000) })
  const secretOn = (page: Page) => page.document.querySelector('[data-secret]')!.textContent.replace(/\s/gu, '')
  const errorOn = (page: Page) => page.document.querySelector('.alert--error')?.textContent.trim()

  /** Logs in through the enrolment a company asks for; returns the secret and the recovery codes. */
  async function enrolAtLogin(person: Person): Promise<{ secret: string; recoveryCodes: string[] }> {
    const browser = new Browser()
    const { page } = await logIn(browser, person)
    const secret = secretOn(page)
    const codes = await browser.submit(page, /\/enrolment\/totp$/u, { code: await codeAt(secret, Date.now() - STEP) })
    const recoveryCodes = codes.document.querySelectorAll('[data-recovery-codes] code').map((code) => code.textContent.trim())
    await browser.submit(codes, /\/enrolment\/continue$/u, {}, { stopAt: REDIRECT_URI })
    return { secret, recoveryCodes }
  }

  it('a person without a second factor logs in with the password alone: amr pwd', async () => {
    const anna = await validatedPerson('Anna')
    const { page, request } = await logIn(new Browser(), anna)
    const claims = await claimsOf(page, request)
    expect(claims.amr).toEqual(['pwd'])
    expect(claims.acr).toBe(ACR_VALUES.password)
  })

  it('a company that requires it: asked to enrol at login, absent from the claim until then, present after', async () => {
    const bruno = await validatedPerson('Bruno')
    const plain = await memberOf(bruno.id, 'Boulangerie Simple', false)
    const strict = await memberOf(bruno.id, 'Banque Prudente', true)

    // « Plus tard »: the login goes on with the password, without the strict company.
    const browser = new Browser()
    const { page, request } = await logIn(browser, bruno)
    expect(page.url).toMatch(/\/enrolment$/u)
    expect(page.text).toContain(messages.twoFactor.required('Banque Prudente'))
    expect(page.document.querySelector('svg')).not.toBeNull()
    const later = await browser.submit(page, /\/enrolment\/later$/u, {}, { stopAt: REDIRECT_URI })
    const withheld = await claimsOf(later, request)
    expect(withheld.companies.map((company) => company.siren)).toEqual([plain])
    expect(withheld.amr).toEqual(['pwd'])

    // Next login: a wrong first code is refused and the same secret shown again; a right one enrols.
    const again = new Browser()
    const second = await logIn(again, bruno)
    const secret = secretOn(second.page)
    const wrong = await again.submit(second.page, /\/enrolment\/totp$/u, { code: '12345' })
    expect(wrong.status).toBe(401)
    expect(errorOn(wrong)).toBe(messages.twoFactor.invalidCode)
    expect(secretOn(wrong)).toBe(secret)
    const codes = await again.submit(wrong, /\/enrolment\/totp$/u, { code: await codeAt(secret, Date.now()) })
    expect(codes.document.querySelectorAll('[data-recovery-codes] code')).toHaveLength(10)
    const done = await again.submit(codes, /\/enrolment\/continue$/u, {}, { stopAt: REDIRECT_URI })
    const granted = await claimsOf(done, second.request)
    expect(granted.companies.map((company) => company.siren).sort()).toEqual([plain, strict].sort())
    expect(granted.amr).toEqual(['pwd', 'otp', 'mfa'])
    expect(granted.acr).toBe(ACR_VALUES.multiFactor)
  })

  it('with an app: the code after the password, never twice; a recovery code once', async () => {
    const chloe = await validatedPerson('Chloé')
    await memberOf(chloe.id, 'Pharmacie Exigeante', true)
    const { secret, recoveryCodes } = await enrolAtLogin(chloe)

    const browser = new Browser()
    const { page, request } = await logIn(browser, chloe)
    expect(page.url).toMatch(/\/second-factor$/u)
    const code = await codeAt(secret, Date.now())
    const callback = await browser.submit(page, /\/second-factor\/totp$/u, { code }, { stopAt: REDIRECT_URI })
    expect((await claimsOf(callback, request)).amr).toEqual(['pwd', 'otp', 'mfa'])

    // The same code in another login is refused: it was used.
    const other = new Browser()
    const replay = await logIn(other, chloe)
    const refused = await other.submit(replay.page, /\/second-factor\/totp$/u, { code })
    expect(refused.status).toBe(401)
    expect(errorOn(refused)).toBe(messages.twoFactor.invalidCode)

    // « Utiliser un code de récupération »
    const recoveryLink = refused.document.querySelectorAll('a').find((anchor) => anchor.textContent.trim() === 'Utiliser un code de récupération')!
    const recoveryForm = await other.get(new URL(recoveryLink.getAttribute('href')!, refused.url).toString())
    const recovered = await other.submit(recoveryForm, /\/recovery-code$/u, { code: recoveryCodes[0]! }, { stopAt: REDIRECT_URI })
    expect((await claimsOf(recovered, replay.request)).amr).toEqual(['pwd', 'otp', 'mfa'])

    const third = new Browser()
    const reused = await logIn(third, chloe)
    const reusedForm = await third.get(`${reused.page.url}?recuperation=1`)
    const refusedAgain = await third.submit(reusedForm, /\/recovery-code$/u, { code: recoveryCodes[0]! })
    expect(refusedAgain.status).toBe(401)
    expect(errorOn(refusedAgain)).toBe(messages.twoFactor.invalidRecoveryCode)
  })

  it('cannot skip the second step: its forms need the password checked in the same login', async () => {
    const dora = await validatedPerson('Dora')
    await memberOf(dora.id, 'Garage Fermé', true)
    const { secret } = await enrolAtLogin(dora)
    const browser = new Browser()
    const request = await authorizationRequest(app, REDIRECT_URI, 'openid email companies')
    const form = await browser.get(request.url, { stopAt: REDIRECT_URI })
    const uid = form.url.split('/').pop()
    const csrf = form.document.querySelector(`input[name="${CSRF_FIELD}"]`)!.getAttribute('value')!
    const body = new URLSearchParams({ [CSRF_FIELD]: csrf, code: await codeAt(secret, Date.now()) })
    const page = await browser.post(`${stack.idp.issuer}/interaction/${uid}/second-factor/totp`, body, { stopAt: REDIRECT_URI })
    expect(page.status).toBe(400)
    expect(page.text).toContain(messages.login.expired)
  })

  it('acr_values asking for two factors: a person without one is offered to enrol, else the error unmet_authentication_requirements', async () => {
    const emile = await validatedPerson('Émile')
    const browser = new Browser()
    const { page, request } = await logIn(browser, emile, { acr_values: ACR_VALUES.multiFactor })
    expect(page.text).toContain(messages.twoFactor.requiredByApplication)
    const cancelled = await browser.submit(page, /\/enrolment\/later$/u, {}, { stopAt: REDIRECT_URI })
    const url = new URL(cancelled.url)
    expect(url.searchParams.get('error')).toBe('unmet_authentication_requirements')
    expect(url.searchParams.get('state')).toBe(request.state)
  })

  it('acr_values asking for two factors over a password-only session: the person logs in again, with the second factor', async () => {
    const fanny = await validatedPerson('Fanny')
    const browser = new Browser()
    const first = await logIn(browser, fanny)
    expect((await claimsOf(first.page, first.request)).acr).toBe(ACR_VALUES.password)
    // Meanwhile an authenticator app is configured (as « Mon compte » does).
    const totp = createTotp({ db: stack.database.knex, config: stack.idp.config, now: () => new Date() })
    const { secret } = await totp.enrolment({ id: fanny.id, email: fanny.email }, { fresh: true })
    await totp.confirm(fanny.id, await codeAt(secret, Date.now() - STEP))

    // A plain request is answered by the session; one asking for two factors is not.
    const plain = await authorizationRequest(app, REDIRECT_URI, 'openid')
    expect((await claimsOf(await browser.get(plain.url, { stopAt: REDIRECT_URI }), plain)).acr).toBe(ACR_VALUES.password)
    const { page, request } = await logIn(browser, fanny, { acr_values: ACR_VALUES.multiFactor })
    const callback = await browser.submit(page, /\/second-factor\/totp$/u, { code: await codeAt(secret, Date.now()) }, { stopAt: REDIRECT_URI })
    expect((await claimsOf(callback, request)).acr).toBe(ACR_VALUES.multiFactor)
    // The session is multi-factor now: asking again needs no login.
    const again = await authorizationRequest(app, REDIRECT_URI, 'openid', { acr_values: ACR_VALUES.multiFactor })
    expect((await claimsOf(await browser.get(again.url, { stopAt: REDIRECT_URI }), again)).amr).toEqual(['pwd', 'otp', 'mfa'])
  })

  it('« Mon compte »: configure an app (QR code, first code, ten codes shown once), then turn it off with the password and a code', async () => {
    const gaby = await validatedPerson('Gaby')
    const browser = new Browser()
    const login = await browser.get(`${stack.idp.issuer}/compte/double-authentification`)
    const section = await browser.submit(login, /\/login$/u, { email: gaby.email, password: gaby.password })
    expect(section.url).toBe(`${stack.idp.issuer}/compte/double-authentification`)
    expect(section.text).toContain('Non configurée.')
    const enrolment = await browser.get(`${stack.idp.issuer}/compte/double-authentification/application`)
    const secret = secretOn(enrolment)
    expect(enrolment.document.querySelector('.qr-code svg')).not.toBeNull()
    const codes = await browser.submit(enrolment, '/compte/double-authentification/application', { code: await codeAt(secret, Date.now() - STEP) })
    expect(codes.document.querySelectorAll('[data-recovery-codes] code')).toHaveLength(10)
    const enabled = await browser.get(`${stack.idp.issuer}/compte/double-authentification`)
    expect(enabled.text).toContain('Activée.')
    expect(enabled.text).toContain('Il vous reste 10 codes de récupération.')

    // Turning it off: the password and a code, each checked.
    const wrongPassword = await browser.submit(enabled, /\/application\/desactiver$/u, { current_password: 'Pas-Le-Bon-1!', code: await codeAt(secret, Date.now()) })
    expect(wrongPassword.status).toBe(400)
    expect(wrongPassword.text).toContain(messages.account.wrongPassword)
    const wrongCode = await browser.submit(enabled, /\/application\/desactiver$/u, { current_password: gaby.password, code: '12345' })
    expect(wrongCode.status).toBe(400)
    expect(wrongCode.text).toContain(messages.twoFactor.invalidCode)
    expect(wrongCode.text).toContain('Activée.')
    const off = await browser.submit(enabled, /\/application\/desactiver$/u, { current_password: gaby.password, code: await codeAt(secret, Date.now()) })
    expect(off.url).toContain('/compte/double-authentification?fait=application_desactivee')
    expect(off.text).toContain("L'application d'authentification a été désactivée.")
    expect(off.text).toContain('Non configurée.')
    expect(off.text).toContain('Aucun code de récupération.')
  })

  it('counts codes like passwords: of many wrong codes sent at once, the budget of the account lets ten be tried', async () => {
    const hugo = await validatedPerson('Hugo')
    await memberOf(hugo.id, 'Coffre Fort', true)
    const { secret } = await enrolAtLogin(hugo)
    const browser = new Browser()
    const { page } = await logIn(browser, hugo)
    const right = await codeAt(secret, Date.now())
    const wrong = right === '000000' ? '111111' : '000000'
    const answers = await Promise.all(Array.from({ length: 15 }, () => browser.submit(page, /\/second-factor\/totp$/u, { code: wrong })))
    // Ten per account: right codes (the enrolment's) gave their point back.
    expect(answers.map((answer) => answer.status).sort()).toEqual([...Array(10).fill(401), ...Array(5).fill(429)])
    const refused = answers.filter((answer) => answer.status === 429)
    expect(errorOn(refused[0]!)).toMatch(new RegExp(`^${messages.twoFactor.tooMany} Réessayez dans`, 'u'))
    // The right code is refused too while the account is blocked.
    expect((await browser.submit(page, /\/second-factor\/totp$/u, { code: right }, { stopAt: REDIRECT_URI })).status).toBe(429)
  })

  it('« Mot de passe oublié » changes the password and leaves the second factor in place', async () => {
    const ines = await validatedPerson('Inès')
    await memberOf(ines.id, 'Étude Sûre', true)
    const { secret } = await enrolAtLogin(ines)
    const after = stack.smtp.mails.length
    const requester = new Browser()
    await requester.submit(await requester.get(`${stack.idp.issuer}/mot-de-passe-oublie`), '/mot-de-passe-oublie', { email: ines.email })
    const mail = await stack.smtp.waitForMail((received) => received.subject === 'Réinitialisation de votre mot de passe' && JSON.stringify(received.to).includes(ines.email) && stack.smtp.mails.indexOf(received) >= after)
    const link = linkInMail(mail.html, 'Choisir un nouveau mot de passe.')
    const resetBrowser = new Browser()
    const newPassword = 'Autre-Jardin-Bleu-58?'
    await resetBrowser.submit(await resetBrowser.get(link), new URL(link).pathname, { password: newPassword, password_confirmation: newPassword })

    const browser = new Browser()
    const { page, request } = await logIn(browser, { ...ines, password: newPassword })
    expect(page.url).toMatch(/\/second-factor$/u)
    const callback = await browser.submit(page, /\/second-factor\/totp$/u, { code: await codeAt(secret, Date.now()) }, { stopAt: REDIRECT_URI })
    expect((await claimsOf(callback, request)).amr).toEqual(['pwd', 'otp', 'mfa'])
  })

  it('« Mon compte »: a passkey is renamed, and removed only with the password', async () => {
    const jade = await validatedPerson('Jade')
    const browser = new Browser()
    const login = await browser.get(`${stack.idp.issuer}/compte/double-authentification`)
    await browser.submit(login, /\/login$/u, { email: jade.email, password: jade.password })
    // A passkey as registration stores it (the ceremony itself runs in the browser suite).
    await createSecondFactorQueries(stack.database.knex).insertPasskey({
      id: 'cle-de-jade',
      userId: jade.id,
      publicKey: new Uint8Array([1]),
      counter: 0,
      transports: [],
      name: 'Clé USB',
      deviceType: 'singleDevice',
      createdAt: new Date(),
    })
    const section = await browser.get(`${stack.idp.issuer}/compte/double-authentification`)
    const renamed = await browser.submit(section, /\/cles\/cle-de-jade\/renommer$/u, { name: 'Clé du trousseau' })
    expect(renamed.text).toContain("La clé d'accès a été renommée.")
    expect(renamed.document.querySelector('[data-passkey="cle-de-jade"] strong')?.textContent).toBe('Clé du trousseau')

    const refused = await browser.submit(renamed, /\/cles\/cle-de-jade\/supprimer$/u, { current_password: 'Pas-Le-Bon-1!' })
    expect(refused.status).toBe(400)
    expect(refused.text).toContain(messages.account.wrongPassword)
    expect(refused.document.querySelector('[data-passkey="cle-de-jade"]')).not.toBeNull()
    const removed = await browser.submit(renamed, /\/cles\/cle-de-jade\/supprimer$/u, { current_password: jade.password })
    expect(removed.text).toContain("La clé d'accès a été supprimée.")
    expect(removed.text).toContain("Aucune clé d'accès.")
  })
})
