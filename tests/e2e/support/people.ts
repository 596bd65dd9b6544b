import { randomBytes } from 'node:crypto'
import { expect, type Page } from '@playwright/test'
import { expectAccessible } from './accessibility'
import { linkInMail, waitForMail, type Mail } from './mailbox'

/** The demo companies `npm start` imports (shared/demo/entreprises-demo.csv). */
export const companies = {
  A: { siren: '412350001', code: 'ADH-1001', name: 'Boulangerie Martin SARL' },
  B: { siren: '523180008', code: 'ADH-2002', name: 'Librairie des Halles SAS' },
  C: { siren: '637140005', code: 'ADH-3003', name: 'Quincaillerie Dupont & Fils' },
  // tests/e2e/support/entreprises-e2e.csv, imported by global-setup for the scenarios beyond the guide.
  D: { siren: '800000002', code: 'ADH-4004', name: 'Fromagerie Invitée SARL' },
  E: { siren: '800011116', code: 'ADH-5005', name: 'Pharmacie du Rappel SAS' },
  F: { siren: '800022220', code: 'ADH-6006', name: 'Atelier Sans Script' },
  G: { siren: '800033334', code: 'ADH-7007', name: 'Garage des Demandes' },
  H: { siren: '800044448', code: 'ADH-8008', name: 'Cabinet Double Clé' },
} as const

export type Company = (typeof companies)[keyof typeof companies]

export interface Person {
  givenName: string
  familyName: string
  fullName: string
  email: string
  password: string
}

/** Someone new: an address no other run or test uses, a password the idp accepts. */
export function newPerson(givenName: string, familyName: string, domain = 'exemple.fr'): Person {
  const tag = randomBytes(4).toString('hex')
  return {
    givenName,
    familyName,
    fullName: `${givenName} ${familyName}`,
    email: `${givenName}.${familyName}.${tag}@${domain}`.toLowerCase(),
    password: `Kayak#Prune-${tag}-Soleil`,
  }
}

/** Optional axe-core + 375 px check of each page a helper passes through. */
type Audit = boolean

/** From the portal's landing, "Se connecter aux Web Services" leads to the idp's login page. */
export async function openLoginFromLanding(page: Page, audit: Audit = false): Promise<void> {
  await page.goto('/')
  await expect(page.getByRole('heading', { name: "Vous avez déjà un identifiant à l'Opcommerce ?" })).toBeVisible()
  if (audit) await expectAccessible(page, 'Accueil du portail')
  await page.getByRole('link', { name: 'Se connecter aux Web Services' }).click()
  await expect(page.getByRole('heading', { name: 'Connexion' })).toBeVisible()
  if (audit) await expectAccessible(page, 'Connexion')
}

export async function fillRegistration(
  page: Page,
  person: Person,
  overrides: { emailConfirmation?: string; password?: string; passwordConfirmation?: string } = {},
): Promise<void> {
  await page.getByLabel('Email', { exact: true }).fill(person.email)
  await page.getByLabel('Confirmer votre Email').fill(overrides.emailConfirmation ?? person.email)
  await page.getByLabel('Mot de passe', { exact: true }).fill(overrides.password ?? person.password)
  await page.getByLabel('Confirmer le mot de passe').fill(overrides.passwordConfirmation ?? overrides.password ?? person.password)
  await page.getByLabel('Prénom').fill(person.givenName)
  await page.getByLabel('Nom', { exact: true }).fill(person.familyName)
}

/** On the login page: "Créer un compte", the form, "Créer le compte", then "Validation de compte". */
export async function register(page: Page, person: Person, audit: Audit = false): Promise<void> {
  await page.getByRole('link', { name: 'Créer un compte' }).click()
  await expect(page.getByRole('heading', { name: 'Créer un compte' })).toBeVisible()
  if (audit) await expectAccessible(page, 'Créer un compte')
  await fillRegistration(page, person)
  if (audit) {
    // The rules ticked and the strength meter filled while typing (password-helpers.js).
    await expect(page.getByText(/^Robustesse du mot de passe : (bonne|excellente)\.$/)).toBeVisible()
    await expectAccessible(page, 'Créer un compte (formulaire rempli)')
  }
  await page.getByRole('button', { name: 'Créer le compte' }).click()
  await expect(page.getByRole('heading', { name: 'Validation de compte' })).toBeVisible()
  await expect(page.getByText(`Un message de validation a été envoyé sur votre email : ${person.email}.`)).toBeVisible()
  if (audit) await expectAccessible(page, 'Validation de compte (message envoyé)')
}

/** The mail "Validation de création de compte" and its link. */
export async function validationLink(person: Person, seen: Mail[] = []): Promise<string> {
  return linkInMail(await waitForMail(person.email, 'Validation de création de compte', seen), 'Valider la création de mon compte.')
}

/** Opens the validation link of the mail: "Félicitations, votre compte a bien été validé." */
export async function validateAccount(page: Page, person: Person, audit: Audit = false): Promise<void> {
  await page.goto(await validationLink(person))
  await expect(page.getByText('Félicitations, votre compte a bien été validé.')).toBeVisible()
  if (audit) await expectAccessible(page, 'Compte validé')
}

/** On the idp's login page. */
export async function logIn(page: Page, person: Person): Promise<void> {
  await expect(page.getByRole('heading', { name: 'Connexion' })).toBeVisible()
  await page.getByLabel('Email').fill(person.email)
  await page.getByLabel('Mot de passe').fill(person.password)
  await page.getByRole('button', { name: 'Se connecter', exact: true }).click()
}

/** A new person with a validated account, signed in to the portal (on "Ajouter une entreprise"). */
export async function signUpAndLogIn(page: Page, person: Person, audit: Audit = false): Promise<void> {
  await openLoginFromLanding(page, audit)
  await register(page, person, audit)
  await validateAccount(page, person, audit)
  await page.getByRole('link', { name: 'Se connecter' }).click()
  await logIn(page, person)
  await expect(page.getByRole('heading', { name: 'Ajouter une entreprise' })).toBeVisible()
}

/** On "Ajouter une entreprise": Siren, code adhérent, "Ajouter cette entreprise". */
export async function addCompany(page: Page, company: { siren: string; code: string }): Promise<void> {
  await page.getByLabel('Siren').fill(company.siren)
  await page.getByLabel('Code adhérent').fill(company.code)
  await page.getByRole('button', { name: 'Ajouter cette entreprise' }).click()
}

export async function logOutOfPortal(page: Page): Promise<void> {
  await page.getByRole('button', { name: 'Se déconnecter' }).click()
  await expect(page.getByRole('link', { name: 'Se connecter aux Web Services' })).toBeVisible()
}
