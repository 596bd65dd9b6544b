/**
 * OpenID Connect Back-Channel Logout 1.0 and RP-Initiated Logout 1.0: when an SSO session ends
 * (logout from any application, password reset), every client it signed in that registered a
 * backchannel_logout_uri receives a logout token, delivered again until the client takes it.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { decodeJwt } from 'jose'
import { BACKCHANNEL_LOGOUT_EVENT, verifyLogoutToken } from '@opcommerce/shared/logout-token'
import { linkInMail, type Page } from '../support/browser'
import { useIdpStack } from '../support/idp'
import { runEntryPoint } from '../support/processes'
import { relyingParty, signIn, startLogoutReceiver, until, validatedPerson, type LogoutReceiver, type RelyingParty } from './support'

describe('back-channel logout (Back-Channel Logout 1.0, RP-Initiated Logout 1.0)', () => {
  const stack = useIdpStack()
  let receiverA: LogoutReceiver
  let receiverB: LogoutReceiver
  let rpA: RelyingParty
  let rpB: RelyingParty
  let rpWithout: RelyingParty

  beforeAll(async () => {
    receiverA = await startLogoutReceiver()
    receiverB = await startLogoutReceiver()
    rpA = await relyingParty(stack, 'logout-rp-a', { backchannelLogoutUri: receiverA.uri })
    rpB = await relyingParty(stack, 'logout-rp-b', { backchannelLogoutUri: receiverB.uri })
    rpWithout = await relyingParty(stack, 'logout-rp-without')
  })

  afterAll(async () => {
    await receiverA?.close()
    await receiverB?.close()
  })

  const deliveries = () => stack.database.knex('logout_deliveries').orderBy('id')
  const tokensFor = (receiver: LogoutReceiver, sub: string) => receiver.received.filter((received) => received.claims.sub === sub)

  /** Waits until `receiver` got `count` tokens about `sub`. */
  const waitForTokens = (receiver: LogoutReceiver, sub: string, count: number) =>
    until(async () => tokensFor(receiver, sub), (tokens) => tokens.length >= count)

  /** RP-Initiated Logout 1.0 §2 by POST, as the portal sends it: the idp's page, then its form; ends back at `rp`. */
  async function logOutByPost(browser: Parameters<typeof signIn>[0], rp: RelyingParty, idToken: string, confirm: boolean): Promise<Page> {
    const home = `${new URL(rp.redirectUri).origin}/`
    const page = await browser.post(`${stack.idp.issuer}/session/end`, new URLSearchParams({ id_token_hint: idToken, post_logout_redirect_uri: home }), { stopAt: home })
    // Asked for nothing: the hint names the signed-in person (the page only confirms).
    expect(page.text).toContain('Déconnexion de votre espace Web Services Entreprise en cours…')
    return browser.submit(page, /\/session\/end\/confirm$/u, {}, { stopAt: home, ...(confirm ? {} : { button: { name: 'stay', value: '' } }) })
  }

  it('Back-Channel Logout 1.0 §2.4–§2.6 and RP-Initiated Logout 1.0 §2: a logout posted with id_token_hint sends each client of the session one valid logout token', async () => {
    const { person, browser } = await validatedPerson(stack, 'Dora', 'Déconnexion')
    const atA = await signIn(browser, rpA, person)
    const atB = await signIn(browser, rpB, person)
    await signIn(browser, rpWithout, person)
    const sub = atA.claims()!.sub

    const back = await logOutByPost(browser, rpA, atA.id_token!, true)
    expect(back.url).toBe(`${new URL(rpA.redirectUri).origin}/`)

    for (const [receiver, rp, idToken] of [
      [receiverA, rpA, atA.id_token!],
      [receiverB, rpB, atB.id_token!],
    ] as const) {
      const [received, ...more] = await waitForTokens(receiver, sub, 1)
      expect(more).toEqual([])
      expect(received!.header).toMatchObject({ typ: 'logout+jwt', alg: 'RS256', kid: expect.any(String) })
      const { sid } = decodeJwt(idToken) as { sid?: string }
      expect(sid).toEqual(expect.any(String))
      expect(received!.claims).toMatchObject({ iss: stack.idp.issuer, aud: rp.clientId, sub, sid, events: { [BACKCHANNEL_LOGOUT_EVENT]: {} }, jti: expect.any(String) })
      expect(received!.claims.nonce).toBeUndefined()
      expect(received!.claims.exp! - received!.claims.iat!).toBeLessThanOrEqual(120)
      // The signature checks out against the published keys, as a relying party checks it.
      const verified = await verifyLogoutToken(received!.token, { issuer: stack.idp.issuer, clientId: rp.clientId, jwksUri: `${stack.idp.issuer}/jwks` })
      expect(verified).toMatchObject({ sub, sid })
    }
    expect(tokensFor(receiverA, sub)[0]!.claims.jti).not.toBe(tokensFor(receiverB, sub)[0]!.claims.jti)
    // Delivered: nothing stays in the outbox.
    await until(deliveries, (rows) => rows.length === 0)
  })

  it('RP-Initiated Logout 1.0 §2: "Rester connecté" logs out of the asking client only, and only it gets a logout token', async () => {
    const { person, browser } = await validatedPerson(stack, 'Émile', 'Reste')
    const atA = await signIn(browser, rpA, person)
    await signIn(browser, rpB, person)
    const sub = atA.claims()!.sub

    await logOutByPost(browser, rpA, atA.id_token!, false)
    await waitForTokens(receiverA, sub, 1)
    await until(deliveries, (rows) => rows.length === 0)
    expect(tokensFor(receiverB, sub)).toEqual([])
    // The SSO session goes on for the other client.
    const stillSignedIn = await signIn(browser, rpB, person)
    expect(stillSignedIn.claims()!.sub).toBe(sub)
  })

  it('Back-Channel Logout 1.0 §2.5: a password reset, which ends every SSO session, sends the logout tokens too', async () => {
    const { person, browser } = await validatedPerson(stack, 'Fanny', 'Oubli')
    const laptop = await signIn(browser, rpA, person)
    const sub = laptop.claims()!.sub

    const after = stack.smtp.mails.length
    await browser.submit(await browser.get(`${stack.idp.issuer}/mot-de-passe-oublie`), '/mot-de-passe-oublie', { email: person.email })
    const mail = await stack.smtp.waitForMail((received) => received.subject === 'Réinitialisation de votre mot de passe' && stack.smtp.mails.indexOf(received) >= after)
    const link = linkInMail(mail.html, 'Choisir un nouveau mot de passe.')
    const done = await browser.submit(await browser.get(link), new URL(link).pathname, { password: 'Nouveau-Jardin-Vert-77?', password_confirmation: 'Nouveau-Jardin-Vert-77?' })
    expect(done.status).toBe(200)

    const [received] = await waitForTokens(receiverA, sub, 1)
    expect(received!.claims).toMatchObject({ aud: rpA.clientId, sub, sid: decodeJwt(laptop.id_token!).sid })
  })

  it('Back-Channel Logout 1.0 §2.8: a client that does not answer 200 gets the token again later, and a day later operators see it given up', async () => {
    const { person, browser } = await validatedPerson(stack, 'Gaspard', 'Panne')
    const at = await signIn(browser, rpB, person)
    const sub = at.claims()!.sub
    receiverB.status = 503
    await logOutByPost(browser, rpB, at.id_token!, true)

    const [waiting] = await until(deliveries, (rows) => rows[0]?.last_error !== undefined && rows[0]?.last_error !== null)
    expect(waiting).toMatchObject({ client_id: rpB.clientId, sub, status: 'pending', attempts: 1 })
    expect(waiting.last_error).toBe(`${receiverB.uri} answered 503`)
    // Retried with back-off, on the database's clock: not at the next poll.
    const { rows } = await stack.database.knex.raw('select next_attempt_at > now() + interval \'10 seconds\' as later from logout_deliveries where id = ?', [waiting.id])
    expect(rows[0].later).toBe(true)

    // Still failing a day after the logout: given up, and listed for operators.
    await stack.database.knex('logout_deliveries').where({ id: waiting.id }).update({ created_at: stack.database.knex.raw("now() - interval '25 hours'"), next_attempt_at: stack.database.knex.fn.now() })
    await until(deliveries, (rows) => rows[0]?.status === 'failed')
    const listed = await runEntryPoint('shared/src/cli/main.ts', ['logouts', 'list', '--status', 'failed', '--json'], { DATABASE_URL: stack.database.url, DATA_DIR: stack.idp.config.dataDir })
    expect(listed.code).toBe(0)
    expect(JSON.parse(listed.stdout)).toEqual([expect.objectContaining({ id: waiting.id, clientId: rpB.clientId, sub, status: 'failed', attempts: 2, lastError: `${receiverB.uri} answered 503` })])
    const readable = await runEntryPoint('shared/src/cli/main.ts', ['logouts', 'list'], { DATABASE_URL: stack.database.url, DATA_DIR: stack.idp.config.dataDir })
    expect(readable.stdout).toMatch(new RegExp(`^${waiting.id}\\s+${rpB.clientId}\\s+${sub}\\s+abandonné\\s.*\\s${receiverB.uri.replace(/[.*+?^${}()|[\]\\/]/gu, '\\$&')} answered 503$`, 'mu'))
  })

  it('Back-Channel Logout 1.0 §2.8: a client back up gets the token at the next attempt, and the delivery is purged', async () => {
    const { person, browser } = await validatedPerson(stack, 'Hugo', 'Reprise')
    const at = await signIn(browser, rpB, person)
    const sub = at.claims()!.sub
    receiverB.status = 503
    await logOutByPost(browser, rpB, at.id_token!, true)
    await until(deliveries, (rows) => rows.some((row) => row.sub === sub && row.last_error !== null))

    receiverB.status = 200
    await stack.database.knex('logout_deliveries').where({ sub }).update({ next_attempt_at: stack.database.knex.fn.now() })
    const [received] = await waitForTokens(receiverB, sub, 1)
    expect(received!.claims).toMatchObject({ aud: rpB.clientId, sub })
    await until(deliveries, (rows) => !rows.some((row) => row.sub === sub))
  })
})
