/**
 * The protocol in a real browser: an authorization request posted from another site (Core 1.0
 * §3.1.2.1), which needs the SSO session cookie to be SameSite=None and Secure, and back-channel
 * logout (Back-Channel Logout 1.0) as the portal and the demo tool see it.
 */
import { createHash, randomBytes } from 'node:crypto'
import { expect, test, type Page } from '@playwright/test'
import { logIn, newPerson, openLoginFromLanding, register, signUpAndLogIn, validateAccount } from './support/people'
import { urls } from './support/stack'

/** An application on another site than the idp's (which Chromium tells apart from localhost). */
const OTHER_SITE = 'http://outil-externe.example'
const CALLBACK = `${urls.demoTool}/callback`

/**
 * Serves a page on OTHER_SITE whose form posts an authorization request of the demo tool's
 * client to the idp. The demo tool, which did not start that request, answers its callback with
 * "Page introuvable": the test reads the response in the callback's URL.
 */
async function applicationOnOtherSite(page: Page) {
  const verifier = randomBytes(32).toString('base64url')
  const fields = {
    client_id: 'demo-tool',
    redirect_uri: CALLBACK,
    response_type: 'code',
    scope: 'openid profile email',
    state: randomBytes(16).toString('base64url'),
    nonce: randomBytes(16).toString('base64url'),
    code_challenge: createHash('sha256').update(verifier).digest('base64url'),
    code_challenge_method: 'S256',
  }
  const inputs = Object.entries(fields).map(([name, value]) => `<input type="hidden" name="${name}" value="${value}">`)
  const form = `<!doctype html><html lang="fr"><head><title>Outil externe</title></head><body><main>
<form method="post" action="${urls.idp}/auth">${inputs.join('')}<button type="submit">Se connecter avec l'Opcommerce</button></form></main></body></html>`
  await page.route(`${OTHER_SITE}/**`, (route) => route.fulfill({ contentType: 'text/html; charset=utf-8', body: form }))
  return {
    state: fields.state,
    async startLogin() {
      await page.goto(`${OTHER_SITE}/`)
      await page.getByRole('button', { name: "Se connecter avec l'Opcommerce" }).click()
    },
    /** The authorization response, once the browser is back at the callback. */
    async response(): Promise<URLSearchParams> {
      await page.waitForURL(`${CALLBACK}?**`)
      return new URL(page.url()).searchParams
    },
  }
}

test('Core 1.0 §3.1.2.1: an application on another site posts its authorization request; single sign-on answers it at once', async ({ page }) => {
  const person = newPerson('Paule', 'Formulaire')
  await openLoginFromLanding(page)
  await register(page, person)
  await validateAccount(page, person)
  const application = await applicationOnOtherSite(page)

  // No SSO session yet: the posted request leads to the login page, then back with a code.
  await application.startLogin()
  await logIn(page, person)
  expect((await application.response()).get('code')).toMatch(/^[\w-]{20,}$/)

  // Signed in: the SSO session cookie goes along with a form posted from another site, and no page shows.
  const visited: string[] = []
  page.on('framenavigated', (frame) => visited.push(frame.url()))
  await application.startLogin()
  const response = await application.response()
  expect(response.get('code')).toMatch(/^[\w-]{20,}$/)
  expect(response.get('state')).toBe(application.state)
  expect(response.get('iss')).toBe(urls.idp)
  expect(visited.filter((url) => url.startsWith(`${urls.idp}/interaction/`)), 'no login page on the way').toEqual([])
})

test('Back-Channel Logout 1.0: leaving the demo tool ends the portal session at once', async ({ page }) => {
  const person = newPerson('Quentin', 'Retour')
  await signUpAndLogIn(page, person)
  await page.goto('/outils')
  await page.getByRole('link', { name: /Outil de démonstration/ }).click()
  await expect(page.getByText(`Connecté en tant que ${person.fullName}`)).toBeVisible()

  await page.getByRole('button', { name: 'Se déconnecter' }).click()
  await expect(page.getByText("Vous n'êtes pas connecté à cet outil.")).toBeVisible()
  // The portal's access token is good for minutes still: only the logout token can end its session now.
  await expect(async () => {
    await page.goto('/outils')
    await expect(page.getByRole('heading', { name: 'Connexion' })).toBeVisible({ timeout: 1_000 })
  }).toPass({ timeout: 15_000 })
})

