import { z } from 'zod'
import { decryptText, encryptText, randomToken } from './crypto'
import type { Knex } from './db/knex'
import { BadRequestError } from './errors'
import { createClientQueries, type ClientRecord } from './queries/clients'

/**
 * Client secrets are stored encrypted (AES-256-GCM under a key derived from SIGNING_KEYS_SECRET),
 * not hashed: oidc-provider needs the secret itself to check client_secret_basic/post in
 * constant time and to verify client_secret_jwt assertions (HMAC keyed by the secret). A copy of
 * the database alone reveals none of them.
 */
const SECRET_PURPOSE = 'oidc client secret'

export const encryptClientSecret = (secret: string, key: string) => encryptText(secret, key, SECRET_PURPOSE)
export const decryptClientSecret = (encrypted: string, key: string) => decryptText(encrypted, key, SECRET_PURPOSE)

/** Encrypts the secrets of clients saved before they were encrypted (the idp runs it at start). */
export async function encryptClearClientSecrets(db: Knex, key: string): Promise<number> {
  const clients = createClientQueries(db)
  const clear = await clients.listWithClearSecrets()
  for (const { clientId, secret } of clear) await clients.encryptSecret(clientId, encryptClientSecret(secret, key))
  return clear.length
}

export const GRANT_TYPES = ['authorization_code', 'refresh_token', 'client_credentials'] as const
const DEFAULT_SCOPE = 'openid profile email companies'

const absoluteUrl = z.url({ protocol: /^https?$/u, error: 'doit être une URL absolue http(s)' })

const clientRegistration = z
  .object({
    clientId: z.string().regex(/^[A-Za-z0-9._-]{1,100}$/u, 'ne peut contenir que des lettres, chiffres, « . », « _ » et « - »'),
    clientSecret: z.string().min(32, 'doit contenir au moins 32 caractères').optional(),
    public: z.boolean().default(false),
    redirectUris: z.array(absoluteUrl).default([]),
    postLogoutRedirectUris: z.array(absoluteUrl).default([]),
    grantTypes: z.array(z.enum(GRANT_TYPES)).default(['authorization_code', 'refresh_token']),
    scope: z.string().regex(/^[\w:. -]+$/u).default(DEFAULT_SCOPE),
    name: z.string().min(1).max(100).optional(),
    description: z.string().max(500).optional(),
    url: absoluteUrl.optional(),
    initiateLoginUri: absoluteUrl.optional(),
    backchannelLogoutUri: absoluteUrl.optional(),
    resourceServer: z.boolean().default(false),
    tool: z.boolean().default(false),
    firstParty: z.boolean().default(false),
    position: z.number().int().default(0),
  })
  .refine((client) => !client.grantTypes.includes('authorization_code') || client.redirectUris.length > 0, {
    message: 'au moins une --redirect-uri est nécessaire pour authorization_code',
    path: ['redirectUris'],
  })
  .refine((client) => !(client.public && client.grantTypes.includes('client_credentials')), {
    message: 'un client public (--public) ne peut pas utiliser client_credentials',
    path: ['grantTypes'],
  })
  .refine((client) => !client.tool || client.url || client.initiateLoginUri, {
    message: "un outil (--tool) a besoin d'une --url ou d'une --initiate-login-uri",
    path: ['tool'],
  })

export type ClientRegistration = z.input<typeof clientRegistration>

/**
 * Turns what an operator typed into a client of oidc_clients, its secret encrypted under `key`.
 * A confidential client without a secret gets a generated one, returned so it can be shown once.
 */
export function buildClient(input: ClientRegistration, key: string): { client: ClientRecord; generatedSecret?: string } {
  const parsed = clientRegistration.safeParse(input)
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!
    throw new BadRequestError(`${issue.path.join('.') || 'client'} : ${issue.message}`)
  }
  const options = parsed.data
  const generatedSecret = options.public || options.clientSecret ? undefined : randomToken()
  const secret = options.public ? undefined : (options.clientSecret ?? generatedSecret)!
  const grantTypes = [...new Set(options.grantTypes)]
  return {
    generatedSecret,
    client: {
      clientId: options.clientId,
      name: options.name ?? options.clientId,
      description: options.description ?? null,
      url: options.url ?? null,
      initiateLoginUri: options.initiateLoginUri ?? null,
      enabled: true,
      tool: options.tool,
      firstParty: options.firstParty,
      position: options.position,
      secretEncrypted: secret === undefined ? null : encryptClientSecret(secret, key),
      metadata: {
        client_id: options.clientId,
        client_name: options.name ?? options.clientId,
        redirect_uris: options.redirectUris,
        post_logout_redirect_uris: options.postLogoutRedirectUris,
        grant_types: grantTypes,
        response_types: grantTypes.includes('authorization_code') ? ['code'] : [],
        scope: options.scope,
        token_endpoint_auth_method: options.public ? 'none' : 'client_secret_basic',
        // Back-Channel Logout 1.0: a logout token there when the person's SSO session ends; its
        // sid (also in the client's ID tokens) names the session.
        ...(options.backchannelLogoutUri ? { backchannel_logout_uri: options.backchannelLogoutUri, backchannel_logout_session_required: true } : {}),
        // May introspect any token (RFC 7662 §2.1), not only those issued to it.
        ...(options.resourceServer ? { resource_server: true } : {}),
      },
    },
  }
}
