import { InvalidLogoutTokenError, verifyLogoutToken } from '@opcommerce/shared/logout-token'
import type { PortalContext } from '@/lib/context'
import { idpConfiguration, PORTAL_CLIENT_ID } from '@/lib/oidc'

/** Back-Channel Logout 1.0 §2.8: 200 when done, 400 with an OAuth error otherwise; never cached. */
function answer(status: 200 | 400, error?: string): Response {
  const body = error ? JSON.stringify({ error: 'invalid_request', error_description: error }) : null
  return new Response(body, { status, headers: { 'Cache-Control': 'no-store', ...(body ? { 'Content-Type': 'application/json' } : {}) } })
}

/**
 * POST /auth/backchannel-logout: the idp says an SSO session ended (logout from any
 * application, password reset…). The portal sessions opened under it end at once, rather than
 * at their next refresh. The token is the only credential: no cookie, no CSRF field.
 */
export async function backchannelLogout(context: PortalContext, request: Request): Promise<Response> {
  const { config, logger } = context
  const token = await request
    .formData()
    .then((form) => form.get('logout_token'))
    .catch(() => null)
  if (typeof token !== 'string' || token === '') return answer(400, 'logout_token is missing')
  try {
    const claims = await verifyLogoutToken(token, {
      issuer: config.idp.issuer,
      clientId: PORTAL_CLIENT_ID,
      jwksUri: (await idpConfiguration(config)).serverMetadata().jwks_uri!,
    })
    if (!(await context.sessions.endLoggedOut(claims))) return answer(400, 'logout token already used')
    return answer(200)
  } catch (error) {
    if (!(error instanceof InvalidLogoutTokenError)) throw error
    logger.warn({ err: error }, 'logout token refused')
    return answer(400, error.message)
  }
}
