import { beforeAll, describe, expect, it } from '@jest/globals'
import * as oidc from 'openid-client'
import { newPerson, type Person, registerValidated } from '../../tests/support/accounts'
import { Browser, linkInMail, type Page } from '../../tests/support/browser'
import { mailsTo } from '../../tests/support/mail'
import { registerClient } from '../../tests/support/clients'
import { useIdpStack } from '../../tests/support/idp'
import { authorizationRequest, discoverClient } from '../../tests/support/oidc'
import { messages } from './messages'

const REDIRECT_URI = 'http://localhost:7013/callback'
const SECRET = 'account-client-secret-0123456789abcdefghijk'

describe('« Mon compte »: the idp signs people in with its SSO session', () => {
  const stack = useIdpStack()
  let app: oidc.Configuration

  beforeAll(async () => {
    await registerClient(stack.database.knex, { clientId: 'account-app', clientSecret: SECRET, redirectUris: [REDIRECT_URI], firstParty: true, name: 'Outil de test' })
    app = await discoverClient(stack.idp.issuer, 'account-app', SECRET)
  })

  async function validatedPerson(givenName: string, familyName: string): Promise<Person> {
    const person = newPerson(givenName, familyName)
    await registerValidated(new Browser(), stack.idp.issuer, stack.smtp, person)
    return person
  }

  const sections = (page: Page) => page.document.querySelectorAll('ul[aria-label="Rubriques de Mon compte"] a').map((link) => link.textContent.trim())

  it('sends a visitor through the login, then back to the page asked for', async () => {
    const alice = await validatedPerson('Alice', 'Martin')
    const browser = new Browser()
    const login = await browser.get(`${stack.idp.issuer}/compte`)
    expect(login.url).toMatch(/\/interaction\/[\w-]+$/u)
    expect(login.text).toContain('Identifiez-vous pour accéder à Mon compte.')

    const home = await browser.submit(login, /\/login$/u, { email: alice.email, password: alice.password })
    expect(home.url).toBe(`${stack.idp.issuer}/compte`)
    expect(home.status).toBe(200)
    expect(home.headers.get('cache-control')).toBe('no-store')
    expect(home.text).toContain(`Alice Martin · ${alice.email}`)
    expect(sections(home)).toEqual(['Identité', 'Mot de passe', 'Adresse email', 'Double authentification', 'Sessions', 'Mes données', 'Fermer mon compte'])

    // The SSO session is the proof: the page opens again without a password.
    expect((await browser.get(`${stack.idp.issuer}/compte`)).url).toBe(`${stack.idp.issuer}/compte`)
    // The code that proved the sign-in was destroyed on the way back: nobody can redeem it.
    const codes = await stack.database.knex('oidc_payloads').where({ kind: 'AuthorizationCode' }).whereRaw(`payload->>'clientId' = 'mon-compte'`)
    expect(codes).toEqual([])
  })

  it('opens without a password for a person signed in to an application', async () => {
    const bruno = await validatedPerson('Bruno', 'Caron')
    const browser = new Browser()
    const login = await browser.get((await authorizationRequest(app, REDIRECT_URI)).url)
    const callback = await browser.submit(login, /\/login$/u, { email: bruno.email, password: bruno.password }, { stopAt: REDIRECT_URI })
    expect(callback.url).toContain('code=')

    const home = await browser.get(`${stack.idp.issuer}/compte`)
    expect(home.url).toBe(`${stack.idp.issuer}/compte`)
    expect(home.text).toContain('Bruno Caron')
  })

  it('refuses a return that this browser did not start, and one whose state was changed', async () => {
    const stranger = await new Browser().get(`${stack.idp.issuer}/compte/retour?code=abc&state=xyz`)
    expect(stranger.status).toBe(400)
    expect(stranger.text).toContain(messages.account.signInExpired)

    const carla = await validatedPerson('Carla', 'Dumas')
    const browser = new Browser()
    const login = await browser.get(`${stack.idp.issuer}/compte`)
    const back = await browser.submit(login, /\/login$/u, { email: carla.email, password: carla.password }, { stopAt: `${stack.idp.issuer}/compte/retour` })
    const forged = new URL(back.url)
    forged.searchParams.set('state', 'autre')
    const refused = await browser.get(forged.toString())
    expect(refused.status).toBe(400)
  })
})

