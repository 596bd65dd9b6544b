/**
 * Section 1 and 2 of the guide with the keyboard alone: Tab, Shift+Tab, Enter and typing, no
 * click. Opening the link of the validation mail is the mail reader's business: that one step
 * is a navigation to the link's address.
 */
import { expect, test, type Locator, type Page } from '@playwright/test'
import { companies, newPerson, validationLink } from './support/people'
import { urls } from './support/stack'

const MAX_TABS = 40

/**
 * Tabs forwards (or backwards) until `target` has the focus, as a keyboard user does, and checks
 * that the focus can be seen there (the theme's focus outline).
 */
async function tabTo(page: Page, target: Locator, { backwards = false } = {}): Promise<void> {
  for (let presses = 0; presses < MAX_TABS && !(await hasFocus(target)); presses++) {
    await page.keyboard.press(backwards ? 'Shift+Tab' : 'Tab')
  }
  await expect(target, `reachable with ${backwards ? 'Shift+Tab' : 'Tab'}`).toBeFocused({ timeout: 1 })
  await expect(target, 'focus visible').toHaveCSS('outline-style', 'solid')
}

const hasFocus = (target: Locator) => target.evaluate((element) => element === document.activeElement)

async function tabAndType(page: Page, field: Locator, text: string): Promise<void> {
  await tabTo(page, field)
  await page.keyboard.type(text)
}

test('scenario 1 with the keyboard alone', async ({ page }) => {
  const person = newPerson('Hugo', 'Lambert')
  const company = companies.B

  await page.goto('/')
  await tabTo(page, page.getByRole('link', { name: 'Se connecter aux Web Services' }))
  await page.keyboard.press('Enter')
  await expect(page.getByRole('heading', { name: 'Connexion' })).toBeVisible()
  // The cursor starts in the email field; "Créer un compte" is further down the page.
  await expect(page.getByLabel('Email')).toBeFocused()
  await tabTo(page, page.getByRole('link', { name: 'Créer un compte' }))
  await page.keyboard.press('Enter')

  await expect(page.getByRole('heading', { name: 'Créer un compte' })).toBeVisible()
  await tabAndType(page, page.getByLabel('Email', { exact: true }), person.email)
  await tabAndType(page, page.getByLabel('Confirmer votre Email'), person.email)
  await tabAndType(page, page.getByLabel('Mot de passe', { exact: true }), person.password)
  await tabAndType(page, page.getByLabel('Confirmer le mot de passe'), person.password)
  await tabAndType(page, page.getByLabel('Prénom'), person.givenName)
  await tabAndType(page, page.getByLabel('Nom', { exact: true }), person.familyName)
  // Back up to check the first field with Shift+Tab, then on to the button.
  await tabTo(page, page.getByLabel('Email', { exact: true }), { backwards: true })
  await expect(page.getByLabel('Email', { exact: true })).toHaveValue(person.email)
  await tabTo(page, page.getByRole('button', { name: 'Créer le compte' }))
  await page.keyboard.press('Enter')
  await expect(page.getByRole('heading', { name: 'Validation de compte' })).toBeVisible()

  await page.goto(await validationLink(person))
  await expect(page.getByText('Félicitations, votre compte a bien été validé.')).toBeVisible()
  await tabTo(page, page.getByRole('link', { name: 'Se connecter' }))
  await page.keyboard.press('Enter')

  await expect(page.getByRole('heading', { name: 'Connexion' })).toBeVisible()
  await tabAndType(page, page.getByLabel('Email'), person.email)
  await tabAndType(page, page.getByLabel('Mot de passe'), person.password)
  await page.keyboard.press('Enter')

  await expect(page.getByRole('heading', { name: 'Ajouter une entreprise' })).toBeVisible()
  await tabAndType(page, page.getByLabel('Siren'), company.siren)
  await tabAndType(page, page.getByLabel('Code adhérent'), company.code)
  await tabTo(page, page.getByRole('button', { name: 'Ajouter cette entreprise' }))
  await page.keyboard.press('Enter')
  await expect(page.getByText('Votre compte est activé. Vous allez être redirigé.')).toBeVisible()
  await expect(page.getByText('Vous pouvez accéder au portail !')).toBeVisible()
  await expect(page).toHaveURL(`${urls.portal}/entreprises/${company.siren}`)

  // The company home's menu works from the keyboard too.
  await tabTo(page, page.getByRole('navigation', { name: 'Menu principal' }).getByRole('link', { name: 'Gérer les utilisateurs' }))
  await page.keyboard.press('Enter')
  await expect(page.getByRole('heading', { name: 'Gérer les utilisateurs', level: 1 })).toBeVisible()
})
