/**
 * What members and requesters need beyond the guide: « Mes entreprises », cancelling a request,
 * refusals that stick for 30 days, « Contacter l'Opcommerce » after a week without an answer,
 * and leaving a company (the last administrator names another one first).
 */
import { expect, test, type BrowserContext, type Page } from '@playwright/test'
import { expectAccessible } from './support/accessibility'
import { onStackDatabase } from './support/database'
import { mailsTo, waitForMail } from './support/mailbox'
import { addCompany, companies, newPerson, signUpAndLogIn } from './support/people'
import { urls } from './support/stack'

test.describe.configure({ mode: 'serial' })

const company = companies.E
const other = companies.G
const odile = newPerson('Odile', 'Pharma')
const carla = newPerson('Carla', 'Refus')
const eve = newPerson('Eve', 'Attente')
/** The default of OPCO_CONTACT_EMAIL (shared/src/config.ts). */
const OPCO_CONTACT = 'web-services@opcommerce.localhost'

let contexts: BrowserContext[] = []
let odilePage: Page, carlaPage: Page, evePage: Page

const menu = (page: Page, name: string) => page.getByRole('navigation', { name: 'Menu principal' }).getByRole('link', { name, exact: true }).click()

test.beforeAll(async ({ browser }) => {
  contexts = await Promise.all([browser.newContext(), browser.newContext(), browser.newContext()])
  odilePage = await contexts[0]!.newPage()
  carlaPage = await contexts[1]!.newPage()
  evePage = await contexts[2]!.newPage()
  for (const page of [odilePage, carlaPage, evePage]) page.on('dialog', (dialog) => void dialog.accept())
})

test.afterAll(async () => {
  await Promise.all(contexts.map((context) => context.close()))
})

test('1. a refused person may ask again only after 30 days, and the administrator is not mailed meanwhile', async () => {
  await signUpAndLogIn(odilePage, odile)
  await addCompany(odilePage, company)
  await expect(odilePage).toHaveURL(`${urls.portal}/entreprises/${company.siren}`)

  await signUpAndLogIn(carlaPage, carla)
  await addCompany(carlaPage, company)
  await expect(carlaPage.getByText("Une demande d'accès a été envoyée à/aux l'administrateur(s) de cette entreprise.")).toBeVisible()
  await waitForMail(odile.email, `Demande d'accès à ${company.name}`)

  await odilePage.goto(`/entreprises/${company.siren}/utilisateurs`)
  const refusal = odilePage.getByRole('form', { name: `Refuser la demande de ${carla.fullName}` })
  await refusal.getByLabel('Motif du refus (facultatif)').fill('Inconnue du service.')
  await refusal.getByRole('button', { name: 'Refuser' }).click()
  await expect(odilePage.getByText(`La demande de ${carla.fullName} est refusée.`)).toBeVisible()

  await carlaPage.reload()
  await addCompany(carlaPage, company)
  const refused = carlaPage.getByRole('form', { name: 'Ajouter une entreprise' }).getByRole('alert')
  await expect(refused).toContainText("Votre demande d'accès à cette entreprise a été refusée le")
  await expect(refused).toContainText('Vous pourrez faire une nouvelle demande à partir du')
  await expect(carlaPage.getByText(/Motif : « Inconnue du service\. » Vous pourrez faire une nouvelle demande à partir du/u)).toBeVisible()
  await expectAccessible(carlaPage, 'Ajouter une entreprise (demande refusée il y a moins de 30 jours)')
  expect((await mailsTo(odile.email)).filter((mail) => mail.subject === `Demande d'accès à ${company.name}`)).toHaveLength(1)
})

