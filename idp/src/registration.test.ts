import { beforeAll, describe, expect, it } from '@jest/globals'
import { FORM_REFUSED } from '@opcommerce/shared/errors'
import { PASSWORD_MAX_LENGTH, PASSWORD_RULES, type PasswordRule } from '@opcommerce/shared/password-policy'
import { newPerson, type Person, register, registerValidated, registrationFields, validationLink } from '../../tests/support/accounts'
import { Browser, linkInMail, type Page } from '../../tests/support/browser'
import { registerClient } from '../../tests/support/clients'
import { authorizationRequest, discoverClient } from '../../tests/support/oidc'
import { useIdpStack } from '../../tests/support/idp'
import { queuedMails, rowCounts } from '../../tests/support/rows'
import { messages } from './messages'

/** A password meeting every rule of the policy but the one named, strong otherwise. */
const BREAKS_ONLY: Record<PasswordRule['id'], string> = {
  length: 'Ab1!xyz',
  upper: 'quatre-chevaux-bleus-42!',
  lower: 'QUATRE-CHEVAUX-BLEUS-42!',
  digit: 'Quatre-Chevaux-Bleus!',
  special: 'QuatreChevauxBleus42',
}

const COMMON_PASSWORD = messages.password.tooCommon
const CLIENT_SECRET = 'registration-app-secret-0123456789abcdefghi'
const CLIENT_REDIRECT_URI = 'http://localhost:7501/callback'

const ruleMessage = (id: PasswordRule['id']) => PASSWORD_RULES.find((rule) => rule.id === id)!.message

/** The errors listed under a field, as read next to it. */
function fieldErrors(page: Page, name: string): string[] {
  return page.document.querySelectorAll(`#champ-${name}-erreurs li`).map((item) => item.textContent.trim())
}

const FIELDS = ['email', 'email_confirmation', 'password', 'password_confirmation', 'given_name', 'family_name']

/** Every field that shows errors, with them. */
function allFieldErrors(page: Page): Record<string, string[]> {
  return Object.fromEntries(FIELDS.map((name) => [name, fieldErrors(page, name)] as const).filter(([, errors]) => errors.length > 0))
}

function inputValue(page: Page, name: string): string | undefined {
  return page.document.querySelector(`input[name="${name}"]`)?.getAttribute('value')
}

