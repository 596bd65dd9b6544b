import { randomBytes } from 'node:crypto'
import { NextResponse, type NextRequest } from 'next/server'
import { loadConfig, type Config } from '@opcommerce/shared/config'

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

/** Security headers of every page: a fresh nonce per response, HSTS behind https. */
export function proxy(request: NextRequest) {
  portalConfig ??= loadConfig()
  const nonce = randomBytes(16).toString('base64')
  const policy = contentSecurityPolicy(nonce, portalConfig)
  const headers = new Headers(request.headers)
  headers.set('content-security-policy', policy)
  headers.set('x-nonce', nonce)
  const response = NextResponse.next({ request: { headers } })
  response.headers.set('content-security-policy', policy)
  if (portalConfig.portal.url.startsWith('https:')) response.headers.set('strict-transport-security', 'max-age=31536000; includeSubDomains')
  return response
}

export const config = { matcher: ['/((?!_next/static|_next/image|favicon.ico|auth/).*)'] }
