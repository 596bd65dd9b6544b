import { randomBytes } from 'node:crypto'
import { NextResponse, type NextRequest } from 'next/server'
import * as oidc from 'openid-client'
import { loadConfig, type Config } from '@opcommerce/shared/config'
import { idpConfiguration, sessionTokens } from './src/lib/oidc'
import { cookieOptions, sealSession, SESSION_COOKIE, unsealSession } from './src/lib/session'

const REFRESH_MARGIN = 60 // seconds before the access token expires

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
 * Keeps the portal session in step with the SSO session: shortly before the access token
 * expires, the tokens are refreshed; when the idp refuses (logout elsewhere, password reset),
 * the portal session ends too. Returns the new cookie value, null to delete it, undefined to
 * leave it.
 */
async function refreshedSession(request: NextRequest, config: Config): Promise<string | null | undefined> {
  const secret = config.secrets.portalSessionSecret
  const value = request.cookies.get(SESSION_COOKIE)?.value
  if (!value) return undefined
  const session = await unsealSession(value, secret)
  if (!session || !session.refreshToken) return null
  if (session.accessTokenExpiresAt - Math.floor(Date.now() / 1000) > REFRESH_MARGIN) return undefined
  try {
    const tokens = await oidc.refreshTokenGrant(await idpConfiguration(config), session.refreshToken)
    return await sealSession({ ...session, ...sessionTokens(tokens, new Date()) }, secret)
  } catch (error) {
    // The idp refused: the SSO session is over. Unreachable: keep the session, try again next time.
    return error instanceof oidc.ResponseBodyError ? null : undefined
  }
}

export async function proxy(request: NextRequest) {
  portalConfig ??= loadConfig()
  const nonce = randomBytes(16).toString('base64')
  const policy = contentSecurityPolicy(nonce, portalConfig)
  const session = await refreshedSession(request, portalConfig)
  if (session === null) request.cookies.delete(SESSION_COOKIE)
  else if (session) request.cookies.set(SESSION_COOKIE, session)
  const headers = new Headers(request.headers)
  headers.set('content-security-policy', policy)
  headers.set('x-nonce', nonce)
  const response = NextResponse.next({ request: { headers } })
  response.headers.set('content-security-policy', policy)
  if (session === null) response.cookies.delete(SESSION_COOKIE)
  else if (session) response.cookies.set(SESSION_COOKIE, session, cookieOptions(portalConfig.portal.url))
  return response
}

export const config = { matcher: ['/((?!_next/static|_next/image|favicon.ico|auth/).*)'] }
