import { NextResponse } from 'next/server'
import * as oidc from 'openid-client'
import { isDatabaseUnavailable } from '@opcommerce/shared/db/knex'
import { isAppError } from '@opcommerce/shared/errors'
import { html } from '@opcommerce/shared/html'
import { renderPage } from '@opcommerce/shared/ui/page'
import type { PortalContext } from '@/lib/context'
import { idpConfiguration, PORTAL_SCOPE, redirectUri } from '@/lib/oidc'
import { cookieNames, cookieOf, cookieOptions, expireCookie } from '@/lib/cookies'
import { messages } from '@/lib/messages'
import { PENDING_LOGIN_LIFETIME, safeReturnTo, sealPendingLogin, unsealPendingLogin } from '@/lib/pending-login'
import { sessionTokens } from '@/lib/portal-sessions'
import { readSession, unavailableResponse, verifyForm } from './http'

/** GET /auth/login: starts an authorization request (code + PKCE S256, state and nonce). */
export async function startLogin(context: PortalContext, request: Request): Promise<Response> {
  const { config, now } = context
  const codeVerifier = oidc.randomPKCECodeVerifier()
  const pending = {
    state: oidc.randomState(),
    nonce: oidc.randomNonce(),
    codeVerifier,
    returnTo: safeReturnTo(new URL(request.url).searchParams.get('returnTo')) ?? '',
  }
  const authorizationUrl = oidc.buildAuthorizationUrl(await idpConfiguration(config), {
    redirect_uri: redirectUri(config),
    scope: PORTAL_SCOPE,
    code_challenge: await oidc.calculatePKCECodeChallenge(codeVerifier),
    code_challenge_method: 'S256',
    state: pending.state,
    nonce: pending.nonce,
  })
  const response = NextResponse.redirect(authorizationUrl, 303)
  response.cookies.set(cookieNames(config).login, sealPendingLogin(pending, config.secrets.portalSessionSecret, now()), cookieOptions(config.portal.url, PENDING_LOGIN_LIFETIME / 1000))
  return response
}

/** GET /auth/callback: checks state, nonce and PKCE, then opens the portal session. */
export async function finishLogin(context: PortalContext, request: Request): Promise<Response> {
  const { config, logger, now } = context
  const names = cookieNames(config)
  const pending = unsealPendingLogin(cookieOf(request, names.login), config.secrets.portalSessionSecret, now())
  const requestUrl = new URL(request.url)
  const fail = () => {
    const response = NextResponse.redirect(new URL('/?erreur=connexion', config.portal.url), 303)
    expireCookie(response, names.login, config.portal.url)
    return response
  }
  // No login in progress in this browser (cookies refused, or a stale callback): say so, do not loop.
  if (!pending) return fail()
  try {
    const tokens = await oidc.authorizationCodeGrant(
      await idpConfiguration(config),
      new URL(`${requestUrl.pathname}${requestUrl.search}`, config.portal.url),
      { pkceCodeVerifier: pending.codeVerifier, expectedState: pending.state, expectedNonce: pending.nonce },
    )
    const session = sessionTokens(tokens, now())
    const target = pending.returnTo || (await context.memberships.landingPath(session.userId))
    const response = NextResponse.redirect(new URL(target, config.portal.url), 303)
    response.cookies.set(names.session, await context.sessions.open(session), cookieOptions(config.portal.url))
    expireCookie(response, names.login, config.portal.url)
    return response
  } catch (error) {
    if (isDatabaseUnavailable(error)) return unavailableResponse()
    logger.warn({ err: error }, 'login callback refused')
    return fail()
  }
}

/**
 * POST /auth/logout ("Se déconnecter"): ends the portal session, then the SSO session at the
 * idp. The ID token goes there as the hint in a form posted by the browser (RP-Initiated Logout
 * 1.0 §2), never in a URL that proxies and histories keep. The page is the idp's own logout
 * page in look and behaviour: its stylesheet, and its script that sends the form at once;
 * without JavaScript, its button does.
 */
export async function logout(context: PortalContext, request: Request): Promise<Response> {
  const { config } = context
  const session = await readSession(context, request)
  if (!session) {
    const response = NextResponse.redirect(new URL('/', config.portal.url), 303)
    expireCookie(response, cookieNames(config).session, config.portal.url)
    return response
  }
  try {
    await verifyForm(context, request, session)
  } catch (error) {
    if (isAppError(error)) return new Response(error.message, { status: error.status })
    throw error
  }
  await context.sessions.close(session)
  const idp = new URL(config.idp.issuer).origin
  const endSession = (await idpConfiguration(config)).serverMetadata().end_session_endpoint!
  const response = new NextResponse(logoutHandOver({ idp, endSession, idToken: session.idToken, postLogoutRedirectUri: `${config.portal.url}/` }), {
    status: 200,
    headers: {
      'Content-Type': 'text/html; charset=utf-8',
      // The page holds the ID token: never stored, never sent on as a referrer.
      'Cache-Control': 'no-store',
      'Referrer-Policy': 'no-referrer',
      'Content-Security-Policy': `default-src 'none'; script-src ${idp}; style-src ${idp}; form-action ${idp}; base-uri 'none'; frame-ancestors 'none'`,
    },
  })
  expireCookie(response, cookieNames(config).session, config.portal.url)
  return response
}

function logoutHandOver(options: { idp: string; endSession: string; idToken: string; postLogoutRedirectUri: string }): string {
  return renderPage({
    title: 'Se déconnecter',
    assets: `${options.idp}/assets`,
    scripts: ['auto-submit'],
    content: html`<div class="card">
<h1>Se déconnecter</h1>
<p>${messages.session.loggingOut}</p>
<form method="post" action="${options.endSession}">
  <input type="hidden" name="id_token_hint" value="${options.idToken}">
  <input type="hidden" name="post_logout_redirect_uri" value="${options.postLogoutRedirectUri}">
  <button class="button" type="submit" data-auto-submit>Se déconnecter</button>
</form>
</div>`,
  })
}
