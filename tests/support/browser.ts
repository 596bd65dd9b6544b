import { parse, type HTMLElement } from 'node-html-parser'
import { CookieJar } from 'tough-cookie'

export interface Page {
  url: string
  status: number
  html: string
  document: HTMLElement
  headers: Headers
  /** Visible text, white space collapsed: what a person reads. */
  text: string
}

export interface NavigationOptions {
  /** Stops before requesting a URL starting with this (a client's redirect_uri): the page returned has that URL. */
  stopAt?: string
  /** Sent with every request of the navigation (X-Forwarded-For behind a trusted proxy, Origin…). */
  headers?: Record<string, string>
}

interface Request {
  method: 'GET' | 'POST'
  body?: URLSearchParams
}

/**
 * An HTTP client that behaves like a browser on our server-rendered pages: it keeps cookies
 * (per host whatever the port, as browsers do), follows redirects and submits forms with their
 * hidden fields. No JavaScript runs.
 */
export class Browser {
  readonly jar = new CookieJar()

  get(url: string, options: NavigationOptions = {}): Promise<Page> {
    return this.#navigate(url, { method: 'GET' }, options)
  }

  post(url: string, body: URLSearchParams, options: NavigationOptions = {}): Promise<Page> {
    return this.#navigate(url, { method: 'POST', body }, options)
  }

  /**
   * Fills and submits the form whose action matches, with its hidden fields, as if `button`
   * (or the named submit button tied to the form) were clicked.
   */
  submit(
    page: Page,
    action: string | RegExp,
    fields: Record<string, string> = {},
    options: NavigationOptions & { button?: { name: string; value: string } } = {},
  ): Promise<Page> {
    const form = page.document
      .querySelectorAll('form')
      .find((candidate) => {
        const target = candidate.getAttribute('action') ?? ''
        return typeof action === 'string' ? target === action : action.test(target)
      })
    if (!form) throw new Error(`No form ${action} on ${page.url}:\n${page.text}`)
    const body = new URLSearchParams()
    for (const input of form.querySelectorAll('input[type="hidden"]')) body.set(input.getAttribute('name')!, input.getAttribute('value') ?? '')
    const formId = form.getAttribute('id')
    const tiedButton = formId ? page.document.querySelector(`button[form="${formId}"][name]`) : null
    const button = options.button ?? (tiedButton ? { name: tiedButton.getAttribute('name')!, value: tiedButton.getAttribute('value') ?? '' } : undefined)
    if (button) body.set(button.name, button.value)
    for (const [name, value] of Object.entries(fields)) body.set(name, value)
    return this.post(new URL(form.getAttribute('action')!, page.url).toString(), body, options)
  }

  async #navigate(url: string, first: Request, { stopAt, headers = {} }: NavigationOptions): Promise<Page> {
    let current = url
    let request = first
    for (let hops = 0; hops < 20; hops++) {
      if (stopAt && current.startsWith(stopAt)) return toPage(current, 0, '', new Headers())
      const response = await fetch(current, {
        method: request.method,
        body: request.body,
        redirect: 'manual',
        headers: {
          accept: 'text/html',
          cookie: await this.jar.getCookieString(current),
          ...(request.body ? { 'content-type': 'application/x-www-form-urlencoded' } : {}),
          ...headers,
        },
      })
      for (const cookie of response.headers.getSetCookie()) await this.jar.setCookie(cookie, current)
      const location = response.headers.get('location')
      if (response.status >= 300 && response.status < 400 && location) {
        current = new URL(location, current).toString()
        request = { method: 'GET' }
        continue
      }
      return toPage(current, response.status, await response.text(), response.headers)
    }
    throw new Error(`Too many redirects from ${url}`)
  }
}

function toPage(url: string, status: number, html: string, headers: Headers): Page {
  const document = parse(html)
  const body = parse(html).querySelector('body') ?? parse(html)
  for (const hidden of body.querySelectorAll('script, style')) hidden.remove()
  return { url, status, html, document, headers, text: body.textContent.replace(/\s+/gu, ' ').trim() }
}

/** The link of a mail's HTML part whose text is `label`. */
export function linkInMail(html: string | false | undefined, label: string): string {
  const link = parse(html || '').querySelectorAll('a').find((anchor) => anchor.textContent.trim() === label)
  if (!link) throw new Error(`No link "${label}" in mail:\n${html}`)
  return link.getAttribute('href')!
}
