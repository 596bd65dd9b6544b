/**
 * Every portal form works as a plain HTML form: with JavaScript disabled, the browser posts it,
 * and the server answers with the page and its message (field errors next to their fields,
 * what was typed kept).
 */
import { expect, test, type Browser, type BrowserContext, type Page } from '@playwright/test'
import { expectAccessible } from './support/accessibility'
import { addCompany, companies, newPerson, signUpAndLogIn } from './support/people'
import { urls } from './support/stack'

test.describe.configure({ mode: 'serial' })

const company = companies.F
const frank = newPerson('Frank', 'Sansscript')
const gina = newPerson('Gina', 'Sansscript')

let contexts: BrowserContext[] = []
let frankPage: Page, ginaPage: Page
let auditor: Page

/**
 * axe-core runs as a script, which a page without JavaScript refuses: the page as the server
 * sent it (HTML and styles, none of its scripts) is audited in a page of its own.
 */
async function expectAccessibleAsSent(page: Page, name: string): Promise<void> {
  const [url, html] = [page.url(), await page.content()]
  await auditor.route(url, (route) => route.fulfill({ status: 200, contentType: 'text/html; charset=utf-8', body: html }))
  await auditor.goto(url)
  await auditor.unroute(url)
  await expectAccessible(auditor, name)
}

async function newAuditor(browser: Browser): Promise<Page> {
  const context = await browser.newContext()
  contexts.push(context)
  const page = await context.newPage()
  await page.route('**/*.js', (route) => route.abort())
  return page
}

test.beforeAll(async ({ browser }) => {
  contexts = await Promise.all([browser.newContext({ javaScriptEnabled: false }), browser.newContext({ javaScriptEnabled: false })])
  frankPage = await contexts[0]!.newPage()
  ginaPage = await contexts[1]!.newPage()
  auditor = await newAuditor(browser)
})

test.afterAll(async () => {
  await Promise.all(contexts.map((context) => context.close()))
})

test('1. « Ajouter une entreprise » refuses bad input on the page itself, keeps what was typed, then activates the first administrator', async () => {
  const page = frankPage
  await signUpAndLogIn(page, frank)
  await addCompany(page, { siren: '123', code: '' })
  await expect(page).toHaveURL(`${urls.portal}/entreprises/ajouter`)
  await expect(page.getByRole('alert')).toHaveText('Le formulaire contient des erreurs : corrigez les champs signalés.')
  await expect(page.getByLabel('Siren')).toHaveValue('123')
  await expect(page.getByLabel('Siren')).toHaveAccessibleDescription(/Le Siren doit comporter exactement 9 chiffres\./u)
  await expect(page.getByLabel('Code adhérent')).toHaveAccessibleDescription(/Veuillez renseigner le code adhérent\./u)
  await expectAccessibleAsSent(page, 'Ajouter une entreprise (sans JavaScript, formulaire refusé)')
  // Shown once: the next visit is a fresh form.
  await page.reload()
  await expect(page.getByRole('alert')).toHaveCount(0)

  await addCompany(page, company)
  await expect(page).toHaveURL(`${urls.portal}/entreprises/${company.siren}`)
  await expect(page.getByText('Vous pouvez accéder au portail !')).toBeVisible()
})

test('2. a request, its approval and an invitation, all without JavaScript', async () => {
  await signUpAndLogIn(ginaPage, gina)
  await addCompany(ginaPage, company)
  await expect(ginaPage.getByText("Une demande d'accès a été envoyée à/aux l'administrateur(s) de cette entreprise.")).toBeVisible()
  await expect(ginaPage.getByRole('region', { name: "Demandes d'accès en attente" }).getByText(company.name)).toBeVisible()

  const page = frankPage
  await page.goto(`/entreprises/${company.siren}/utilisateurs`)
  await page.getByRole('form', { name: `Autoriser l'accès de ${gina.fullName}` }).getByRole('button').click()
  await expect(page).toHaveURL(`${urls.portal}/entreprises/${company.siren}/utilisateurs`)
  await expect(page.getByText(`L'accès de ${gina.fullName} est autorisé.`)).toBeVisible()
  await expect(page.getByRole('table', { name: `Utilisateurs de ${company.name}` }).getByRole('row', { name: new RegExp(gina.email) })).toBeVisible()

  const invitation = page.getByRole('form', { name: 'Inviter un collègue' })
  await invitation.getByLabel('Email de la personne à inviter').fill('adresse@invalide')
  await invitation.getByRole('button', { name: "Envoyer l'invitation" }).click()
  await expect(invitation.getByLabel('Email de la personne à inviter')).toHaveValue('adresse@invalide')
  await expect(invitation.getByText('Saisissez une adresse email valide')).toBeVisible()
  await expectAccessibleAsSent(page, 'Gérer les utilisateurs (sans JavaScript, invitation refusée)')
})

test('3. leaving a company without JavaScript lands on « Mes entreprises » with its message', async () => {
  const page = ginaPage
  await page.goto('/mes-entreprises')
  await page.getByRole('form', { name: `Quitter ${company.name}` }).getByRole('button').click()
  await expect(page).toHaveURL(`${urls.portal}/mes-entreprises`)
  await expect(page.getByText("Vous n'avez plus accès à cette entreprise.")).toBeVisible()
  await expectAccessibleAsSent(page, 'Mes entreprises (sans JavaScript)')
})
