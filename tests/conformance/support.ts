/**
 * The conformance suite's relying parties: clients registered as `clients create` does, driven
 * by openid-client (a library independent of the idp) and a cookie-keeping Browser.
 */
import { createServer, type IncomingMessage } from 'node:http'
import { decodeJwt, decodeProtectedHeader, type JWTPayload } from 'jose'
import * as oidc from 'openid-client'
import type { ClientRegistration } from '@opcommerce/shared/clients'
import { listen } from '@opcommerce/shared/process'
import { newPerson, registerValidated, type Person } from '../support/accounts'
import { Browser, type Page } from '../support/browser'
import { registerClient } from '../support/clients'
import type { IdpStack } from '../support/idp'
import { authorizationRequest, discoverClient, type AuthorizationRequest } from '../support/oidc'
import { freePort } from '../support/ports'

export const SCOPE = 'openid profile email'

/** A relying party of the suite: its registration and what openid-client discovered. */
export interface RelyingParty {
  clientId: string
  secret: string
  redirectUri: string
  config: oidc.Configuration
}

let nextPort = 0
/** Registers a confidential client (first party: no consent screen) and discovers the idp for it. */
export async function relyingParty(stack: IdpStack, clientId: string, registration: Partial<ClientRegistration> = {}): Promise<RelyingParty> {
  const secret = `${clientId}-secret-0123456789abcdefghijklmnopqrstuv`
  const redirectUri = `http://localhost:${7900 + (nextPort++ % 90)}/${clientId}/callback`
  await registerClient(stack.database.knex, {
    clientId,
    clientSecret: secret,
    redirectUris: [redirectUri],
    postLogoutRedirectUris: [`${new URL(redirectUri).origin}/`],
    firstParty: true,
    ...registration,
  })
  return { clientId, secret, redirectUri, config: await discoverClient(stack.idp.issuer, clientId, secret) }
}

/** A validated person and a browser holding no session yet. */
export async function validatedPerson(stack: IdpStack, givenName: string, familyName: string): Promise<{ person: Person; browser: Browser }> {
  const person = newPerson(givenName, familyName)
  await registerValidated(new Browser(), stack.idp.issuer, stack.smtp, person)
  return { person, browser: new Browser() }
}

export interface Authorization {
  request: AuthorizationRequest
  /** Where the browser ended: the redirect_uri with the response, or a page of the idp. */
  page: Page
  /** Whether the idp showed its login form on the way. */
  askedPassword: boolean
}

/**
 * An authorization request (GET, or a form POST, Core 1.0 §3.1.2.1) in `browser`; when the idp
 * asks for a password and `person` is given, they type theirs. Stops at the redirect_uri.
 */
export async function authorize(
  browser: Browser,
  rp: RelyingParty,
  options: { person?: Person; params?: Record<string, string>; method?: 'GET' | 'POST'; scope?: string } = {},
): Promise<Authorization> {
  const request = await authorizationRequest(rp.config, rp.redirectUri, options.scope ?? SCOPE, options.params)
  const url = new URL(request.url)
  let page =
    options.method === 'POST'
      ? await browser.post(`${url.origin}${url.pathname}`, url.searchParams, { stopAt: rp.redirectUri })
      : await browser.get(request.url, { stopAt: rp.redirectUri })
  const askedPassword = page.document.querySelector('input[name="password"]') !== null
  if (askedPassword && options.person) {
    page = await browser.submit(page, /\/login$/u, { email: options.person.email, password: options.person.password }, { stopAt: rp.redirectUri })
  }
  return { request, page, askedPassword }
}

/** The parameters of the authorization response (Core 1.0 §3.1.2.5, §3.1.2.6). */
export const responseOf = (authorization: Authorization) => new URL(authorization.page.url).searchParams

/** Exchanges the code of an authorization response, checking state, nonce and PKCE. */
export function exchange(rp: RelyingParty, { request, page }: Authorization) {
  return oidc.authorizationCodeGrant(rp.config, new URL(page.url), { pkceCodeVerifier: request.verifier, expectedState: request.state, expectedNonce: request.nonce })
}

/** Signs `person` in to `rp` in `browser` and returns the tokens. */
export async function signIn(browser: Browser, rp: RelyingParty, person: Person) {
  return exchange(rp, await authorize(browser, rp, { person }))
}

/** Reads `read` until `done` says yes (deliveries happen in the background), then returns what it read. */
export async function until<T>(read: () => Promise<T>, done: (value: T) => boolean, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const value = await read()
    if (done(value)) return value
    if (Date.now() > deadline) throw new Error(`Still not there after ${timeoutMs} ms: ${JSON.stringify(value)}`)
    await new Promise((resolve) => setTimeout(resolve, 25))
  }
}

/** A logout token as it arrived: its header and claims, not yet verified. */
export interface ReceivedLogoutToken {
  token: string
  header: ReturnType<typeof decodeProtectedHeader>
  claims: JWTPayload & { sid?: string; events?: Record<string, unknown>; nonce?: string }
}

/** A client's back-channel logout endpoint: keeps what is posted to it, answers `status` (200 unless told). */
export interface LogoutReceiver {
  uri: string
  received: ReceivedLogoutToken[]
  status: number
  /** Resolves once `count` tokens have arrived in all. */
  waitFor(count: number, timeoutMs?: number): Promise<ReceivedLogoutToken[]>
  close(): Promise<void>
}

async function formOf(request: IncomingMessage): Promise<URLSearchParams> {
  let body = ''
  for await (const chunk of request) body += String(chunk)
  return new URLSearchParams(body)
}

export async function startLogoutReceiver(): Promise<LogoutReceiver> {
  const port = await freePort()
  const receiver: LogoutReceiver = {
    uri: `http://localhost:${port}/backchannel-logout`,
    received: [],
    status: 200,
    waitFor: (count, timeoutMs) => until(async () => receiver.received, (received) => received.length >= count, timeoutMs),
    close: () => new Promise((resolve) => server.close(() => resolve())),
  }
  const server = createServer((request, response) => {
    formOf(request)
      .then((form) => {
        const token = form.get('logout_token') ?? ''
        if (receiver.status === 200) receiver.received.push({ token, header: decodeProtectedHeader(token), claims: decodeJwt(token) })
        response.writeHead(receiver.status).end()
      })
      .catch(() => response.writeHead(400).end())
  })
  await listen(server, port, 'logout receiver')
  return receiver
}
