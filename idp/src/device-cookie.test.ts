import { beforeAll, describe, expect, it } from '@jest/globals'
import type * as oidc from 'openid-client'
import { newPerson, registerValidated } from '../../tests/support/accounts'
import { Browser, type Page } from '../../tests/support/browser'
import { registerClient } from '../../tests/support/clients'
import { useIdpStack } from '../../tests/support/idp'
import { authorizationRequest, discoverClient } from '../../tests/support/oidc'
import { messages } from './messages'

const REDIRECT_URI = 'http://localhost:7093/callback'
const SECRET = 'device-app-secret-0123456789abcdefghijklmn'
const ATTACKERS = 20
const ATTEMPTS = 200
const WAVE = 40 // attempts in flight at once

/**
 * OWASP's device cookies, with the production limits: failures from anywhere spend the account's
 * budget and slow unknown browsers down, but never keep the owner out of the browser they use.
 */
describe('no lockout weapon: wrong passwords from elsewhere never keep the owner out of their own browser', () => {
  const stack = useIdpStack({ env: { TRUST_PROXY: 'true' } })
  let app: oidc.Configuration

  beforeAll(async () => {
    await registerClient(stack.database.knex, { clientId: 'device-app', clientSecret: SECRET, redirectUris: [REDIRECT_URI], firstParty: true })
    app = await discoverClient(stack.idp.issuer, 'device-app', SECRET)
  })

  async function loginPage(browser: Browser): Promise<Page> {
    return browser.get((await authorizationRequest(app, REDIRECT_URI)).url, { stopAt: REDIRECT_URI })
  }

  it(`lets the owner in from their own browser at once after ${ATTEMPTS} wrong passwords from ${ATTACKERS} other addresses`, async () => {
    const owner = newPerson('Olivia', 'Proprio')
    const laptop = new Browser()
    await registerValidated(laptop, stack.idp.issuer, stack.smtp, owner)
    const home = { 'x-forwarded-for': '203.0.113.10' }
    const first = await laptop.submit(await loginPage(laptop), /\/login$/u, { email: owner.email, password: owner.password }, { stopAt: REDIRECT_URI, headers: home })
    expect(first.url).toMatch(/code=/u)
    // Logged out everywhere (a new day): the laptop keeps only its device cookie.
    const userId = ((await stack.database.knex('users').where({ email: owner.email }).first()) as { id: string }).id
    await stack.database.knex('oidc_payloads').where({ kind: 'Session' }).andWhereRaw(`payload->>'accountId' = ?`, [userId]).delete()

    // Each attacker's browser keeps one login page and fires its share of the attempts at once.
    const attackers = await Promise.all(Array.from({ length: ATTACKERS }, async () => {
      const browser = new Browser()
      return { browser, page: await loginPage(browser) }
    }))
    // In waves of WAVE at once: 200 requests in flight together would wait for database
    // connections longer than the pool allows on two busy cores, which is not what this tests.
    const attack = []
    for (let wave = 0; wave < ATTEMPTS; wave += WAVE) {
      attack.push(
        ...(await Promise.all(
          Array.from({ length: WAVE }, (_, offset) => {
            const index = wave + offset
            const { browser, page } = attackers[index % ATTACKERS]!
            return browser.submit(page, /\/login$/u, { email: owner.email, password: `Devine-Moi-${index}!` }, { stopAt: REDIRECT_URI, headers: { 'x-forwarded-for': `192.0.2.${(index % ATTACKERS) + 1}` } })
          }),
        )),
      )
    }
    expect(attack.every((answer) => answer.status === 401 || answer.status === 429)).toBe(true)
    const [row] = await stack.database.knex('audit_events').where({ type: 'login.failed', subject: userId }).select(stack.database.knex.raw('count(*)::int as count'))
    const evaluated = Number((row as { count: number }).count)
    // The account's budget (10), plus the slow lane's turns while the attack lasted (one per 30 s).
    expect(evaluated).toBeGreaterThanOrEqual(10)
    expect(evaluated).toBeLessThanOrEqual(13)

    // A browser the account never used is slowed down (told to come back in seconds, not locked for minutes)…
    const stranger = new Browser()
    const slowed = await stranger.submit(await loginPage(stranger), /\/login$/u, { email: owner.email, password: owner.password }, { stopAt: REDIRECT_URI, headers: home })
    if (slowed.status === 429) expect(slowed.document.querySelector('.alert--error')?.textContent.trim()).toMatch(new RegExp(`^${messages.login.tooMany} Réessayez dans \\d+ secondes?\\.$`, 'u'))
    else expect(slowed.url).toMatch(/code=/u)

    // …while the owner's own browser goes straight in.
    const started = Date.now()
    const mine = await laptop.submit(await loginPage(laptop), /\/login$/u, { email: owner.email, password: owner.password }, { stopAt: REDIRECT_URI, headers: home })
    expect(mine.url).toMatch(/code=/u)
    const took = Date.now() - started
    console.log(`[device cookie] ${evaluated} of ${ATTEMPTS} wrong passwords from ${ATTACKERS} addresses evaluated; the owner's browser logged in ${took} ms later`)
    expect(took).toBeLessThan(60_000)
  }, 180_000)

  it('gives a browser that reset the password the owner’s budget too (the link proved the mailbox)', async () => {
    const owner = newPerson('Paulin', 'Remis')
    await registerValidated(new Browser(), stack.idp.issuer, stack.smtp, owner)
    const phone = new Browser()
    const after = stack.smtp.mails.length
    await phone.submit(await phone.get(`${stack.idp.issuer}/mot-de-passe-oublie`), '/mot-de-passe-oublie', { email: owner.email })
    const mail = await stack.smtp.waitForMail((received) => received.subject === 'Réinitialisation de votre mot de passe' && stack.smtp.mails.indexOf(received) >= after)
    const link = /href="([^"]+\/mot-de-passe\/[^"]+)"/u.exec(String(mail.html))![1]!
    const newPassword = 'Nouveau-Verger-Bleu-58?'
    await phone.submit(await phone.get(link), new URL(link).pathname, { password: newPassword, password_confirmation: newPassword })
    const cookies = await phone.jar.getCookies(stack.idp.issuer)
    expect(cookies.map((cookie) => cookie.key)).toContain('idp_device')
    const device = cookies.find((cookie) => cookie.key === 'idp_device')!
    expect(device.httpOnly).toBe(true)
    expect(device.sameSite).toBe('lax')
    const logIn = await phone.submit(await loginPage(phone), /\/login$/u, { email: owner.email, password: newPassword }, { stopAt: REDIRECT_URI })
    expect(logIn.url).toMatch(/code=/u)
  })
})
