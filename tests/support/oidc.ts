import * as oidc from 'openid-client'

/** What a relying party knows after discovery: the idp's metadata and its own credentials. */
export function discoverClient(issuer: string, clientId: string, secret?: string): Promise<oidc.Configuration> {
  return oidc.discovery(new URL(issuer), clientId, secret, undefined, { execute: [oidc.allowInsecureRequests] })
}

export interface AuthorizationRequest {
  url: string
  verifier: string
  state: string
  nonce: string
}

/** An authorization code request with PKCE (S256), state and nonce, as our applications send it; `extra` adds or overrides parameters. */
export async function authorizationRequest(
  configuration: oidc.Configuration,
  redirectUri: string,
  scope = 'openid profile email companies',
  extra: Record<string, string> = {},
): Promise<AuthorizationRequest> {
  const verifier = oidc.randomPKCECodeVerifier()
  const state = oidc.randomState()
  const nonce = oidc.randomNonce()
  const url = oidc.buildAuthorizationUrl(configuration, {
    redirect_uri: redirectUri,
    scope,
    code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
    code_challenge_method: 'S256',
    state,
    nonce,
    ...extra,
  })
  return { url: url.toString(), verifier, state: extra.state ?? state, nonce: extra.nonce ?? nonce }
}
