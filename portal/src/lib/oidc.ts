import * as oidc from 'openid-client'
import type { Config } from '@opcommerce/shared/config'
import type { Session } from './session'

export const PORTAL_CLIENT_ID = 'portal'
export const PORTAL_SCOPE = 'openid profile email companies'

const configurations = new Map<string, Promise<oidc.Configuration>>()

/** The idp's metadata, discovered once per process (again after a failure). */
export function idpConfiguration(config: Config): Promise<oidc.Configuration> {
  const issuer = config.idp.issuer
  let configuration = configurations.get(issuer)
  if (!configuration) {
    // Plain http is only allowed for a local issuer (development, tests).
    const insecure = new URL(issuer).protocol === 'http:'
    configuration = oidc.discovery(new URL(issuer), PORTAL_CLIENT_ID, config.secrets.portalClientSecret, undefined, {
      execute: insecure ? [oidc.allowInsecureRequests] : [],
    })
    configuration.catch(() => configurations.delete(issuer))
    configurations.set(issuer, configuration)
  }
  return configuration
}

export const redirectUri = (config: Config) => `${config.portal.url}/auth/callback`

/** The session's identity and tokens after a code exchange or a refresh. */
export function sessionTokens(
  tokens: oidc.TokenEndpointResponse & oidc.TokenEndpointResponseHelpers,
  now: Date,
): Pick<Session, 'sub' | 'email' | 'givenName' | 'familyName' | 'idToken' | 'refreshToken' | 'accessTokenExpiresAt'> {
  const claims = tokens.claims()!
  return {
    sub: claims.sub,
    email: String(claims.email),
    givenName: String(claims.given_name),
    familyName: String(claims.family_name),
    idToken: tokens.id_token!,
    refreshToken: tokens.refresh_token,
    accessTokenExpiresAt: Math.floor(now.getTime() / 1000) + (tokens.expiresIn() ?? 600),
  }
}
