/**
 * Sections 1 to 3 of the user guide, as two people live them: Alice opens the company's access,
 * Bob asks to join, Alice lets him in, Bob uses a tool through single sign-on, then logs out.
 * Each step builds on the previous one: the file runs in order, in one worker.
 */
import { expect, test, type BrowserContext, type Page } from '@playwright/test'
import { expectAccessible } from './support/accessibility'
import { linkInMail, mailsTo, waitForMail } from './support/mailbox'
import {
  addCompany,
  companies,
  logIn,
  logOutOfPortal,
  newPerson,
  openLoginFromLanding,
  register,
  signUpAndLogIn,
  validateAccount,
} from './support/people'
import { urls } from './support/stack'

test.describe.configure({ mode: 'serial' })

const company = companies.A
const alice = newPerson('Alice', 'Martin')
const bob = newPerson('Bob', 'Durand')

let aliceContext: BrowserContext
let bobContext: BrowserContext
let alicePage: Page
let bobPage: Page
/** The address of the demo tool's tile, kept for the logout step. */
let demoToolHref: string

test.beforeAll(async ({ browser }) => {
  aliceContext = await browser.newContext()
  bobContext = await browser.newContext()
  alicePage = await aliceContext.newPage()
  bobPage = await bobContext.newPage()
})

test.afterAll(async () => {
  await aliceContext?.close()
  await bobContext?.close()
})

test('1a. Alice creates her account and validates it from the mail', async () => {
  const page = alicePage
  await openLoginFromLanding(page, true)
  await register(page, alice, true)
  await validateAccount(page, alice, true)
})

test('1b. Alice logs in, adds her company and becomes its administrator', async () => {
  const page = alicePage
  await page.getByRole('link', { name: 'Se connecter' }).click()
  await logIn(page, alice)
  await expect(page.getByRole('heading', { name: 'Ajouter une entreprise' })).toBeVisible()
  await expect(page.getByText("Vous n'avez pas encore d'accès activé à une entreprise.")).toBeVisible()
  await expectAccessible(page, 'Ajouter une entreprise')

  await addCompany(page, company)
  await expect(page.getByText('Votre compte est activé. Vous allez être redirigé.')).toBeVisible()
  await expect(page.getByText('Vous pouvez accéder au portail !')).toBeVisible()
  await expect(page).toHaveURL(`${urls.portal}/entreprises/${company.siren}`)
  await expect(page.getByRole('heading', { name: company.name, level: 1 })).toBeVisible()
  await expect(page.getByText('Administrateur', { exact: true })).toBeVisible()
  await expectAccessible(page, "Accueil de l'entreprise (administrateur)")
})

test('2a. Bob asks to join the company and reminds its administrator once', async () => {
  const page = bobPage
  await signUpAndLogIn(page, bob)
  const aliceInbox = await mailsTo(alice.email)

  await addCompany(page, company)
  await expect(page.getByText("Une demande d'accès a été envoyée à/aux l'administrateur(s) de cette entreprise.")).toBeVisible()
  const request = await waitForMail(alice.email, `Demande d'accès à ${company.name}`, aliceInbox)
  expect(request.html).toContain(bob.email)
  expect(linkInMail(request, 'Gérer les utilisateurs')).toBe(`${urls.portal}/entreprises/${company.siren}/utilisateurs`)

  const pending = page.getByRole('region', { name: "Demandes d'accès en attente" })
  await expect(pending.getByText(company.name)).toBeVisible()
  await expect(pending.getByText('En attente', { exact: true })).toBeVisible()
  await expectAccessible(page, "Ajouter une entreprise (demande d'accès envoyée)")

  const remind = pending.getByRole('button', { name: 'Relancer ma demande' })
  await remind.click()
  await expect(pending.getByText("Votre demande a été relancée : le ou les administrateurs de l'entreprise ont reçu un nouvel email.")).toBeVisible()
  await waitForMail(alice.email, /^Relance/, [...aliceInbox, request])

  await remind.click()
  await expect(pending.getByText(/^Vous avez déjà relancé cette demande/)).toBeVisible()
  await expectAccessible(page, 'Ajouter une entreprise (relance refusée)')
  expect((await mailsTo(alice.email)).filter((mail) => mail.subject.startsWith('Relance'))).toHaveLength(1)
})

test('2b. Bob logs out, logs in again and finds his request waiting', async () => {
  const page = bobPage
  // The logout pages as a browser without JavaScript shows them, each checked, then confirmed:
  // the portal's, whose button posts the ID token on to the idp, then the idp's confirmation.
  await page.route('**/assets/auto-submit.js', (route) => route.abort())
  await page.getByRole('button', { name: 'Se déconnecter' }).click()
  await expect(page.getByText('Déconnexion de votre espace Web Services Entreprise en cours…')).toBeVisible()
  expect(page.url()).toBe(`${urls.portal}/auth/logout`)
  await expectAccessible(page, 'Se déconnecter (portail)')
  await page.getByRole('button', { name: 'Se déconnecter' }).click()
  await expect(page.getByRole('button', { name: 'Rester connecté' })).toBeVisible()
  await expectAccessible(page, 'Se déconnecter (confirmation)')
  await page.getByRole('button', { name: 'Se déconnecter' }).click()
  await expect(page.getByRole('link', { name: 'Se connecter aux Web Services' })).toBeVisible()
  await page.unroute('**/assets/auto-submit.js')

  await page.getByRole('link', { name: 'Se connecter aux Web Services' }).click()
  await logIn(page, bob)
  await expect(page.getByRole('heading', { name: 'Ajouter une entreprise' })).toBeVisible()
  await expect(page.getByRole('region', { name: "Demandes d'accès en attente" }).getByText(company.name)).toBeVisible()
  await expect(page.getByRole('button', { name: 'Relancer ma demande' })).toBeVisible()
})

