import * as oidc from 'openid-client'
import type { Config } from '@opcommerce/shared/config'

export const PORTAL_CLIENT_ID = 'portal'
/** The portal reads memberships from the database, so it does not ask for the `companies` claim. */
export const PORTAL_SCOPE = 'openid profile email'

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
