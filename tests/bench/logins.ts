import http from 'node:http'
import * as oidc from 'openid-client'
import { authorizationRequest } from '../support/oidc'

/**
 * A browser reduced to what a login needs (cookies by name, redirects, the login form's hidden
 * fields), so that the load generator spends little of the CPU it shares with the idp.
 * tests/support/browser.ts parses every page as a DOM, which is right for tests, not for load.
 */
class LeanBrowser {
  readonly #cookies = new Map<string, string>()

  constructor(private readonly forwardedFor: string) {}

  /** Follows redirects from `url`; stops before `stopAt` (the client's redirect_uri). */
  async navigate(url: string, stopAt: string, body?: URLSearchParams): Promise<{ url: string; html: string }> {
    let current = url
    let form = body?.toString()
    for (let hops = 0; hops < 10; hops++) {
      if (current.startsWith(stopAt)) return { url: current, html: '' }
      const response = await send(current, form, {
        cookie: [...this.#cookies].map(([name, value]) => `${name}=${value}`).join('; '),
        'x-forwarded-for': this.forwardedFor,
        ...(form ? { 'content-type': 'application/x-www-form-urlencoded' } : {}),
      })
      for (const cookie of response.headers['set-cookie'] ?? []) {
        const [name, value = ''] = cookie.slice(0, cookie.indexOf(';')).split('=', 2)
        if (value) this.#cookies.set(name!, value)
        else this.#cookies.delete(name!)
      }
      const { location } = response.headers
      if (response.status >= 300 && response.status < 400 && location) {
        current = new URL(location, current).toString()
        form = undefined
        continue
      }
      if (response.status !== 200) throw new Error(`${response.status} at ${current}`)
      return { url: current, html: response.body }
    }
    throw new Error(`too many redirects from ${url}`)
  }
}

/** Connections kept open between requests, as a reverse proxy keeps them to the idp. */
const agent = new http.Agent({ keepAlive: true })

/** A GET, or a POST of `form`, with node:http: less CPU per request than fetch, for a load generator that shares the idp's cores. */
function send(url: string, form: string | undefined, headers: http.OutgoingHttpHeaders): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: string }> {
  return new Promise((resolve, reject) => {
    const request = http.request(url, { method: form === undefined ? 'GET' : 'POST', headers, agent }, (response) => {
      let body = ''
      response.setEncoding('utf8')
      response.on('data', (chunk: string) => (body += chunk))
      response.on('end', () => resolve({ status: response.statusCode!, headers: response.headers, body }))
      response.on('error', reject)
    })
    request.on('error', reject)
    request.end(form)
  })
}

const attribute = (tag: string, name: string) => new RegExp(`${name}="([^"]*)"`, 'u').exec(tag)?.[1]?.replaceAll('&amp;', '&')

/** The action and hidden fields of the page's login form. */
function loginForm(html: string, pageUrl: string): { action: string; fields: URLSearchParams } {
  const form = /<form[^>]*action="([^"]*\/login)"[^>]*>([\s\S]*?)<\/form>/u.exec(html)
  if (!form) throw new Error(`no login form at ${pageUrl}`)
  const fields = new URLSearchParams()
  for (const [input] of form[2]!.matchAll(/<input[^>]*type="hidden"[^>]*>/gu)) fields.set(attribute(input, 'name')!, attribute(input, 'value') ?? '')
  return { action: new URL(form[1]!, pageUrl).toString(), fields }
}

let addresses = 0
/** A different client address for each login, as many people behind the reverse proxy. */
const nextAddress = () => {
  const n = ++addresses
  return `10.${(n >> 16) & 255}.${(n >> 8) & 255}.${n & 255}`
}

/**
 * One complete login as an application sees it: the authorization request (PKCE, state, nonce),
 * the login form when the provider shows one, the code exchange with its ID token checked.
 */
export async function logIn(config: oidc.Configuration, redirectUri: string, credentials: { email: string; password: string }) {
  const request = await authorizationRequest(config, redirectUri)
  const browser = new LeanBrowser(nextAddress())
  let page = await browser.navigate(request.url, redirectUri)
  if (!page.url.startsWith(redirectUri)) {
    const { action, fields } = loginForm(page.html, page.url)
    fields.set('email', credentials.email)
    fields.set('password', credentials.password)
    page = await browser.navigate(action, redirectUri, fields)
  }
  return oidc.authorizationCodeGrant(config, new URL(page.url), {
    pkceCodeVerifier: request.verifier,
    expectedState: request.state,
    expectedNonce: request.nonce,
  })
}

export interface LoginsResult {
  perSecond: number
  p50Ms: number
  p99Ms: number
  errors: number
}

/** Complete logins, `concurrency` at a time for `seconds`, each worker with its own user. */
export async function measureLogins(
  config: oidc.Configuration,
  redirectUri: string,
  users: { email: string; password: string }[],
  seconds: number,
): Promise<LoginsResult> {
  const durations: number[] = []
  let errors = 0
  const started = performance.now()
  const deadline = started + seconds * 1000
  await Promise.all(
    users.map(async (user) => {
      while (performance.now() < deadline) {
        const begun = performance.now()
        try {
          await logIn(config, redirectUri, user)
          durations.push(performance.now() - begun)
        } catch (error) {
          if (errors++ === 0) console.error('login failed:', error)
        }
      }
    }),
  )
  durations.sort((a, b) => a - b)
  const percentile = (p: number) => durations[Math.min(durations.length - 1, Math.floor((p / 100) * durations.length))] ?? 0
  return { perSecond: durations.length / ((performance.now() - started) / 1000), p50Ms: percentile(50), p99Ms: percentile(99), errors }
}
