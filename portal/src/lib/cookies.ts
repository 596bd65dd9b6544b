import type { Config } from '@opcommerce/shared/config'

/**
 * The portal's cookies: the opaque value of a portal session (portal-sessions.ts), the encrypted
 * pending login (pending-login.ts) and the encrypted outcome of a form posted without JavaScript,
 * shown once by the next page (flash.ts). Over https their names carry the `__Host-` prefix, so
 * the browser keeps them secure, for the whole host and from this host only; the development
 * setup is plain http on localhost, where the prefix cannot be used.
 */
export function cookieNames(config: Config): { session: string; login: string; flash: string } {
  const prefix = config.portal.url.startsWith('https:') ? '__Host-' : ''
  return { session: `${prefix}portal_session`, login: `${prefix}portal_login`, flash: `${prefix}portal_flash` }
}

/** The request header through which proxy.ts hands the flash cookie to the page (and deletes the cookie). */
export const FLASH_HEADER = 'x-portal-flash'

/** Attributes of the portal's cookies: not readable by scripts, not sent cross-site. */
export function cookieOptions(portalUrl: string, maxAge?: number) {
  return { httpOnly: true, sameSite: 'lax' as const, secure: portalUrl.startsWith('https:'), path: '/', ...(maxAge === undefined ? {} : { maxAge }) }
}

/** Expires a cookie with the attributes it was set with (a `__Host-` cookie is only replaced by a secure one for path /). */
export function expireCookie(response: { cookies: { set(name: string, value: string, options: object): unknown } }, name: string, portalUrl: string): void {
  response.cookies.set(name, '', cookieOptions(portalUrl, 0))
}

/** A cookie of the request; a malformed header reads as no cookie. */
export function cookieOf(request: Request, name: string): string | undefined {
  const header = request.headers.get('cookie') ?? ''
  for (const part of header.split(';')) {
    const [key, ...value] = part.trim().split('=')
    if (key !== name) continue
    try {
      return decodeURIComponent(value.join('='))
    } catch {
      return undefined
    }
  }
  return undefined
}
