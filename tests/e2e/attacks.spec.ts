/** What a person meets when someone else attacks their account or their company (docs/SECURITY.md). */
import { expect, test, type Page } from '@playwright/test'
import { expectAccessible } from './support/accessibility'
import { importCompany } from './support/companies'
import { addCompany, newPerson, openLoginFromLanding, register, signUpAndLogIn, validationLink } from './support/people'
import { urls } from './support/stack'

test('a validation link opened in another browser asks before validating, and says whose request it is', async ({ page, browser }) => {
  const person = newPerson('Lucie', 'Autrenavigateur')
  await openLoginFromLanding(page)
  await register(page, person)
  const link = await validationLink(person)

  // The phone (or a mail scanner) that opens the link: nothing is validated by opening it.
  const phone = await browser.newContext()
  const other = await phone.newPage()
  await other.goto(link)
  await expect(other.getByRole('heading', { name: 'Validation de compte' })).toBeVisible()
  await expect(other.getByText(`Vous êtes sur le point de valider la création du compte Web services de ${person.email}.`)).toBeVisible()
  await expect(other.getByText(`Demande faite au nom de ${person.fullName}`)).toBeVisible()
  await expect(other.getByText("Si vous n'êtes pas à l'origine de cette demande, ne validez pas")).toBeVisible()
  await expectAccessible(other, 'Validation de compte (autre navigateur)')
  await other.screenshot({ path: test.info().outputPath('validation-autre-navigateur.png'), fullPage: true })
  await other.getByRole('button', { name: 'Valider la création de mon compte' }).click()
  await expect(other.getByText('Félicitations, votre compte a bien été validé.')).toBeVisible()
  await phone.close()
})

/** Posts "Ajouter cette entreprise" from the page's own form data, as its script does. */
async function tryCode(page: Page, siren: string, code: string): Promise<number> {
  const csrf = await page.locator('form[aria-label="Ajouter une entreprise"] input[name="_csrf"]').getAttribute('value')
  const response = await page.request.post('/api/entreprises', { form: { _csrf: csrf!, siren, code }, headers: { accept: 'application/json' } })
  return response.status()
}

test('a company whose code adhérent is being guessed holds every request for the Opcommerce, the right one too', async ({ browser }) => {
  test.slow()
  const company = importCompany('Fromagerie Convoitée')
  // Two attackers spend the company's daily budget (10 wrong codes each, their own hourly budget).
  for (const name of ['Malo', 'Mallory']) {
    const context = await browser.newContext()
    const page = await context.newPage()
    await signUpAndLogIn(page, newPerson(name, 'Devineur'))
    const statuses = []
    for (let attempt = 0; attempt < 10; attempt++) statuses.push(await tryCode(page, company.siren, `ADH-${name}-${attempt}`))
    expect(statuses.every((status) => status === 400 || status === 200)).toBe(true)
    await context.close()
  }

  // The company's real accountant, with the right code: held, never refused, and no administrator made.
  const context = await browser.newContext()
  const page = await context.newPage()
  const accountant = newPerson('Claire', 'Comptable')
  await signUpAndLogIn(page, accountant)
  await addCompany(page, company)
  await expect(page.getByText("Votre demande est en attente de vérification par l'Opcommerce")).toBeVisible()
  await page.reload()
  const pending = page.getByRole('region', { name: "Demandes d'accès en attente" })
  await expect(pending.getByText(`Siren ${company.siren}`)).toBeVisible()
  await expect(pending.getByText("En attente de vérification par l'Opcommerce")).toBeVisible()
  await expect(page.getByRole('navigation', { name: 'Menu principal' }).getByRole('link', { name: 'Gérer les utilisateurs' })).toHaveCount(0)
  await expectAccessible(page, 'Ajouter une entreprise (demande en attente de vérification)')
  await page.screenshot({ path: test.info().outputPath('demande-en-attente-de-verification.png'), fullPage: true })
  await context.close()
})

test('every page of the portal, error pages included, carries its security headers', async ({ request }) => {
  for (const path of ['/', '/nulle-part', '/entreprises/ajouter', '/entreprises/412350001']) {
    const response = await request.get(`${urls.portal}${path}`, { maxRedirects: 0 })
    const headers = response.headers()
    expect({ path, csp: headers['content-security-policy'] }).toEqual({ path, csp: expect.stringContaining("frame-ancestors 'none'") })
    expect({ path, frame: headers['x-frame-options'] }).toEqual({ path, frame: 'DENY' })
    expect({ path, nosniff: headers['x-content-type-options'] }).toEqual({ path, nosniff: 'nosniff' })
    expect({ path, referrer: headers['referrer-policy'] }).toEqual({ path, referrer: 'same-origin' })
  }
})
