import { randomBytes } from 'node:crypto'
import { NextResponse, type NextRequest } from 'next/server'
import { loadConfig, type Config } from '@opcommerce/shared/config'
import { unavailableResponse } from '@/handlers/http'
import { databaseAnswers } from '@/lib/availability'
import { cookieNames, expireCookie, FLASH_HEADER } from '@/lib/cookies'

let portalConfig: Config | undefined

/**
 * A strict Content-Security-Policy: scripts only with this response's nonce (Next.js adds it to
 * its own). Forms may post here and to the idp (logout goes on there).
 */
function contentSecurityPolicy(nonce: string, config: Config): string {
  return [
    "default-src 'self'",
    `script-src 'self' 'nonce-${nonce}' 'strict-dynamic'`,
    `style-src 'self' 'nonce-${nonce}'`,
    "img-src 'self' data:",
    "font-src 'self'",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    `form-action 'self' ${new URL(config.idp.issuer).origin}`,
    "frame-ancestors 'none'",
    ...(config.portal.url.startsWith('https:') ? ['upgrade-insecure-requests'] : []),
  ].join('; ')
}

/**
 * Every page: 503 with a French page while the database is away, and security headers (a fresh
 * CSP nonce per response, HSTS behind https; the other headers are in next.config.ts). The flash
 * of a form posted without JavaScript (route handlers set it) is handed to this one page, as a
 * request header nobody else can set, and its cookie deleted.
 */
export async function proxy(request: NextRequest) {
  portalConfig ??= loadConfig()
  const nonce = randomBytes(16).toString('base64')
  const policy = contentSecurityPolicy(nonce, portalConfig)
  const secured = <Response extends { headers: Headers }>(response: Response): Response => {
    response.headers.set('content-security-policy', policy)
    if (portalConfig!.portal.url.startsWith('https:')) response.headers.set('strict-transport-security', 'max-age=31536000; includeSubDomains')
    return response
  }
  // The route handlers of /api answer their own failures (JSON for the forms).
  if (!request.nextUrl.pathname.startsWith('/api/') && !(await databaseAnswers())) return secured(unavailableResponse())
  const headers = new Headers(request.headers)
  headers.set('content-security-policy', policy)
  headers.set('x-nonce', nonce)
  headers.delete(FLASH_HEADER)
  // A prefetch is not the page the person goes to: it leaves the flash for the navigation.
  const flashCookie = cookieNames(portalConfig).flash
  const flash = request.headers.has('next-router-prefetch') ? undefined : request.cookies.get(flashCookie)?.value
  if (flash) headers.set(FLASH_HEADER, flash)
  const response = NextResponse.next({ request: { headers } })
  if (flash) expireCookie(response, flashCookie, portalConfig.portal.url)
  return secured(response)
}

export const config = { matcher: ['/((?!_next/static|_next/image|favicon.ico|auth/).*)'] }
