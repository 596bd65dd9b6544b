/** What a person sees when they get something wrong on the way (section 1 and 2 of the guide). */
import { expect, test } from '@playwright/test'
import { expectAccessible } from './support/accessibility'
import { mailsTo, waitForMail } from './support/mailbox'
import {
  addCompany,
  companies,
  fillRegistration,
  logIn,
  newPerson,
  openLoginFromLanding,
  register,
  signUpAndLogIn,
  validationLink,
} from './support/people'

test('a password that breaks the rules is refused with each rule it misses', async ({ page }) => {
  const person = newPerson('Chloe', 'Petit')
  await openLoginFromLanding(page)
  await page.getByRole('link', { name: 'Créer un compte' }).click()
  await fillRegistration(page, person, { password: 'motdepasse' })
  await page.getByRole('button', { name: 'Créer le compte' }).click()

  await expect(page.getByRole('alert')).toHaveText('Le formulaire contient des erreurs : corrigez les champs signalés.')
  const password = page.getByLabel('Mot de passe', { exact: true })
  await expect(password).toHaveAttribute('aria-invalid', 'true')
  for (const rule of [
    'Le mot de passe doit contenir au moins une lettre majuscule.',
    'Le mot de passe doit contenir au moins un chiffre.',
    'Le mot de passe doit contenir au moins un caractère spécial parmi',
  ]) {
    // Listed under the field, and read with it by screen readers (aria-describedby).
    await expect(page.getByRole('listitem').filter({ hasText: rule })).toBeVisible()
    await expect(password).toHaveAccessibleDescription(new RegExp(rule.replace(/[.()]/gu, '\\$&')))
  }
  await expect(page.getByText('Le mot de passe doit contenir au moins 8 caractères.')).toHaveCount(0)
  // What was typed is kept, the password is not.
  await expect(page.getByLabel('Email', { exact: true })).toHaveValue(person.email)
  await expect(password).toHaveValue('')
  await expectAccessible(page, 'Créer un compte (mot de passe refusé)')
  expect(await mailsTo(person.email)).toEqual([])
})

test('an email confirmation that differs is refused', async ({ page }) => {
  const person = newPerson('David', 'Moreau')
  await openLoginFromLanding(page)
  await page.getByRole('link', { name: 'Créer un compte' }).click()
  await fillRegistration(page, person, { emailConfirmation: `autre.${person.email}` })
  await page.getByRole('button', { name: 'Créer le compte' }).click()

  await expect(page.getByText('Les deux adresses email ne correspondent pas.')).toBeVisible()
  await expect(page.getByLabel('Confirmer votre Email')).toHaveAccessibleDescription('Les deux adresses email ne correspondent pas.')
  await expect(page.getByRole('heading', { name: 'Créer un compte' })).toBeVisible()
  await expectAccessible(page, 'Créer un compte (emails différents)')
  expect(await mailsTo(person.email)).toEqual([])
})

test('a wrong code adhérent is refused without saying which of the two was wrong', async ({ page }) => {
  const person = newPerson('Emma', 'Lefebvre')
  await signUpAndLogIn(page, person)
  await addCompany(page, { siren: companies.C.siren, code: 'ADH-9999' })

  await expect(page.getByRole('form', { name: 'Ajouter une entreprise' }).getByRole('alert')).toContainText('Siren ou code adhérent incorrect')
  await expect(page.getByRole('heading', { name: 'Ajouter une entreprise' })).toBeVisible()
  await expect(page.getByRole('region', { name: "Demandes d'accès en attente" }).getByText('Aucune demande en attente.')).toBeVisible()
  await expectAccessible(page, 'Ajouter une entreprise (code adhérent incorrect)')

  // Nor can its home be opened by address: the portal does not even admit it exists.
  const home = await page.goto(`/entreprises/${companies.C.siren}`)
  expect(home?.status()).toBe(404)
  await expect(page.getByRole('heading', { name: 'Page introuvable' })).toBeVisible()
  await expect(page.getByText(companies.C.name)).toHaveCount(0)
  await expectAccessible(page, 'Page introuvable')
})

test('a validation link works once: opened again it answers 410 « déjà été utilisé »', async ({ page }) => {
  const person = newPerson('Farid', 'Benali')
  await openLoginFromLanding(page)
  await register(page, person)
  const link = await validationLink(person)

  await page.goto(link)
  await expect(page.getByText('Félicitations, votre compte a bien été validé.')).toBeVisible()

  const again = await page.goto(link)
  expect(again?.status()).toBe(410)
  await expect(page.getByRole('alert')).toContainText('déjà été utilisé')
  await expect(page.getByText('Félicitations')).toHaveCount(0)
  await expectAccessible(page, 'Validation de compte (lien déjà utilisé)')
})

test('logging in before validating offers « Renvoyer à nouveau l\'email », which sends a new link that works', async ({ page }) => {
  const person = newPerson('Gaelle', 'Roux')
  await openLoginFromLanding(page)
  await register(page, person)
  const firstMail = await waitForMail(person.email, 'Validation de création de compte')

  await openLoginFromLanding(page)
  await logIn(page, person)
  await expect(page.getByText("Votre compte n'est pas encore validé : cliquez sur le lien d'activation reçu par email.")).toBeVisible()
  await expectAccessible(page, 'Connexion (compte non validé)')

  await page.getByRole('button', { name: "Renvoyer à nouveau l'email" }).click()
  await expect(page.getByRole('heading', { name: 'Validation de compte' })).toBeVisible()
  await expect(page.getByText('Un nouvel email de validation vient de vous être envoyé.')).toBeVisible()
  await expectAccessible(page, 'Validation de compte (email renvoyé)')
  await page.goto(await validationLink(person, [firstMail]))
  await expect(page.getByText('Félicitations, votre compte a bien été validé.')).toBeVisible()
})
