import { NextResponse, type NextRequest } from 'next/server'
import * as oidc from 'openid-client'
import { loadConfig, type Config } from '@opcommerce/shared/config'
import { idpConfiguration, sessionTokens } from './src/lib/oidc'
import { cookieOptions, sealSession, SESSION_COOKIE, unsealSession } from './src/lib/session'

const REFRESH_MARGIN = 60 // seconds before the access token expires

let portalConfig: Config | undefined

/**
 * Keeps the portal session in step with the SSO session: shortly before the access token
 * expires, the tokens are refreshed; when the idp refuses (logout elsewhere, password reset),
 * the portal session ends too.
 */
export async function proxy(request: NextRequest) {
  portalConfig ??= loadConfig()
  const secret = portalConfig.secrets.portalSessionSecret
  const value = request.cookies.get(SESSION_COOKIE)?.value
  if (!value) return NextResponse.next()
  const session = await unsealSession(value, secret)
  const dropSession = () => {
    request.cookies.delete(SESSION_COOKIE)
    const response = NextResponse.next({ request: { headers: request.headers } })
    response.cookies.delete(SESSION_COOKIE)
    return response
  }
  if (!session) return dropSession()
  if (session.accessTokenExpiresAt - Math.floor(Date.now() / 1000) > REFRESH_MARGIN) return NextResponse.next()
  if (!session.refreshToken) return dropSession()
  try {
    const tokens = await oidc.refreshTokenGrant(await idpConfiguration(portalConfig), session.refreshToken)
    const sealed = await sealSession({ ...session, ...sessionTokens(tokens, new Date()) }, secret)
    request.cookies.set(SESSION_COOKIE, sealed)
    const response = NextResponse.next({ request: { headers: request.headers } })
    response.cookies.set(SESSION_COOKIE, sealed, cookieOptions(portalConfig.portal.url))
    return response
  } catch (error) {
    if (error instanceof oidc.ResponseBodyError) return dropSession()
    // The idp cannot be reached: keep the session, the next request tries again.
    return NextResponse.next()
  }
}

export const config = { matcher: ['/((?!_next/|favicon.ico|auth/).*)'] }
