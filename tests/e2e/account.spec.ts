/**
 * « Mon compte »: a person reaches it from the portal's header, changes their names, password and
 * address, sees and ends their sessions, downloads their data and closes their account. Every
 * page and every mail goes through axe-core at 1280 and 375 px. The steps build on each other:
 * the file runs in order, in one worker.
 */
import { readFileSync } from 'node:fs'
import { expect, test, type BrowserContext, type Page } from '@playwright/test'
import { expectAccessible } from './support/accessibility'
import { linkInMail, mailsTo, waitForMail, type Mail } from './support/mailbox'
import { logIn, newPerson, signUpAndLogIn } from './support/people'
import { urls } from './support/stack'

test.describe.configure({ mode: 'serial' })

const nina = newPerson('Nina', 'Perrin')
const newEmail = newPerson('Nina', 'Nouvelle').email
let context: BrowserContext
let page: Page

/** A mail, shown as a mail reader would show its HTML part, has no axe-core violation. */
async function expectMailAccessible(mail: Mail): Promise<void> {
  const reader = await context.newPage()
  try {
    await reader.setContent(mail.html)
    await expectAccessible(reader, `mail « ${mail.subject} »`)
  } finally {
    await reader.close()
  }
}

test.beforeAll(async ({ browser }) => {
  context = await browser.newContext()
  page = await context.newPage()
})

test.afterAll(async () => {
  await context?.close()
})

test('« Mon compte » opens from the portal\'s header without a password', async () => {
  await signUpAndLogIn(page, nina)
  await page.getByRole('link', { name: 'Mon compte' }).click()
  await expect(page).toHaveURL(`${urls.idp}/compte`)
  await expect(page.getByRole('heading', { name: 'Mon compte', level: 1 })).toBeVisible()
  await expect(page.getByText(`${nina.fullName} · ${nina.email}`)).toBeVisible()
  await expectAccessible(page, 'Mon compte')
})

test('Mes données: a JSON file of the account, right after the login (a recent one is required)', async () => {
  await page.goto(`${urls.idp}/compte/donnees`)
  await expectAccessible(page, 'Mes données')
  const downloading = page.waitForEvent('download')
  await page.getByRole('link', { name: 'Télécharger mes données' }).click()
  const download = await downloading
  expect(download.suggestedFilename()).toBe('mes-donnees-web-services-entreprise.json')
  const data = JSON.parse(readFileSync(await download.path(), 'utf8')) as { account: { email: string; givenName: string } }
  expect(data.account).toMatchObject({ email: nina.email, givenName: 'Nina' })
})

test('Identité: the names change, with registration\'s rules', async () => {
  await page.getByRole('link', { name: 'Mon compte' }).click()
  await page.getByRole('link', { name: 'Identité' }).click()
  await expectAccessible(page, 'Identité')
  await page.getByLabel('Prénom').fill('')
  await page.getByRole('button', { name: 'Enregistrer' }).click()
  await expect(page.getByLabel('Prénom')).toHaveAccessibleDescription('Veuillez renseigner votre prénom.')
  await expectAccessible(page, 'Identité (erreur)')
  await page.getByLabel('Prénom').fill('Nina-Rose')
  await page.getByRole('button', { name: 'Enregistrer' }).click()
  await expect(page.getByText('Votre prénom et votre nom ont été enregistrés.')).toBeVisible()
})

test('Mot de passe: the current one, then a new one with the checklist and the meter; a notice is mailed', async () => {
  await page.goto(`${urls.idp}/compte/mot-de-passe`)
  await expectAccessible(page, 'Mot de passe')
  await page.getByLabel('Mot de passe actuel').fill('pas-le-bon')
  const newPassword = `${nina.password}-2`
  await page.getByLabel('Nouveau mot de passe', { exact: true }).fill(newPassword)
  await expect(page.getByText(/^Robustesse du mot de passe : (bonne|excellente)\.$/)).toBeVisible()
  await page.getByLabel('Confirmer le nouveau mot de passe').fill(newPassword)
  await page.getByRole('button', { name: 'Changer le mot de passe' }).click()
  await expect(page.getByLabel('Mot de passe actuel')).toHaveAccessibleDescription('Le mot de passe saisi est incorrect.')
  await expectAccessible(page, 'Mot de passe (erreur)')

  const inbox = await mailsTo(nina.email)
  await page.getByLabel('Mot de passe actuel').fill(nina.password)
  await page.getByLabel('Nouveau mot de passe', { exact: true }).fill(newPassword)
  await page.getByLabel('Confirmer le nouveau mot de passe').fill(newPassword)
  await page.getByRole('button', { name: 'Changer le mot de passe' }).click()
  await expect(page.getByText('Votre mot de passe a été modifié. Vos autres sessions ont été fermées.')).toBeVisible()
  nina.password = newPassword
  await expectMailAccessible(await waitForMail(nina.email, 'Votre mot de passe a été modifié', inbox))
})

