/**
 * What administrators need beyond the guide: inviting a colleague by email (who creates their
 * account from the invitation and lands in the company), the company's trusted email domains,
 * and the mails a member receives when their role changes or their access is removed.
 */
import { randomBytes } from 'node:crypto'
import { expect, test, type BrowserContext, type Page } from '@playwright/test'
import { expectAccessible } from './support/accessibility'
import { linkInMail, mailsTo, waitForMail } from './support/mailbox'
import { addCompany, companies, logIn, newPerson, signUpAndLogIn } from './support/people'
import { urls } from './support/stack'

test.describe.configure({ mode: 'serial' })

const company = companies.D
/** A domain of this run only: declaring it lets nobody else in. */
const domain = `${randomBytes(3).toString('hex')}.fromagerie-e2e.fr`
const alice = newPerson('Alice', 'Fromage', domain)
const nina = newPerson('Nina', 'Invitee')
const bruno = newPerson('Bruno', 'Fromage', domain)
const WELCOME = 'Vous pouvez accéder au portail !'

let contexts: BrowserContext[] = []
let alicePage: Page, ninaPage: Page, brunoPage: Page

const manage = (page: Page) => page.getByRole('navigation', { name: 'Menu principal' }).getByRole('link', { name: 'Gérer les utilisateurs' }).click()

test.beforeAll(async ({ browser }) => {
  contexts = await Promise.all([browser.newContext(), browser.newContext(), browser.newContext()])
  alicePage = await contexts[0]!.newPage()
  ninaPage = await contexts[1]!.newPage()
  brunoPage = await contexts[2]!.newPage()
  for (const page of [alicePage, ninaPage, brunoPage]) page.on('dialog', (dialog) => void dialog.accept())
})

test.afterAll(async () => {
  await Promise.all(contexts.map((context) => context.close()))
})

test('1. the first administrator is welcomed once, right after « Votre compte est activé »', async () => {
  await signUpAndLogIn(alicePage, alice)
  await addCompany(alicePage, company)
  await expect(alicePage.getByText('Votre compte est activé. Vous allez être redirigé.')).toBeVisible()
  await expect(alicePage).toHaveURL(`${urls.portal}/entreprises/${company.siren}`)
  await expect(alicePage.getByText(WELCOME)).toBeVisible()
  await alicePage.reload()
  await expect(alicePage.getByRole('heading', { name: company.name, level: 1 })).toBeVisible()
  await expect(alicePage.getByText(`Bienvenue ${alice.givenName}, vous êtes connecté au Web Services Entreprise de ${company.name}.`)).toBeVisible()
  await expect(alicePage.getByText(WELCOME)).toHaveCount(0)
})

test('2. Alice invites Nina as administrator, then cancels and resends invitations', async () => {
  const page = alicePage
  await manage(page)
  const section = page.getByRole('region', { name: 'Inviter un collègue' })
  const form = section.getByRole('form', { name: 'Inviter un collègue' })
  await form.getByLabel('Email de la personne à inviter').fill('pas-une-adresse')
  await form.getByRole('button', { name: "Envoyer l'invitation" }).click()
  await expect(form.getByText('Saisissez une adresse email valide, par exemple prenom.nom@entreprise.fr.')).toBeVisible()
  await expectAccessible(page, 'Gérer les utilisateurs (invitation refusée)')

  await form.getByLabel('Email de la personne à inviter').fill(nina.email)
  await form.getByRole('radio', { name: 'Administrateur' }).check()
  await form.getByRole('button', { name: "Envoyer l'invitation" }).click()
  await expect(page.getByText(`Une invitation a été envoyée à ${nina.email}.`)).toBeVisible()
  await expect(section.getByRole('listitem').filter({ hasText: nina.email })).toContainText('Administrateur')
  const first = await waitForMail(nina.email, `Invitation au Web Services Entreprise de ${company.name}`)

  const stranger = `inconnu.${randomBytes(3).toString('hex')}@exemple.fr`
  await form.getByLabel('Email de la personne à inviter').fill(stranger)
  await form.getByRole('button', { name: "Envoyer l'invitation" }).click()
  await expect(section.getByRole('listitem').filter({ hasText: stranger })).toBeVisible()
  await expectAccessible(page, 'Gérer les utilisateurs (invitations en attente)')
  await section.getByRole('form', { name: `Annuler l'invitation de ${stranger}` }).getByRole('button').click()
  await expect(page.getByText(`L'invitation de ${stranger} est annulée.`)).toBeVisible()
  await expect(section.getByText(stranger)).toHaveCount(0)

  await section.getByRole('form', { name: `Renvoyer l'invitation de ${nina.email}` }).getByRole('button').click()
  await expect(page.getByText(`L'invitation a été renvoyée à ${nina.email}.`)).toBeVisible()
  await waitForMail(nina.email, `Invitation au Web Services Entreprise de ${company.name}`, [first])
})