describe('registration: refused input is explained in French next to its field, and nothing is stored', () => {
  const stack = useIdpStack()

  beforeAll(async () => {
    await registerClient(stack.database.knex, { clientId: 'registration-app', clientSecret: CLIENT_SECRET, redirectUris: [CLIENT_REDIRECT_URI], firstParty: true })
  })

  /** Fills "Créer un compte" in a fresh browser, `changes` replacing the fields of a valid form. */
  async function submitRegistration(person: Person, changes: Record<string, string>): Promise<Page> {
    const browser = new Browser()
    const form = await browser.get(`${stack.idp.issuer}/inscription`)
    return browser.submit(form, '/inscription', { ...registrationFields(person), ...changes })
  }

  /**
   * Submits a form that must be refused: 400, the form shown again with exactly `expected` next
   * to the fields, not a row written.
   */
  async function refusedRegistration(changes: Record<string, string>, expected: Record<string, string[]>, person = newPerson('Zoe', 'Petit')): Promise<Page> {
    const before = await rowCounts(stack.database.knex)
    const page = await submitRegistration(person, changes)
    expect(page.status).toBe(400)
    expect(new URL(page.url).pathname).toBe('/inscription')
    expect(page.document.querySelector('.alert--error')?.textContent.trim()).toBe(FORM_REFUSED)
    expect(page.document.querySelector('form[action="/inscription"]')).not.toBeNull()
    expect(allFieldErrors(page)).toEqual(expected)
    expect(await rowCounts(stack.database.knex)).toEqual(before)
    const users = await stack.database.knex('users').whereRaw('lower(email) = lower(?)', [person.email])
    expect(users).toHaveLength(0)
    return page
  }

  it.each(PASSWORD_RULES.map((rule) => [rule.id, BREAKS_ONLY[rule.id]] as const))(
    'refuses a password breaking only the "%s" rule, with that rule under the password field',
    async (id, password) => {
      const page = await refusedRegistration({ password, password_confirmation: password }, { password: [ruleMessage(id)] })
      const input = page.document.querySelector('input[name="password"]')!
      expect(input.getAttribute('aria-invalid')).toBe('true')
      expect(input.getAttribute('aria-describedby')).toContain('champ-password-erreurs')
    },
  )

  it('lists every unmet rule at once', async () => {
    await refusedRegistration(
      { password: 'abc', password_confirmation: 'abc' },
      { password: [ruleMessage('length'), ruleMessage('upper'), ruleMessage('digit'), ruleMessage('special')] },
    )
  })

  it('refuses a password longer than the policy allows', async () => {
    const password = `Aa1!${'x'.repeat(PASSWORD_MAX_LENGTH)}`
    await refusedRegistration({ password, password_confirmation: password }, { password: [`Le mot de passe ne doit pas dépasser ${PASSWORD_MAX_LENGTH} caractères.`] })
  })

  it.each(['Motdepasse1!', 'Azerty123!'])('refuses the common, leaked password "%s" although it meets every rule', async (password) => {
    const page = await refusedRegistration({ password, password_confirmation: password }, { password: [expect.stringContaining(COMMON_PASSWORD) as unknown as string] })
    expect(page.text).toContain(COMMON_PASSWORD)
  })

  it('refuses a password made of the person’s own name', async () => {
    const person = newPerson('Gwendoline', 'Kerbrat')
    const password = 'Gwendoline2024!'
    await refusedRegistration({ password, password_confirmation: password }, { password: [expect.stringContaining(COMMON_PASSWORD) as unknown as string] }, person)
  })

  it('refuses an email confirmation that differs from the email', async () => {
    await refusedRegistration({ email_confirmation: 'quelqu.un.autre@exemple.fr' }, { email_confirmation: [messages.email.mismatch] })
  })

  it('refuses a password confirmation that differs from the password', async () => {
    await refusedRegistration({ password_confirmation: 'Quatre-Chevaux-Bleus-43!' }, { password_confirmation: [messages.password.mismatch] })
  })

  it.each(['zoe.petit.exemple.fr', 'zoe@', '@exemple.fr', 'zoe petit@exemple.fr', ''])('refuses the malformed email "%s"', async (email) => {
    await refusedRegistration({ email, email_confirmation: email }, { email: [messages.email.invalid] })
  })

  it.each([
    ['an empty given name', 'given_name', '', messages.names.givenNameRequired],
    ['a blank given name', 'given_name', '   ', messages.names.givenNameRequired],
    ['an empty family name', 'family_name', '', messages.names.familyNameRequired],
    ['a blank family name', 'family_name', '  ', messages.names.familyNameRequired],
    ['a given name of 101 characters', 'given_name', 'x'.repeat(101), messages.form.tooLong],
    ['a given name with a line break', 'given_name', 'Zoé\nVisitez https://exemple.test', messages.names.givenNameLetters],
    ['a family name with an address', 'family_name', 'www.arnaque.test', messages.names.familyNameLetters],
    ['a family name with digits', 'family_name', 'Petit 2', messages.names.familyNameLetters],
  ])('refuses %s', async (_label, name, value, message) => {
    await refusedRegistration({ [name]: value }, { [name]: [message] })
  })

  it('reports every wrong field of one submission together', async () => {
    await refusedRegistration(
      { email: 'pas-un-email', given_name: '', family_name: '', password: 'abc', password_confirmation: 'abc' },
      {
        email: [messages.email.invalid],
        password: [ruleMessage('length'), ruleMessage('upper'), ruleMessage('digit'), ruleMessage('special')],
        given_name: [messages.names.givenNameRequired],
        family_name: [messages.names.familyNameRequired],
      },
    )
  })

  it('keeps what was typed in the form, except the passwords', async () => {
    const person = newPerson('Zoe', 'Petit')
    const typed = {
      email: person.email,
      email_confirmation: person.email.toUpperCase(),
      given_name: 'Zoé "<b>" & Cie',
      family_name: "D'Artagnan-Lefèvre",
      password: 'Quatre-Chevaux-Bleus-42!',
      password_confirmation: 'Quatre-Chevaux-Bleus-24!',
    }
    const page = await refusedRegistration(typed, { given_name: [messages.names.givenNameLetters], password_confirmation: [messages.password.mismatch] }, person)
    expect(inputValue(page, 'email')).toBe(typed.email)
    expect(inputValue(page, 'email_confirmation')).toBe(typed.email_confirmation)
    expect(inputValue(page, 'given_name')).toBe(typed.given_name)
    expect(inputValue(page, 'family_name')).toBe(typed.family_name)
    expect(inputValue(page, 'password')).toBe('')
    expect(inputValue(page, 'password_confirmation')).toBe('')
    expect(page.html).not.toContain('Quatre-Chevaux-Bleus')
    expect(page.html).not.toContain('<b>')
  })

  it('answers a tampered form (a field sent twice) with field errors, not a server error', async () => {
    const person = newPerson('Zoe', 'Petit')
    const browser = new Browser()
    const form = await browser.get(`${stack.idp.issuer}/inscription`)
    const body = new URLSearchParams({ ...registrationFields(person), _csrf: form.document.querySelector('input[name="_csrf"]')!.getAttribute('value')! })
    body.append('email', 'deuxieme@exemple.fr')
    const before = await rowCounts(stack.database.knex)
    const page = await browser.post(`${stack.idp.issuer}/inscription`, body)
    expect(page.status).toBe(400)
    expect(allFieldErrors(page)).toEqual({ email: [messages.email.invalid] })
    expect(await rowCounts(stack.database.knex)).toEqual(before)
  })

  it('refuses a form larger than 32 kB with a French page (413) and creates nothing', async () => {
    const person = newPerson('Zoe', 'Petit')
    const before = await rowCounts(stack.database.knex)
    const page = await submitRegistration(person, { family_name: 'x'.repeat(40_000) })
    expect(page.status).toBe(413)
    expect(page.text).toContain('Les données envoyées sont trop volumineuses.')
    expect(await rowCounts(stack.database.knex)).toEqual(before)
  })

  it('answers an email that already has a validated account with the same page, and mails its owner instead', async () => {
    const owner = newPerson('Odile', 'Garnier')
    const ownerBrowser = new Browser()
    const first = await register(ownerBrowser, stack.idp.issuer, owner)
    const validated = await ownerBrowser.get(await validationLink(stack.smtp, owner.email))
    expect(validated.text).toContain(messages.validation.done)
    const [before] = await stack.database.knex('users').where({ email: owner.email })
    const counts = await rowCounts(stack.database.knex)

    const intruder = { ...owner, givenName: 'Mallory', familyName: 'Intrus', password: 'Autre-Mot-De-Passe-99?' }
    const second = await register(new Browser(), stack.idp.issuer, intruder)
    expect(second.status).toBe(first.status)
    expect(second.text).toBe(first.text)
    expect(second.text).toContain('Validation de compte')
    expect(second.text).toContain(`${messages.validation.sent} ${owner.email}.`)

    const notice = await stack.smtp.waitForMail(
      (mail) => mail.subject === 'Votre compte Web Services Entreprise existe déjà' && JSON.stringify(mail.to).includes(owner.email),
    )
    expect(notice.text).toContain('qui possède déjà un compte')
    expect(linkInMail(notice.html, 'Réinitialiser mon mot de passe.')).toBe(`${stack.idp.issuer}/mot-de-passe-oublie`)
    expect(await queuedMails(stack.database.knex, owner.email, 'verify_email')).toBe(1)
    expect(await queuedMails(stack.database.knex, owner.email, 'account_exists')).toBe(1)

    const after = await stack.database.knex('users').whereRaw('lower(email) = lower(?)', [owner.email])
    expect(after).toEqual([before])
    expect((await rowCounts(stack.database.knex)).users).toBe(counts.users)
  })

  it('treats the same email in other letter case as the same account', async () => {
    const owner = newPerson('Paul', 'Roux')
    await registerValidated(new Browser(), stack.idp.issuer, stack.smtp, owner)
    const shouted = { ...owner, email: owner.email.toUpperCase() }
    const page = await register(new Browser(), stack.idp.issuer, shouted)
    expect(page.status).toBe(200)
    expect(page.text).toContain(`${messages.validation.sent} ${owner.email}.`)
    expect(await stack.database.knex('users').whereRaw('lower(email) = lower(?)', [owner.email])).toHaveLength(1)
    expect(await queuedMails(stack.database.knex, owner.email, 'account_exists')).toBe(1)
  })

  it('keeps a squatter’s registration apart: the owner’s own link validates the owner’s password, and removes the squatter’s', async () => {
    const owner = newPerson('Lina', 'Morel')
    const squatter = new Browser()
    const first = await register(squatter, stack.idp.issuer, { ...owner, givenName: 'Squatteur', password: 'Squat-Mot-De-Passe-31!' })
    const squatterLink = await validationLink(stack.smtp, owner.email)
    const after = stack.smtp.mails.length
    const ownerBrowser = new Browser()
    const second = await register(ownerBrowser, stack.idp.issuer, owner)
    expect(second.text).toBe(first.text)
    const ownerLink = await validationLink(stack.smtp, owner.email, after)
    expect(await stack.database.knex('registrations').where({ email: owner.email }).orderBy('created_at')).toMatchObject([
      { given_name: 'Squatteur' },
      { given_name: 'Lina', family_name: 'Morel' },
    ])
    expect(await stack.database.knex('users').where({ email: owner.email })).toEqual([])

    // A mail scanner (or anyone) opening the squatter's link elsewhere validates nothing: a button is shown.
    const scanned = await new Browser().get(squatterLink)
    expect(scanned.status).toBe(200)
    expect(scanned.text).toContain(messages.validation.confirm(owner.email))
    expect(scanned.text).toContain('Demande faite au nom de Squatteur Morel')
    expect(scanned.text).toContain(messages.validation.confirmWarning)
    expect(scanned.document.querySelector(`form[action="${new URL(squatterLink).pathname}"] button`)?.textContent.trim()).toBe('Valider la création de mon compte')
    expect(await stack.database.knex('users').where({ email: owner.email })).toEqual([])

    // The owner's link, in the owner's browser, validates at once, with the owner's password.
    expect((await ownerBrowser.get(ownerLink)).text).toContain('Félicitations, votre compte a bien été validé.')
    expect(await stack.database.knex('users').where({ email: owner.email })).toMatchObject([{ given_name: 'Lina', family_name: 'Morel' }])
    expect(await stack.database.knex('registrations').where({ email: owner.email })).toEqual([])
    const late = await squatter.get(squatterLink)
    expect(late.status).toBe(404)
    expect(await queuedMails(stack.database.knex, owner.email, 'account_exists')).toBe(0)

    const logIn = async (password: string) => {
      const request = await authorizationRequest(await discoverClient(stack.idp.issuer, 'registration-app', CLIENT_SECRET), CLIENT_REDIRECT_URI)
      const browser = new Browser()
      const page = await browser.get(request.url)
      return browser.submit(page, /\/login$/u, { email: owner.email, password }, { stopAt: CLIENT_REDIRECT_URI })
    }
    expect((await logIn('Squat-Mot-De-Passe-31!')).status).toBe(401)
    expect((await logIn(owner.password)).url).toMatch(/[?&]code=/u)
  })

  it('validates from another browser only through the button (POST with the page’s CSRF token)', async () => {
    const person = newPerson('Maelle', 'Rivière')
    await register(new Browser(), stack.idp.issuer, person)
    const link = await validationLink(stack.smtp, person.email)
    const phone = new Browser()
    const page = await phone.get(link)
    const forged = await phone.post(link, new URLSearchParams({ _csrf: 'forged' }))
    expect(forged.status).toBe(403)
    expect(await stack.database.knex('users').where({ email: person.email })).toEqual([])
    const validated = await phone.submit(page, new URL(link).pathname)
    expect(validated.text).toContain('Félicitations, votre compte a bien été validé.')
    expect(await stack.database.knex('users').where({ email: person.email })).toMatchObject([{ given_name: 'Maelle' }])
  })

  it('says in the validation mail what to do when one did not ask for it', async () => {
    const person = newPerson('Noa', 'Simon')
    await register(new Browser(), stack.idp.issuer, person)
    const mail = await stack.smtp.waitForMail((received) => received.subject === 'Validation de création de compte' && JSON.stringify(received.to).includes(person.email))
    expect(mail.text).toContain("Si vous n'êtes pas à l'origine de cette demande, ignorez ce message : sans validation, aucun compte ne sera créé avec votre adresse.")
  })

  it('sends five validation or notice mails a day at most to one address, whoever registers it (429 after)', async () => {
    const owner = newPerson('Nadia', 'Vidal')
    await registerValidated(new Browser(), stack.idp.issuer, stack.smtp, owner)
    for (let attempt = 0; attempt < 4; attempt++) {
      const page = await register(new Browser(), stack.idp.issuer, { ...owner, password: 'Encore-Un-Essai-Bidon-8!' })
      expect(page.text).toContain(`${messages.validation.sent} ${owner.email}.`)
    }
    const refused = await register(new Browser(), stack.idp.issuer, { ...owner, password: 'Encore-Un-Essai-Bidon-8!' })
    expect(refused.status).toBe(429)
    expect(refused.text).toContain(messages.registration.tooManyMails)
    expect(await queuedMails(stack.database.knex, owner.email, 'account_exists')).toBe(4)
  })

  it('refuses a registration posted without the form’s _csrf field (403) and creates nothing', async () => {
    const person = newPerson('Hugo', 'Blanc')
    const browser = new Browser()
    await browser.get(`${stack.idp.issuer}/inscription`)
    const before = await rowCounts(stack.database.knex)
    const page = await browser.post(`${stack.idp.issuer}/inscription`, new URLSearchParams(registrationFields(person)))
    expect(page.status).toBe(403)
    expect(page.text).toContain(messages.form.csrf)
    expect(await rowCounts(stack.database.knex)).toEqual(before)
    expect(await stack.database.knex('users').where({ email: person.email })).toHaveLength(0)
  })

  it('refuses a registration carrying the _csrf of another browser (403) and creates nothing', async () => {
    const person = newPerson('Inès', 'Faure')
    const victim = new Browser()
    await victim.get(`${stack.idp.issuer}/inscription`)
    const attackerForm = await new Browser().get(`${stack.idp.issuer}/inscription`)
    const foreignToken = attackerForm.document.querySelector('input[name="_csrf"]')!.getAttribute('value')!
    const before = await rowCounts(stack.database.knex)
    const page = await victim.post(`${stack.idp.issuer}/inscription`, new URLSearchParams({ ...registrationFields(person), _csrf: foreignToken }))
    expect(page.status).toBe(403)
    expect(page.text).toContain(messages.form.csrf)
    expect(await rowCounts(stack.database.knex)).toEqual(before)
  })
})