test('Adresse email: a validation link to the new address, a notice to the old one', async () => {
  await page.goto(`${urls.idp}/compte/adresse-email`)
  await expectAccessible(page, 'Adresse email')
  const inbox = await mailsTo(nina.email)
  await page.getByLabel('Nouvelle adresse email').fill(newEmail)
  await page.getByLabel('Mot de passe actuel').fill(nina.password)
  await page.getByRole('button', { name: 'Recevoir le lien de validation' }).click()
  await expect(page.getByText(`Un lien de validation a été envoyé à ${newEmail}.`, { exact: false })).toBeVisible()
  await expectAccessible(page, 'Adresse email (lien envoyé)')

  const notice = await waitForMail(nina.email, 'Changement de l’adresse email de votre compte', inbox)
  await expectMailAccessible(notice)
  const validation = await waitForMail(newEmail, 'Validation de votre nouvelle adresse email')
  await expectMailAccessible(validation)
  await page.goto(linkInMail(validation, 'Valider ma nouvelle adresse email.'))
  await expectAccessible(page, 'Valider ma nouvelle adresse email')
  await page.getByRole('button', { name: 'Valider ma nouvelle adresse' }).click()
  await expect(page.getByText(`Votre adresse email est maintenant ${newEmail}.`, { exact: false })).toBeVisible()
  await expectAccessible(page, 'Adresse email validée')
  nina.email = newEmail
})

test('Sessions: this browser and another one, which is ended from here', async ({ browser }) => {
  const otherContext = await browser.newContext()
  try {
    const other = await otherContext.newPage()
    await other.goto(`${urls.idp}/compte`)
    await logIn(other, nina)
    await expect(other.getByRole('heading', { name: 'Mon compte', level: 1 })).toBeVisible()

    await page.goto(`${urls.idp}/compte/sessions`)
    const sessions = page.getByRole('list', { name: 'Sessions ouvertes' }).getByRole('listitem')
    await expect(sessions).toHaveCount(2)
    await expect(sessions.filter({ has: page.getByText('Cette session', { exact: true }) })).toHaveCount(1)
    await expectAccessible(page, 'Sessions')

    await page.getByRole('button', { name: 'Déconnecter cette session' }).click()
    await expect(page.getByText('La session a été déconnectée.')).toBeVisible()
    await expect(sessions).toHaveCount(1)
    await other.goto(`${urls.idp}/compte`)
    await expect(other.getByRole('heading', { name: 'Connexion' })).toBeVisible()
  } finally {
    await otherContext.close()
  }
})

test('Fermer mon compte: with the password; a last mail confirms it', async () => {
  await page.goto(`${urls.idp}/compte/fermer`)
  await expectAccessible(page, 'Fermer mon compte')
  // With the keyboard: the password field, then the button.
  await page.getByLabel('Mot de passe actuel').focus()
  await page.keyboard.type(nina.password)
  await page.keyboard.press('Tab')
  await expect(page.getByRole('button', { name: 'Fermer définitivement mon compte' })).toBeFocused()
  await page.keyboard.press('Enter')
  await expect(page.getByRole('heading', { name: 'Compte fermé' })).toBeVisible()
  await expectAccessible(page, 'Compte fermé')
  await expectMailAccessible(await waitForMail(newEmail, 'Votre compte Web Services Entreprise a été fermé'))

  await page.goto(`${urls.idp}/compte`)
  await logIn(page, nina)
  await expect(page.getByText('Email ou mot de passe incorrect.')).toBeVisible()
})
