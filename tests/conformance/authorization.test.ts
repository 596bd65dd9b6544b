/**
 * OpenID Connect Core 1.0 §3.1.2, the authorization endpoint of the code flow, with PKCE
 * (RFC 7636) required: what a relying party sends, and what it must get back.
 */
import { beforeAll, describe, expect, it } from '@jest/globals'
import { decodeJwt } from 'jose'
import * as oidc from 'openid-client'
import { ACR_VALUES } from '@opcommerce/idp/src/libraries/authentication-context'
import type { Person } from '../support/accounts'
import { Browser } from '../support/browser'
import { useIdpStack } from '../support/idp'
import { authorize, exchange, relyingParty, responseOf, signIn, validatedPerson, type RelyingParty } from './support'

describe('the authorization endpoint (Core 1.0 §3.1.2, RFC 7636)', () => {
  const stack = useIdpStack()
  let rp: RelyingParty
  let alice: { person: Person; browser: Browser }
  let bob: { person: Person; browser: Browser }

  beforeAll(async () => {
    rp = await relyingParty(stack, 'authorization-rp')
    alice = await validatedPerson(stack, 'Alice', 'Autorisation')
    bob = await validatedPerson(stack, 'Bob', 'Autorisation')
    await signIn(bob.browser, rp, bob.person)
  })

  /** Moves the time of the SSO sessions' last login back by `seconds`, as if it had been then. */
  async function ageSessions(seconds: number): Promise<void> {
    await stack.database.knex('oidc_payloads')
      .where({ kind: 'Session' })
      .update({ payload: stack.database.knex.raw(`jsonb_set(payload, '{loginTs}', to_jsonb((payload->>'loginTs')::int - ?))`, [seconds]) })
  }

  it('Core 1.0 §3.1.2.1: the authorization endpoint accepts a form-encoded POST as it accepts GET', async () => {
    const browser = new Browser()
    const posted = await authorize(browser, rp, { person: alice.person, method: 'POST' })
    expect(posted.askedPassword).toBe(true)
    const tokens = await exchange(rp, posted)
    expect(tokens.claims()).toMatchObject({ email: alice.person.email, aud: rp.clientId })

    // With the SSO session now open, a second POST answers at once, as single sign-on does.
    const again = await authorize(browser, rp, { method: 'POST' })
    expect(again.askedPassword).toBe(false)
    expect(responseOf(again).get('code')).toBeTruthy()
  })

  it('Core 1.0 §3.1.2.5 and §3.1.2.6: state comes back exactly as sent, with a code and with an error', async () => {
    const state = 'état: a/b?c=d&e é'
    const granted = await authorize(bob.browser, rp, { params: { state } })
    expect(responseOf(granted).get('state')).toBe(state)
    expect(responseOf(granted).get('code')).toBeTruthy()
    // RFC 9207: the issuer too, so that a client of several providers knows who answered.
    expect(responseOf(granted).get('iss')).toBe(stack.idp.issuer)

    const refused = await authorize(new Browser(), rp, { params: { state, prompt: 'none' } })
    expect(responseOf(refused).get('error')).toBe('login_required')
    expect(responseOf(refused).get('state')).toBe(state)
  })

  it('Core 1.0 §3.1.3.7 (step 11): the ID token carries the nonce of the request', async () => {
    const authorization = await authorize(bob.browser, rp)
    const tokens = await exchange(rp, authorization)
    expect(decodeJwt(tokens.id_token!).nonce).toBe(authorization.request.nonce)
  })

  it('Core 1.0 §3.1.2.1 and RFC 6749 §3.1.2.4: a redirect_uri not registered gets an error page, never a redirect there', async () => {
    const url = new URL((await authorize(bob.browser, rp)).request.url)
    url.searchParams.set('redirect_uri', 'http://localhost:7999/stolen')
    const page = await bob.browser.get(url.toString(), { stopAt: 'http://localhost:7999/' })
    expect(page.url).toMatch(new RegExp(`^${stack.idp.issuer}/auth`, 'u'))
    expect(page.status).toBe(400)
  })

  it('RFC 7636 §4.4.1 and RFC 9700 §2.1.1: PKCE is required, with S256 only', async () => {
    const withoutPkce = await authorize(bob.browser, rp, { params: { code_challenge: '', code_challenge_method: '' } })
    expect(responseOf(withoutPkce).get('error')).toBe('invalid_request')
    expect(responseOf(withoutPkce).get('code')).toBeNull()

    const plain = oidc.randomPKCECodeVerifier()
    const plainMethod = await authorize(bob.browser, rp, { params: { code_challenge: plain, code_challenge_method: 'plain' } })
    expect(responseOf(plainMethod).get('error')).toBe('invalid_request')
  })

  it('RFC 7636 §4.6: a code redeemed with another code_verifier is refused', async () => {
    const authorization = await authorize(bob.browser, rp)
    await expect(exchange(rp, { ...authorization, request: { ...authorization.request, verifier: oidc.randomPKCECodeVerifier() } })).rejects.toMatchObject({ error: 'invalid_grant' })
  })

  it('Core 1.0 §3.1.2.1: prompt=none answers login_required without a session, and a code without any page with one', async () => {
    const anonymous = await authorize(new Browser(), rp, { params: { prompt: 'none' } })
    expect(responseOf(anonymous).get('error')).toBe('login_required')

    const signedIn = await authorize(bob.browser, rp, { params: { prompt: 'none' } })
    expect(signedIn.askedPassword).toBe(false)
    expect((await exchange(rp, signedIn)).claims()!.email).toBe(bob.person.email)
  })

  it('Core 1.0 §3.1.2.1: prompt=login asks for the password again despite the SSO session', async () => {
    const browser = new Browser()
    await signIn(browser, rp, alice.person)
    const again = await authorize(browser, rp, { person: alice.person, params: { prompt: 'login' } })
    expect(again.askedPassword).toBe(true)
    expect((await exchange(rp, again)).claims()).toMatchObject({ email: alice.person.email, auth_time: expect.any(Number) })
  })

  it('Core 1.0 §3.1.2.1: max_age asks for the password again once that many seconds passed since the login, and auth_time says when', async () => {
    const browser = new Browser()
    await signIn(browser, rp, alice.person)
    const recent = await authorize(browser, rp, { params: { max_age: '3600' } })
    expect(recent.askedPassword).toBe(false)
    const loggedInAt = (await exchange(rp, recent)).claims()!.auth_time!
    expect(Math.abs(loggedInAt - Date.now() / 1000)).toBeLessThan(120)

    await ageSessions(600)
    const stale = await authorize(browser, rp, { person: alice.person, params: { max_age: '300' } })
    expect(stale.askedPassword).toBe(true)
    expect((await exchange(rp, stale)).claims()!.auth_time).toBeGreaterThan(loggedInAt - 600)
  })

  it('Core 1.0 §3.1.2.1: with prompt=none, an id_token_hint naming someone else than the signed-in person answers login_required', async () => {
    const browser = new Browser()
    const aliceToken = (await signIn(browser, rp, alice.person)).id_token!
    const bobToken = (await signIn(new Browser(), rp, bob.person)).id_token!

    const same = await authorize(browser, rp, { params: { prompt: 'none', id_token_hint: aliceToken } })
    expect(responseOf(same).get('code')).toBeTruthy()
    const other = await authorize(browser, rp, { params: { prompt: 'none', id_token_hint: bobToken } })
    expect(responseOf(other).get('error')).toBe('login_required')
  })

  it('Core 1.0 §2: the ID token says how and when the person logged in: amr, acr and auth_time', async () => {
    const claims = (await signIn(new Browser(), rp, alice.person)).claims()!
    expect(claims.amr).toEqual(['pwd'])
    expect(claims.acr).toBe(ACR_VALUES.password)
    expect(Math.abs(claims.auth_time! - Date.now() / 1000)).toBeLessThan(120)
  })

  it('Core 1.0 §3.1.2.1 and §5.5.1.1: acr_values is voluntary: the ID token carries the acr actually reached', async () => {
    const authorization = await authorize(bob.browser, rp, { params: { acr_values: 'urn:example:acr:hardware-key' } })
    expect((await exchange(rp, authorization)).claims()!.acr).toBe(ACR_VALUES.password)
  })

  it('Core 1.0 §5.5.1.1: an essential acr that cannot be reached fails the authentication (unmet_authentication_requirements)', async () => {
    const unreachable = JSON.stringify({ id_token: { acr: { essential: true, values: ['urn:example:acr:hardware-key'] } } })
    const refused = await authorize(bob.browser, rp, { params: { claims: unreachable } })
    expect(refused.askedPassword).toBe(false)
    expect(responseOf(refused).get('error')).toBe('unmet_authentication_requirements')
    expect(responseOf(refused).get('code')).toBeNull()

    const reachable = JSON.stringify({ id_token: { acr: { essential: true, value: ACR_VALUES.password } } })
    const granted = await authorize(bob.browser, rp, { params: { claims: reachable } })
    expect((await exchange(rp, granted)).claims()!.acr).toBe(ACR_VALUES.password)
  })
})