test("3. Alice authorizes Bob's access in « Gérer les utilisateurs », and Bob reaches the company home", async () => {
  const page = alicePage
  const bobInbox = await mailsTo(bob.email)
  await page.reload()
  await page.getByRole('navigation', { name: 'Menu principal' }).getByRole('link', { name: 'Gérer les utilisateurs' }).click()
  await expect(page.getByRole('heading', { name: 'Gérer les utilisateurs', level: 1 })).toBeVisible()
  const requests = page.getByRole('region', { name: "Demandes d'accès en attente" })
  await expect(requests.getByText(bob.fullName)).toBeVisible()
  await expectAccessible(page, 'Gérer les utilisateurs')

  await requests.getByRole('form', { name: `Autoriser l'accès de ${bob.fullName}` }).getByRole('button', { name: "Autoriser l'accès" }).click()
  await expect(page.getByText(`L'accès de ${bob.fullName} est autorisé.`)).toBeVisible()
  await expect(requests.getByText('Aucune demande en attente.')).toBeVisible()
  await expect(page.getByRole('table', { name: `Utilisateurs de ${company.name}` }).getByRole('row', { name: new RegExp(bob.email) })).toBeVisible()
  await expectAccessible(page, 'Gérer les utilisateurs (accès autorisé)')

  const approved = await waitForMail(bob.email, `Votre accès à ${company.name} est activé`, bobInbox)
  await bobPage.goto(linkInMail(approved, 'Accéder au portail'))
  await expect(bobPage.getByText('Vous pouvez accéder au portail !')).toBeVisible()
  await expect(bobPage).toHaveURL(`${urls.portal}/entreprises/${company.siren}`)
  await expect(bobPage.getByText('Utilisateur', { exact: true })).toBeVisible()
  await expectAccessible(bobPage, "Accueil de l'entreprise (utilisateur)")

  // Bob is a user, not an administrator: no "Gérer les utilisateurs", even by its address.
  await expect(bobPage.getByRole('link', { name: 'Gérer les utilisateurs' })).toHaveCount(0)
  const manage = await bobPage.goto(`/entreprises/${company.siren}/utilisateurs`)
  expect(manage?.status()).toBe(403)
  await expect(bobPage.getByRole('heading', { name: 'Accès refusé' })).toBeVisible()
  await expect(bobPage.getByText(alice.email)).toHaveCount(0)
  await expectAccessible(bobPage, 'Accès refusé')
  // « Vous pouvez accéder au portail ! » greets an activation once, not every visit.
  await bobPage.goto(`/entreprises/${company.siren}`)
  await expect(bobPage.getByText(`Bienvenue ${bob.givenName}, vous êtes connecté au Web Services Entreprise de ${company.name}.`)).toBeVisible()
  await expect(bobPage.getByText('Vous pouvez accéder au portail !')).toHaveCount(0)
})

test('4. Bob opens the demo tool from « Liste des outils de l\'Opcommerce » without typing his password', async () => {
  const page = bobPage
  await page.getByRole('navigation', { name: 'Menu principal' }).getByRole('link', { name: "Liste des outils de l'Opcommerce" }).click()
  await expect(page.getByRole('heading', { name: "Liste des outils de l'Opcommerce", level: 1 })).toBeVisible()
  await expectAccessible(page, "Liste des outils de l'Opcommerce")

  const tile = page.getByRole('link', { name: /Outil de démonstration/ })
  demoToolHref = (await tile.getAttribute('href'))!
  const visited: string[] = []
  page.on('framenavigated', (frame) => visited.push(frame.url()))
  await tile.click()

  await expect(page).toHaveURL(`${urls.demoTool}/`)
  await expect(page.getByText(`Connecté en tant que ${bob.fullName} (${bob.email}), sans nouvelle saisie de mot de passe.`)).toBeVisible()
  const claim = page.getByRole('table', { name: 'Entreprises' })
  await expect(claim.getByRole('row', { name: `${company.siren} ${company.name} Utilisateur` })).toBeVisible()
  expect(visited.filter((url) => url.startsWith(`${urls.idp}/interaction/`)), 'no login page on the way').toEqual([])
  await expectAccessible(page, 'Outil de démonstration (connecté)')
})

test("5. « Se déconnecter » ends the single sign-on session: the demo tool ends its own, and asks for the password again", async () => {
  const page = bobPage
  await page.goto('/outils')
  await expect(page.getByRole('heading', { name: "Liste des outils de l'Opcommerce", level: 1 })).toBeVisible()
  await logOutOfPortal(page)
  await expect(page.getByRole('heading', { name: "Vous avez déjà un identifiant à l'Opcommerce ?" })).toBeVisible()

  // The idp told the demo tool (back-channel logout): its page shows nobody signed in.
  await expect(async () => {
    await page.goto(`${urls.demoTool}/`)
    await expect(page.getByText("Vous n'êtes pas connecté à cet outil.")).toBeVisible({ timeout: 1_000 })
  }).toPass({ timeout: 15_000 })

  await page.goto(demoToolHref)
  await expect(page.getByRole('heading', { name: 'Connexion' })).toBeVisible()
  await expect(page.getByText('Identifiez-vous pour accéder à Outil de démonstration.')).toBeVisible()
  await expect(page.getByLabel('Mot de passe')).toBeVisible()
  await expectAccessible(page, "Connexion (pour l'outil de démonstration)")

  // The portal too: its pages ask to log in again.
  await page.goto('/outils')
  await expect(page.getByLabel('Mot de passe')).toBeVisible()
})
