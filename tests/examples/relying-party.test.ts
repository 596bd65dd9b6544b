import { readFileSync } from 'node:fs'
import { beforeAll, describe, expect, it } from '@jest/globals'
import { newPerson, registerValidated } from '../support/accounts'
import { Browser } from '../support/browser'
import { registerClient } from '../support/clients'
import { useIdpStack } from '../support/idp'
import { createCompany, testPortalContext } from '../support/portal'
import { connect, finishLogin, logoutForm, refresh, startLogin } from './relying-party'

const REDIRECT_URI = 'http://localhost:7301/callback'
const SECRET = 'example-app-secret-0123456789abcdefghijklm'

describe("the README's openid-client example, against the real idp", () => {
  const stack = useIdpStack()

  beforeAll(async () => {
    await registerClient(stack.database.knex, { clientId: 'example-app', clientSecret: SECRET, redirectUris: [REDIRECT_URI], postLogoutRedirectUris: ['http://localhost:7301/'], firstParty: true })
  })

  it('is printed in the README exactly as tested', () => {
    const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8')
    const example = readFileSync(new URL('./relying-party.ts', import.meta.url), 'utf8')
    expect(readme).toContain(example.trim())
  })

  it('logs a person in, reads their companies claim, refreshes and logs out', async () => {
    const browser = new Browser()
    const person = newPerson('Gaston', 'Lagaffe')
    await registerValidated(browser, stack.idp.issuer, stack.smtp, person)
    const user = await stack.database.knex('users').where({ email: person.email }).first()
    const company = await createCompany(stack.database.knex, stack.idp.config, 'Éditions Dupuis')
    await testPortalContext(stack.idp.config, stack.database.knex).memberships.linkCompany({ id: user.id, email: person.email, givenName: 'Gaston', familyName: 'Lagaffe' }, company, 'test')

    const config = await connect(stack.idp.issuer, 'example-app', SECRET)
    const { url, check } = await startLogin(config, REDIRECT_URI)
    const login = await browser.get(url.toString())
    const callback = await browser.submit(login, /\/login$/u, { email: person.email, password: person.password }, { stopAt: REDIRECT_URI })
    const { tokens, claims } = await finishLogin(config, new URL(callback.url), check)
    expect(claims).toMatchObject({
      email: person.email,
      given_name: 'Gaston',
      family_name: 'Lagaffe',
      companies: [{ siren: company.siren, name: 'Éditions Dupuis', role: 'admin' }],
      company_roles: [`${company.siren}:admin`],
    })

    const refreshed = await refresh(config, tokens.refresh_token!)
    expect(refreshed.claims()).toMatchObject({ companies: [{ siren: company.siren, role: 'admin' }] })

    const form = logoutForm(config, refreshed.id_token!, 'http://localhost:7301/')
    const confirmation = await browser.post(form.action, new URLSearchParams(form.fields))
    const back = await browser.submit(confirmation, /\/session\/end\/confirm$/u, {}, { stopAt: 'http://localhost:7301/' })
    expect(back.url).toBe('http://localhost:7301/')
    await expect(refresh(config, refreshed.refresh_token!)).rejects.toMatchObject({ error: 'invalid_grant' })
  })
})
