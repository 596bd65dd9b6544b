import * as client from 'openid-client'

const SCOPE = 'openid profile email companies'

/** Discovers the provider; plain http is accepted for a localhost issuer only. */
export function connect(issuer: string, clientId: string, clientSecret: string): Promise<client.Configuration> {
  const local = issuer.startsWith('http://localhost')
  return client.discovery(new URL(issuer), clientId, clientSecret, undefined, local ? { execute: [client.allowInsecureRequests] } : undefined)
}

/** Where to send the browser; keep `check` in the user's session until the callback. */
export async function startLogin(config: client.Configuration, redirectUri: string) {
  const check = { codeVerifier: client.randomPKCECodeVerifier(), state: client.randomState(), nonce: client.randomNonce() }
  const url = client.buildAuthorizationUrl(config, {
    redirect_uri: redirectUri,
    scope: SCOPE,
    code_challenge: await client.calculatePKCECodeChallenge(check.codeVerifier),
    code_challenge_method: 'S256',
    state: check.state,
    nonce: check.nonce,
  })
  return { url, check }
}

/** On the redirect_uri: exchanges the code, checks state, nonce and PKCE; the claims say who and which companies. */
export async function finishLogin(config: client.Configuration, callbackUrl: URL, check: { codeVerifier: string; state: string; nonce: string }) {
  const tokens = await client.authorizationCodeGrant(config, callbackUrl, {
    pkceCodeVerifier: check.codeVerifier,
    expectedState: check.state,
    expectedNonce: check.nonce,
  })
  return { tokens, claims: tokens.claims()! }
}

/** New tokens, with the memberships as they are now; the old refresh token stops working. */
export function refresh(config: client.Configuration, refreshToken: string) {
  return client.refreshTokenGrant(config, refreshToken)
}

/**
 * To end the single sign-on session too: a form the browser posts (render it with these hidden
 * fields and submit it), so that the ID token never sits in a URL that proxies and histories keep.
 */
export function logoutForm(config: client.Configuration, idToken: string, postLogoutRedirectUri: string) {
  return {
    action: config.serverMetadata().end_session_endpoint!,
    fields: { id_token_hint: idToken, post_logout_redirect_uri: postLogoutRedirectUri },
  }
}
