import { buildClient } from './clients'
import type { Config } from './config'
import type { ClientRecord } from './queries/clients'

/** The portal, our own application: first-party (no consent screen), refresh tokens, logout back home. */
export function portalClient(config: Config): ClientRecord {
  return buildClient({
    clientId: 'portal',
    clientSecret: config.secrets.portalClientSecret,
    name: 'Web Services Entreprise',
    redirectUris: [`${config.portal.url}/auth/callback`],
    postLogoutRedirectUris: [`${config.portal.url}/`],
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
    tool: true,
    firstParty: true,
  }, config.secrets.signingKeysSecret).client
}