test('2. « Mes entreprises » lists every company with its role or status; the only administrator cannot leave', async () => {
  const page = carlaPage
  await addCompany(page, other)
  await expect(page).toHaveURL(`${urls.portal}/entreprises/${other.siren}`)
  await menu(page, 'Mes entreprises')
  await expect(page.getByRole('heading', { name: 'Mes entreprises', level: 1 })).toBeVisible()
  const active = page.getByRole('table', { name: 'Entreprises auxquelles vous avez accès' })
  await expect(active.getByRole('row', { name: new RegExp(other.name) })).toContainText('Administrateur')
  await expect(page.getByRole('region', { name: "Demandes d'accès en attente" }).getByText(`${company.name} — Siren ${company.siren} : demande refusée`)).toBeVisible()
  await expectAccessible(page, 'Mes entreprises')

  await active.getByRole('form', { name: `Quitter ${other.name}` }).getByRole('button', { name: "Quitter l'entreprise" }).click()
  await expect(page.getByText("Vous êtes le seul administrateur de cette entreprise : nommez d'abord un autre administrateur")).toBeVisible()
  await expect(active.getByRole('row', { name: new RegExp(other.name) })).toBeVisible()
})

test('3. Eve cancels a request, asks again, and after a week without answer contacts the Opcommerce', async () => {
  const page = evePage
  await signUpAndLogIn(page, eve)
  await addCompany(page, company)
  const pending = page.getByRole('region', { name: "Demandes d'accès en attente" })
  await expect(pending.getByText(company.name)).toBeVisible()
  await expect(pending.getByText(/vous pourrez contacter l'Opcommerce à partir du/u)).toBeVisible()
  await expect(pending.getByRole('button', { name: "Contacter l'Opcommerce" })).toHaveCount(0)
  await pending.getByRole('button', { name: 'Annuler ma demande' }).click()
  await expect(page.getByText("Votre demande d'accès est annulée.")).toBeVisible()
  await expect(pending.getByText('Aucune demande en attente.')).toBeVisible()

  await addCompany(page, company)
  await expect(pending.getByText(company.name)).toBeVisible()
  // A week goes by (the request's date, as the database keeps it).
  await onStackDatabase(
    "update memberships set requested_at = requested_at - interval '8 days' where siren = $1 and user_id = (select id from users where lower(email) = lower($2))",
    [company.siren, eve.email],
  )
  await page.reload()
  await expectAccessible(page, "Ajouter une entreprise (demande en attente depuis plus de 7 jours)")
  await pending.getByRole('button', { name: "Contacter l'Opcommerce" }).click()
  await expect(page.getByText("Votre demande a été transmise à l'Opcommerce")).toBeVisible()
  const escalated = await waitForMail(OPCO_CONTACT, `Demande d'accès sans réponse : ${company.name}`)
  expect(escalated.html).toContain(eve.email)
  expect(escalated.html).toContain(odile.email)
  await page.reload()
  await expect(pending.getByText(/transmise à l'Opcommerce le/u)).toBeVisible()
  await expect(pending.getByRole('button', { name: "Contacter l'Opcommerce" })).toHaveCount(0)
})

test('4. approved at last, Eve is welcomed once, then leaves the company from its home', async () => {
  await odilePage.goto(`/entreprises/${company.siren}/utilisateurs`)
  await odilePage.getByRole('form', { name: `Autoriser l'accès de ${eve.fullName}` }).getByRole('button').click()
  await expect(odilePage.getByText(`L'accès de ${eve.fullName} est autorisé.`)).toBeVisible()

  const page = evePage
  await page.goto(`/entreprises/${company.siren}`)
  await expect(page.getByText('Vous pouvez accéder au portail !')).toBeVisible()
  await page.reload()
  await expect(page.getByRole('heading', { name: company.name, level: 1 })).toBeVisible()
  await expect(page.getByText('Vous pouvez accéder au portail !')).toHaveCount(0)
  await expectAccessible(page, "Accueil de l'entreprise (visite suivante)")

  await page.getByRole('region', { name: `Votre accès à ${company.name}` }).getByRole('button', { name: "Quitter l'entreprise" }).click()
  await expect(page).toHaveURL(`${urls.portal}/mes-entreprises`)
  await expect(page.getByText("Vous n'avez plus accès à cette entreprise.")).toBeVisible()
  await expect(page.getByText("Vous n'avez pas encore d'accès activé à une entreprise.")).toBeVisible()
  await expectAccessible(page, "Mes entreprises (après avoir quitté l'entreprise)")
})
