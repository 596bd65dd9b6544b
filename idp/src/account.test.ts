import { beforeAll, describe, expect, it } from '@jest/globals'
import type * as oidc from 'openid-client'
import { newPerson, type Person, registerValidated } from '../../tests/support/accounts'
import { Browser, type Page } from '../../tests/support/browser'
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