test('3. Nina creates her account from the invitation, without a validation mail, and lands in the company as administrator', async () => {
  const page = ninaPage
  const mails = await mailsTo(nina.email)
  const latest = mails.filter((mail) => mail.subject.startsWith('Invitation')).at(-1)!
  expect(latest.html).toContain(`${alice.fullName} vous invite à accéder au Web Services Entreprise de ${company.name}`)
  // The first link was replaced when the invitation was sent again.
  await page.goto(linkInMail(mails.find((mail) => mail.subject.startsWith('Invitation'))!, "Accepter l'invitation"))
  await expect(page.getByText("Ce lien d'invitation n'est pas valide.")).toBeVisible()
  await expectAccessible(page, 'Invitation (lien remplacé)')

  await page.goto(linkInMail(latest, "Accepter l'invitation"))
  await expect(page.getByRole('heading', { name: 'Créer un compte' })).toBeVisible()
  await expect(page.getByText(`Vous êtes invité à rejoindre ${company.name}`)).toBeVisible()
  await expect(page.getByLabel('Email', { exact: true })).toHaveValue(nina.email)
  await expect(page.getByLabel('Email', { exact: true })).not.toBeEditable()
  await expectAccessible(page, "Créer un compte (depuis une invitation)")
  await page.getByLabel('Mot de passe', { exact: true }).fill(nina.password)
  await page.getByLabel('Confirmer le mot de passe').fill(nina.password)
  await page.getByLabel('Prénom').fill(nina.givenName)
  await page.getByLabel('Nom', { exact: true }).fill(nina.familyName)
  await page.getByRole('button', { name: 'Créer le compte' }).click()
  await expect(page.getByText('Félicitations, votre compte a bien été validé.')).toBeVisible()
  await page.getByRole('link', { name: 'Se connecter' }).click()
  await logIn(page, nina)
  await expect(page).toHaveURL(`${urls.portal}/entreprises/${company.siren}`)
  await expect(page.getByText(WELCOME)).toBeVisible()
  await expect(page.getByText('Administrateur', { exact: true })).toBeVisible()
  await expectAccessible(page, "Accueil de l'entreprise (après une invitation)")
  expect((await mailsTo(nina.email)).filter((mail) => mail.subject === 'Validation de création de compte')).toEqual([])
})

test('4. Alice declares the domain of her address; Bruno, on it, is let in at once and Alice is told', async () => {
  const page = alicePage
  await page.reload()
  const section = page.getByRole('region', { name: "Domaines de messagerie de l'entreprise" })
  await expect(section.getByText('Aucun domaine déclaré.')).toBeVisible()
  await section.getByRole('button', { name: `Déclarer le domaine ${domain}` }).click()
  await expect(page.getByText(`Le domaine ${domain} est déclaré`)).toBeVisible()
  await expect(section.getByRole('listitem').filter({ hasText: domain })).toBeVisible()
  await expectAccessible(page, 'Gérer les utilisateurs (domaine déclaré)')

  await signUpAndLogIn(brunoPage, bruno)
  await addCompany(brunoPage, company)
  await expect(brunoPage.getByText("Votre accès est activé : votre adresse email est sur un domaine déclaré par l'entreprise. Vous allez être redirigé.")).toBeVisible()
  await expect(brunoPage).toHaveURL(`${urls.portal}/entreprises/${company.siren}`)
  await expect(brunoPage.getByText(WELCOME)).toBeVisible()
  await expect(brunoPage.getByText('Utilisateur', { exact: true })).toBeVisible()
  const told = await waitForMail(alice.email, `${bruno.fullName} a rejoint ${company.name}`)
  expect(told.html).toContain(domain)
})

test('5. Bruno is told by mail when he is named administrator, and when his access is removed', async () => {
  const page = alicePage
  await page.reload()
  const table = page.getByRole('table', { name: `Utilisateurs de ${company.name}` })
  await table.getByRole('form', { name: `Nommer ${bruno.fullName} administrateur` }).getByRole('button').click()
  await expect(page.getByText(`${bruno.fullName} est maintenant administrateur.`)).toBeVisible()
  const promoted = await waitForMail(bruno.email, `Votre rôle dans ${company.name} a changé`)
  expect(linkInMail(promoted, 'Accéder au portail')).toBe(`${urls.portal}/entreprises/${company.siren}`)

  await table.getByRole('form', { name: `Retirer l'accès de ${bruno.fullName}` }).getByRole('button').click()
  await expect(page.getByText(`L'accès de ${bruno.fullName} est retiré.`)).toBeVisible()
  await waitForMail(bruno.email, `Votre accès à ${company.name} a été retiré`)
  const home = await brunoPage.goto(`/entreprises/${company.siren}`)
  expect(home?.status()).toBe(404)
})