describe('« Mon compte »: people manage their own account', () => {
  /** Wrong passwords allowed per account and window in this file (10 in production). */
  const FAILURES_ALLOWED = 3
  const stack = useIdpStack({ limits: { loginFailuresPerAccount: { points: FAILURES_ALLOWED, duration: 15 * 60 } } })
  let app: oidc.Configuration

  beforeAll(async () => {
    await registerClient(stack.database.knex, { clientId: 'account-tool', clientSecret: SECRET, redirectUris: [REDIRECT_URI], firstParty: true, name: 'Outil de test' })
    app = await discoverClient(stack.idp.issuer, 'account-tool', SECRET)
  })

  const url = (path: string) => `${stack.idp.issuer}${path}`
  const alertText = (page: Page, kind: 'error' | 'success' | 'info') => page.document.querySelector(`.alert--${kind}`)?.textContent.trim()
  const fieldErrors = (page: Page, name: string) => page.document.querySelectorAll(`#champ-${name}-erreurs li`).map((item) => item.textContent.trim())

  async function validatedPerson(givenName: string, familyName: string): Promise<Person> {
    const person = newPerson(givenName, familyName)
    await registerValidated(new Browser(), stack.idp.issuer, stack.smtp, person)
    return person
  }

  /** A browser signed in to « Mon compte » (through the login), on `path`. */
  async function signedIn(person: Person, path = '/compte'): Promise<{ browser: Browser; page: Page }> {
    const browser = new Browser()
    const login = await browser.get(url(path))
    const page = await browser.submit(login, /\/login$/u, { email: person.email, password: person.password })
    expect(page.url).toBe(url(path))
    return { browser, page }
  }

  /** A tool's tokens for `person`, through the SSO session of `browser` (or a login in it). */
  async function toolTokens(browser: Browser, person: Person) {
    const request = await authorizationRequest(app, REDIRECT_URI)
    let callback = await browser.get(request.url, { stopAt: REDIRECT_URI })
    if (!callback.url.startsWith(REDIRECT_URI)) callback = await browser.submit(callback, /\/login$/u, { email: person.email, password: person.password }, { stopAt: REDIRECT_URI })
    return oidc.authorizationCodeGrant(app, new URL(callback.url), { pkceCodeVerifier: request.verifier, expectedState: request.state, expectedNonce: request.nonce })
  }

  const userId = async (email: string) => ((await stack.database.knex('users').whereRaw('lower(email) = lower(?)', [email]).first('id')) as { id: string } | undefined)?.id

  it('changes the names with registration\'s rules; tools see them at their next refresh', async () => {
    const alice = await validatedPerson('Alice', 'Martin')
    const { browser } = await signedIn(alice)
    const tokens = await toolTokens(browser, alice)
    expect(tokens.claims()).toMatchObject({ given_name: 'Alice', family_name: 'Martin' })

    const form = await browser.get(url('/compte/identite'))
    const refused = await browser.submit(form, '/compte/identite', { given_name: '  ', family_name: 'Martin<script>' })
    expect(refused.status).toBe(400)
    expect(fieldErrors(refused, 'given_name')).toEqual([messages.names.givenNameRequired])
    expect(fieldErrors(refused, 'family_name')).toEqual([messages.names.familyNameLetters])

    const saved = await browser.submit(form, '/compte/identite', { given_name: 'Alice-Anne', family_name: "D'Arc" })
    expect(saved.status).toBe(200)
    expect(alertText(saved, 'success')).toBe(messages.account.namesChanged)
    const refreshed = await oidc.refreshTokenGrant(app, tokens.refresh_token!)
    expect(refreshed.claims()).toMatchObject({ given_name: 'Alice-Anne', family_name: "D'Arc", name: "Alice-Anne D'Arc" })
  })

  it('refuses a form of « Mon compte » posted without its CSRF token, and sends a visitor\'s post to the login', async () => {
    const bruno = await validatedPerson('Bruno', 'Caron')
    const { browser } = await signedIn(bruno)
    const forged = await browser.post(url('/compte/identite'), new URLSearchParams({ given_name: 'Pirate', family_name: 'Pirate' }))
    expect(forged.status).toBe(403)
    const visitor = new Browser()
    const csrf = (await visitor.get(url('/mot-de-passe-oublie'))).document.querySelector('input[name="_csrf"]')!.getAttribute('value')!
    const posted = await visitor.post(url('/compte/identite'), new URLSearchParams({ _csrf: csrf, given_name: 'Pirate', family_name: 'Pirate' }))
    expect(posted.url).toMatch(/\/interaction\//u)
    expect(await stack.database.knex('users').where({ given_name: 'Pirate' })).toEqual([])
  })

  it('changes the password with the current one: every other session ends, this one stays, a notice is mailed', async () => {
    const carla = await validatedPerson('Carla', 'Dumas')
    const { browser } = await signedIn(carla)
    const other = await signedIn(carla)
    const otherTokens = await toolTokens(other.browser, carla)

    const form = await browser.get(url('/compte/mot-de-passe'))
    expect(form.document.querySelector('[data-password-rules]')).not.toBeNull()
    const wrong = await browser.submit(form, '/compte/mot-de-passe', { current_password: 'pas-le-bon', password: 'Cinq-Renards-Verts-77!', password_confirmation: 'Cinq-Renards-Verts-77!' })
    expect(wrong.status).toBe(400)
    expect(fieldErrors(wrong, 'current_password')).toEqual([messages.account.wrongPassword])
    const weak = await browser.submit(form, '/compte/mot-de-passe', { current_password: carla.password, password: 'Azerty123!', password_confirmation: 'Azerty123!' })
    expect(weak.status).toBe(400)
    expect(fieldErrors(weak, 'password')).toEqual([messages.password.tooCommon])

    const newPassword = 'Cinq-Renards-Verts-77!'
    const changed = await browser.submit(form, '/compte/mot-de-passe', { current_password: carla.password, password: newPassword, password_confirmation: newPassword })
    expect(changed.status).toBe(200)
    expect(alertText(changed, 'success')).toBe(messages.account.passwordChanged)

    expect((await browser.get(url('/compte'))).url).toBe(url('/compte'))
    expect((await other.browser.get(url('/compte'))).url).toMatch(/\/interaction\//u)
    await expect(oidc.refreshTokenGrant(app, otherTokens.refresh_token!)).rejects.toMatchObject({ error: 'invalid_grant' })
    const notice = await stack.smtp.waitForMail((mail) => mail.subject === 'Votre mot de passe a été modifié' && JSON.stringify(mail.to).includes(carla.email))
    expect(linkInMail(notice.html, 'Réinitialiser mon mot de passe.')).toBe(url('/mot-de-passe-oublie'))
    await signedIn({ ...carla, password: newPassword })
  })

  it('counts wrong passwords before checking them: of many sent at once, no more than the account allows are evaluated', async () => {
    const denise = await validatedPerson('Denise', 'Leroy')
    const { browser } = await signedIn(denise)
    const form = await browser.get(url('/compte/fermer'))
    const attempts = await Promise.all(Array.from({ length: 8 }, () => browser.submit(form, '/compte/fermer', { current_password: 'mauvais-mot-de-passe' })))
    const statuses = attempts.map((page) => page.status)
    expect(statuses.filter((status) => status === 400)).toHaveLength(FAILURES_ALLOWED)
    expect(statuses.filter((status) => status === 429)).toHaveLength(8 - FAILURES_ALLOWED)
    const audited = await stack.database.knex('audit_events').where({ type: 'account.reauthentication_failed', subject: await userId(denise.email) })
    expect(audited).toHaveLength(FAILURES_ALLOWED)
    expect(await userId(denise.email)).toBeDefined()
  })

  it('changes the address only once the new one is validated; the old one is told and can undo it', async () => {
    const emile = await validatedPerson('Émile', 'Faure')
    const { browser } = await signedIn(emile)
    const tokens = await toolTokens(browser, emile)
    const newEmail = newPerson('Emile', 'Nouveau').email

    const form = await browser.get(url('/compte/adresse-email'))
    const wrong = await browser.submit(form, '/compte/adresse-email', { email: newEmail, current_password: 'faux' })
    expect(wrong.status).toBe(400)
    expect(fieldErrors(wrong, 'current_password')).toEqual([messages.account.wrongPassword])
    const requested = await browser.submit(form, '/compte/adresse-email', { email: newEmail, current_password: emile.password })
    expect(alertText(requested, 'success')).toBe(messages.account.emailChangeRequested(newEmail))

    const validation = await stack.smtp.waitForMail((mail) => mail.subject === 'Validation de votre nouvelle adresse email' && JSON.stringify(mail.to).includes(newEmail))
    const notice = await stack.smtp.waitForMail((mail) => mail.subject === 'Changement de l’adresse email de votre compte' && JSON.stringify(mail.to).includes(emile.email))
    expect((await oidc.refreshTokenGrant(app, tokens.refresh_token!)).claims()).toMatchObject({ email: emile.email })

    // A mail scanner opening the link changes nothing; the button does, once.
    const link = linkInMail(validation.html, 'Valider ma nouvelle adresse email.')
    const mailReader = new Browser()
    const confirm = await mailReader.get(link)
    expect(confirm.status).toBe(200)
    expect(await userId(newEmail)).toBeUndefined()
    const validated = await mailReader.submit(confirm, new URL(link).pathname)
    expect(alertText(validated, 'success')).toBe(messages.account.emailChanged(newEmail))
    const again = await new Browser().get(link)
    expect(again.status).toBe(410)
    const sessionTokens = await toolTokens(browser, emile)
    expect(sessionTokens.claims()).toMatchObject({ email: newEmail })

    // The old address says it was not them: the change is undone and every session ends.
    const cancelLink = linkInMail(notice.html, 'Annuler ce changement.')
    const stranger = new Browser()
    const cancelPage = await stranger.get(cancelLink)
    const undone = await stranger.submit(cancelPage, new URL(cancelLink).pathname)
    expect(alertText(undone, 'success')).toBe(messages.account.emailChangeUndone(emile.email))
    expect(await userId(emile.email)).toBeDefined()
    expect((await browser.get(url('/compte'))).url).toMatch(/\/interaction\//u)
    await expect(oidc.refreshTokenGrant(app, sessionTokens.refresh_token!)).rejects.toMatchObject({ error: 'invalid_grant' })
  })

  it('answers a change to an address already in use like any other: its owner is told, nothing changes', async () => {
    const fanny = await validatedPerson('Fanny', 'Girard')
    const gaspard = await validatedPerson('Gaspard', 'Henry')
    const { browser } = await signedIn(fanny)
    const form = await browser.get(url('/compte/adresse-email'))
    const answer = await browser.submit(form, '/compte/adresse-email', { email: gaspard.email.toUpperCase(), current_password: fanny.password })
    expect(answer.status).toBe(200)
    expect(alertText(answer, 'success')).toBe(messages.account.emailChangeRequested(gaspard.email))
    await stack.smtp.waitForMail((mail) => mail.subject === 'Votre adresse email a été proposée pour un autre compte' && JSON.stringify(mail.to).includes(gaspard.email))
    expect(mailsTo(stack.smtp, gaspard.email).map((mail) => mail.subject)).not.toContain('Validation de votre nouvelle adresse email')
    expect(mailsTo(stack.smtp, fanny.email).map((mail) => mail.subject)).not.toContain('Changement de l’adresse email de votre compte')
    expect(await stack.database.knex('email_changes').where({ user_id: await userId(fanny.email) })).toEqual([])
  })

  it('lists the sessions with browser, address, start and last activity; ends one, or all of them', async () => {
    const hugo = await validatedPerson('Hugo', 'Petit')
    const { browser } = await signedIn(hugo)
    const other = await signedIn(hugo)
    const page = await browser.get(url('/compte/sessions'))
    const items = page.document.querySelectorAll('ul[aria-label="Sessions ouvertes"] > li')
    expect(items).toHaveLength(2)
    expect(items.filter((item) => item.text.includes('Cette session'))).toHaveLength(1)
    expect(page.text).toMatch(/Adresse IP : (::ffff:)?127\.0\.0\.1/u)
    expect(page.text).toMatch(/Ouverte le \d{1,2} \S+ \d{4} à \d{2}:\d{2}/u)

    // Another person cannot end Hugo's session with its identifier.
    const otherUid = items.find((item) => !item.text.includes('Cette session'))!.querySelector('input[name="session"]')!.getAttribute('value')!
    const stranger = await signedIn(await validatedPerson('Jules', 'Simon'), '/compte/sessions')
    const notTheirs = await stranger.browser.post(url('/compte/sessions/fin'), new URLSearchParams({ _csrf: stranger.page.document.querySelector('input[name="_csrf"]')!.getAttribute('value')!, session: otherUid }))
    expect(notTheirs.status).toBe(404)
    expect((await other.browser.get(url('/compte'))).url).toBe(url('/compte'))

    const ended = await browser.submit(page, '/compte/sessions/fin', { session: otherUid })
    expect(alertText(ended, 'success')).toBe(messages.account.sessionEnded)
    expect((await other.browser.get(url('/compte'))).url).toMatch(/\/interaction\//u)

    const everywhere = await browser.submit(ended, '/compte/sessions/partout')
    expect(everywhere.text).toContain(messages.account.loggedOutEverywhere)
    expect((await browser.get(url('/compte'))).url).toMatch(/\/interaction\//u)
  })

  it('downloads my data as a JSON file after a recent login', async () => {
    const karine = await validatedPerson('Karine', 'Blanc')
    const { browser } = await signedIn(karine, '/compte/donnees')
    const id = (await userId(karine.email))!
    await stack.database.knex('companies').insert({ siren: '732829320', name: 'Données SA', member_code_hash: 'x' })
    await stack.database.knex('memberships').insert({ user_id: id, siren: '732829320', role: 'member', status: 'pending' })

    const response = await fetch(url('/compte/donnees/telecharger'), { headers: { cookie: await browser.jar.getCookieString(url('/compte')) } })
    expect(response.status).toBe(200)
    expect(response.headers.get('content-disposition')).toBe('attachment; filename="mes-donnees-web-services-entreprise.json"')
    const data = (await response.json()) as Record<string, unknown>
    expect(data).toMatchObject({
      account: { id, email: karine.email, givenName: 'Karine', familyName: 'Blanc' },
      memberships: [{ siren: '732829320', companyName: 'Données SA', status: 'pending' }],
      sessions: [expect.objectContaining({ startedAt: expect.any(String) })],
    })
    expect((data.auditEvents as { type: string }[]).map((event) => event.type)).toEqual(expect.arrayContaining(['account.validated', 'login.succeeded']))

    // A login older than 5 minutes: the download goes through the login again first.
    await stack.database.knex('oidc_payloads').where({ kind: 'Session' }).whereRaw(`payload->>'accountId' = ?`, [id]).update({ payload: stack.database.knex.raw(`jsonb_set(payload, '{loginTs}', to_jsonb((payload->>'loginTs')::bigint - 600))`) })
    const relogin = await browser.get(url('/compte/donnees/telecharger'))
    expect(relogin.url).toMatch(/\/interaction\//u)
    expect(relogin.document.querySelector('input[name="password"]')).not.toBeNull()
  })

  it('refuses to close the account of the only administrator of a company with other members, naming it; otherwise deletes it', async () => {
    const louis = await validatedPerson('Louis', 'Moreau')
    const marie = await validatedPerson('Marie', 'Noël')
    const louisId = (await userId(louis.email))!
    await stack.database.knex('companies').insert({ siren: '552100554', name: 'Moreau Frères', member_code_hash: 'x' })
    await stack.database.knex('memberships').insert([
      { user_id: louisId, siren: '552100554', role: 'admin', status: 'active' },
      { user_id: (await userId(marie.email))!, siren: '552100554', role: 'member', status: 'pending' },
    ])
    const { browser } = await signedIn(louis, '/compte/fermer')
    const tokens = await toolTokens(browser, louis)
    const form = await browser.get(url('/compte/fermer'))
    const refused = await browser.submit(form, '/compte/fermer', { current_password: louis.password })
    expect(refused.status).toBe(409)
    expect(alertText(refused, 'error')).toBe(messages.account.soleAdministrator('Moreau Frères', '552100554'))

    await stack.database.knex('memberships').where({ siren: '552100554' }).whereNot({ user_id: louisId }).delete()
    const closed = await browser.submit(form, '/compte/fermer', { current_password: louis.password })
    expect(closed.status).toBe(200)
    expect(alertText(closed, 'success')).toBe(messages.account.closed)
    expect(await userId(louis.email)).toBeUndefined()
    expect(await stack.database.knex('memberships').where({ user_id: louisId })).toEqual([])
    await expect(oidc.refreshTokenGrant(app, tokens.refresh_token!)).rejects.toMatchObject({ error: 'invalid_grant' })
    const traces = await stack.database.knex('audit_events').where({ actor: louisId }).orWhere({ subject: louisId }).orWhere({ subject: louis.email })
    expect(traces).toEqual([])
    const anonymous = await stack.database.knex('audit_events').where({ type: 'account.closed' }).first<{ actor: string }>('actor')
    expect(anonymous.actor).toMatch(/^compte-ferme:[0-9a-f]{24}$/u)
    expect(await stack.database.knex('audit_events').where({ actor: anonymous.actor, type: 'login.succeeded' })).not.toEqual([])
    await stack.smtp.waitForMail((mail) => mail.subject === 'Votre compte Web Services Entreprise a été fermé' && JSON.stringify(mail.to).includes(louis.email))
    expect((await browser.get(url('/compte'))).url).toMatch(/\/interaction\//u)
  })
})
