import { buildClient } from './clients'
import type { Config } from './config'
import type { Knex } from './db/knex'
import { createClientQueries, type ClientRecord } from './queries/clients'

/**
 * The portal, our own application: first-party (no consent screen), refresh tokens, logout back
 * home, and told by a logout token when the SSO session ends elsewhere.
 */
export function portalClient(config: Config): ClientRecord {
  return buildClient({
    clientId: 'portal',
    clientSecret: config.secrets.portalClientSecret,
    name: 'Web Services Entreprise',
    redirectUris: [`${config.portal.url}/auth/callback`],
    postLogoutRedirectUris: [`${config.portal.url}/`],
    backchannelLogoutUri: `${config.portal.url}/auth/backchannel-logout`,
    firstParty: true,
  }, config.secrets.signingKeysSecret).client
}

/** The small demo tool of `npm start`: shows who is signed in and their `companies` claim. */
export function demoToolClient(config: Config): ClientRecord {
  return buildClient({
    clientId: 'demo-tool',
    clientSecret: config.secrets.demoToolClientSecret,
    name: 'Outil de démonstration',
    description: "Affiche l'identité et les entreprises que l'authentification unique transmet aux outils.",
    redirectUris: [`${config.demoTool.url}/callback`],
    postLogoutRedirectUris: [`${config.demoTool.url}/`],
    url: config.demoTool.url,
    initiateLoginUri: `${config.demoTool.url}/login`,
    backchannelLogoutUri: `${config.demoTool.url}/backchannel-logout`,
    tool: true,
    firstParty: true,
  }, config.secrets.signingKeysSecret).client
}

/**
 * Registers the portal as the client it is configured to be (PORTAL_URL, PORTAL_CLIENT_SECRET):
 * done by every migration run, so that a new portal address or secret is known to the idp before
 * the portal restarts with it.
 */
export async function registerPortalClient(db: Knex, config: Config): Promise<ClientRecord> {
  const client = portalClient(config)
  await createClientQueries(db).save(client)
  return client
}
