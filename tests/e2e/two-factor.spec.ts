/**
 * Two-factor authentication as a person lives it: Hélène adds a passkey (Chromium's virtual
 * authenticator, through the DevTools protocol's WebAuthn domain) and an authenticator app (codes
 * computed here with otplib) in « Mon compte », requires two factors of her company's members,
 * then logs in with the app's code after her password, and with her passkey alone.
 */
import { expect, test, type BrowserContext, type Page } from '@playwright/test'
import { generate } from 'otplib'
import { expectAccessible } from './support/accessibility'
import { addCompany, companies, logIn, logOutOfPortal, newPerson, signUpAndLogIn } from './support/people'
import { urls } from './support/stack'

test.describe.configure({ mode: 'serial' })

const company = companies.H
const helene = newPerson('Helene', 'Lefort')
const STEP = 30_000 // milliseconds: one TOTP time step

let context: BrowserContext
let page: Page
let secret: string

test.beforeAll(async ({ browser }) => {
  context = await browser.newContext()
  page = await context.newPage()
  // A platform authenticator that verifies the user (as Touch ID or Windows Hello would).
  const cdp = await context.newCDPSession(page)
  await cdp.send('WebAuthn.enable')
  await cdp.send('WebAuthn.addVirtualAuthenticator', {
    options: { protocol: 'ctap2', transport: 'internal', hasResidentKey: true, hasUserVerification: true, isUserVerified: true, automaticPresenceSimulation: true },
  })
})

test.afterAll(async () => {
  await context?.close()
})

const codeAt = (at: number) => generate({ secret, epoch: Math.floor(at / 1000) })

test('1. Hélène opens her company, then « Double authentification » in Mon compte', async () => {
  await signUpAndLogIn(page, helene)
  await addCompany(page, company)
  await expect(page.getByRole('heading', { name: company.name, level: 1 })).toBeVisible()
  await page.goto(`${urls.idp}/compte`)
  await page.getByRole('link', { name: 'Double authentification' }).click()
  await expect(page.getByRole('heading', { name: 'Double authentification', level: 1 })).toBeVisible()
  await expect(page.getByText("Aucune clé d'accès.")).toBeVisible()
  await expectAccessible(page, 'Double authentification (rien de configuré)')
})

test('2. She adds a passkey, names it, and notes her ten recovery codes', async () => {
  await page.getByLabel('Nom de la clé').fill('Ordinateur du bureau')
  await page.getByRole('button', { name: "Ajouter une clé d'accès" }).click()
  await expect(page.getByRole('heading', { name: 'Vos codes de récupération' })).toBeVisible()
  await expect(page.locator('[data-recovery-codes] code')).toHaveCount(10)
  await expectAccessible(page, 'Codes de récupération')
  await page.getByRole('link', { name: "J'ai noté mes codes" }).click()
  await expect(page.locator('[data-passkeys] strong')).toHaveText(['Ordinateur du bureau'])
  await expect(page.getByText('Il vous reste 10 codes de récupération.')).toBeVisible()
})

test('3. She configures an authenticator app with the secret shown as text and a first code', async () => {
  await page.getByRole('link', { name: "Configurer une application d'authentification" }).click()
  await expect(page.locator('.qr-code svg')).toBeVisible()
  await expectAccessible(page, "Configurer une application d'authentification")
  secret = (await page.locator('[data-secret]').innerText()).replace(/\s/gu, '')
  // The previous step's code: the login below, with the current one, cannot be a replay of it.
  await page.getByLabel('Code à 6 chiffres').fill(await codeAt(Date.now() - STEP))
  await page.getByRole('button', { name: 'Activer' }).click()
  await expect(page.getByText('La double authentification est activée.')).toBeVisible()
  await page.getByRole('link', { name: "J'ai noté mes codes" }).click()
  await expect(page.getByRole('region', { name: "Application d'authentification" }).getByText('Activée.')).toBeVisible()
  await expectAccessible(page, 'Double authentification (clé et application)')
})

test('4. As administrator, she requires two factors of the company’s members', async () => {
  await page.goto(`${urls.portal}/entreprises/${company.siren}/utilisateurs`)
  await page.getByRole('button', { name: 'Exiger la double authentification' }).click()
  await expect(page.getByText(`La double authentification est désormais demandée aux membres de ${company.name}.`)).toBeVisible()
  await expect(page.getByText('Exigée pour les membres de l’entreprise.')).toBeVisible()
  await expectAccessible(page, 'Gérer les utilisateurs (double authentification exigée)')
})

test('5. Next login: her password, then the code of her app', async () => {
  await logOutOfPortal(page)
  await page.getByRole('link', { name: 'Se connecter aux Web Services' }).click()
  await logIn(page, helene)
  await expect(page.getByRole('heading', { name: 'Double authentification' })).toBeVisible()
  await expectAccessible(page, 'Double authentification (connexion)')
  await page.getByLabel('Code à 6 chiffres').fill(await codeAt(Date.now()))
  await page.getByRole('button', { name: 'Vérifier' }).click()
  await expect(page.getByRole('heading', { name: company.name, level: 1 })).toBeVisible()
})

test('6. And with her passkey alone: « Se connecter avec une clé d’accès »', async () => {
  await logOutOfPortal(page)
  await page.getByRole('link', { name: 'Se connecter aux Web Services' }).click()
  await expect(page.getByRole('heading', { name: 'Connexion' })).toBeVisible()
  await page.getByRole('button', { name: "Se connecter avec une clé d'accès" }).click()
  await expect(page.getByRole('heading', { name: company.name, level: 1 })).toBeVisible()
})

test('7. After her password, her passkey serves as the second factor', async () => {
  await logOutOfPortal(page)
  await page.getByRole('link', { name: 'Se connecter aux Web Services' }).click()
  await logIn(page, helene)
  await expect(page.getByRole('heading', { name: 'Double authentification' })).toBeVisible()
  await page.getByRole('button', { name: "Utiliser ma clé d'accès" }).click()
  await expect(page.getByRole('heading', { name: company.name, level: 1 })).toBeVisible()
})
