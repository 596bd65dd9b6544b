/** The opaque value of a portal session (see portal-sessions.ts). */
export const SESSION_COOKIE = 'portal_session'
/** The encrypted pending login (see pending-login.ts). */
export const LOGIN_COOKIE = 'portal_login'
/** The encrypted outcome of a form posted without JavaScript, shown once by the next page (see flash.ts). */
export const FLASH_COOKIE = 'portal_flash'
/** The request header through which proxy.ts hands the flash cookie to the page (and deletes the cookie). */
export const FLASH_HEADER = 'x-portal-flash'

/** Attributes of the portal's cookies: not readable by scripts, not sent cross-site. */
export function cookieOptions(portalUrl: string, maxAge?: number) {
  return { httpOnly: true, sameSite: 'lax' as const, secure: portalUrl.startsWith('https:'), path: '/', ...(maxAge === undefined ? {} : { maxAge }) }
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
