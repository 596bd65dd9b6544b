import { decodeJwt } from 'jose'
import Provider, { interactionPolicy, type Configuration, type JWK, type KoaContextWithOIDC } from 'oidc-provider'
import type { Config } from '@opcommerce/shared/config'
import { isDatabaseUnavailable, type Knex } from '@opcommerce/shared/db/knex'
import { ServiceUnavailableError } from '@opcommerce/shared/errors'
import type { Logger } from '@opcommerce/shared/logger'
import type { ClientQueries } from '@opcommerce/shared/queries/clients'
import { countTokenIssue } from '../metrics'
import { scheduleBackchannelLogouts } from '@opcommerce/shared/queries/logout-deliveries'
import { ACR_VALUES, multiFactorRequired } from '../libraries/authentication-context'
import type { OidcPayloadQueries } from '../queries/oidc-payloads'
import { errorPage } from '../views/errors'
import { loggedOutPage, logoutPage } from '../views/logout'
import { createAdapterClass } from './adapter'
import { createFindAccount } from './accounts'
import { describeOidcError } from './errors'
import { recordSessionActivity } from './session-activity'

/** Paths oidc-provider answers; every other path is ours. */
export const PROVIDER_PATHS = ['/.well-known/', '/auth', '/token', '/me', '/jwks', '/session/end']

/** The endpoints oidc-provider serves with the features enabled below. */
const PROVIDER_ROUTES = new Set([
  '/.well-known/openid-configuration',
  '/auth',
  '/token',
  '/token/introspection',
  '/token/revocation',
  '/me',
  '/jwks',
  '/session/end',
  '/session/end/confirm',
  '/session/end/success',
])

/** The provider's endpoint a path names, as a pattern (`/auth/:uid`); undefined for any other path. */
export function providerRoute(path: string): string | undefined {
  if (PROVIDER_ROUTES.has(path)) return path
  return /^\/auth\/[^/]+$/u.test(path) ? '/auth/:uid' : undefined
}

/**
 * « Mon compte » signs people in through an authorization request of this client, which the idp
 * itself declares (it is not in oidc_clients, so no launcher or CLI lists it): the login, and
 * whatever steps it gains, are the ones every application gets (docs/ARCHITECTURE.md).
 */
export const ACCOUNT_CLIENT_ID = 'mon-compte'

/** Where the authorization requests of « Mon compte » come back to (routes/account.ts). */
export const ACCOUNT_CALLBACK_PATH = '/compte/retour'

/** Lifetimes of what the provider issues. */
const TTL = {
  AccessToken: 10 * 60, // seconds: the portal refreshes before expiry
  AuthorizationCode: 60, // seconds
  ClientCredentials: 10 * 60, // seconds
  IdToken: 60 * 60, // seconds
  Interaction: 60 * 60, // seconds: time to log in, or to register and validate first
  RefreshToken: 12 * 60 * 60, // seconds; also ends with the SSO session
  Session: 12 * 60 * 60, // seconds: a working day of single sign-on
  Grant: 30 * 24 * 60 * 60, // seconds: how long a consent is remembered
}

export interface ProviderDependencies {
  config: Config
  db: Knex
  payloads: OidcPayloadQueries
  clients: Pick<ClientQueries, 'find'>
  jwks: JWK[]
  logger: Logger
}

export function createProvider({ config, db, payloads, clients, jwks, logger }: ProviderDependencies): Provider {
  const secureCookies = config.idp.issuer.startsWith('https:')
  const configuration: Configuration = {
    adapter: createAdapterClass(payloads, clients, config.secrets.signingKeysSecret),
    clients: [
      {
        client_id: ACCOUNT_CLIENT_ID,
        client_name: 'Mon compte',
        redirect_uris: [`${config.idp.issuer}${ACCOUNT_CALLBACK_PATH}`],
        token_endpoint_auth_method: 'none',
        grant_types: ['authorization_code'],
        response_types: ['code'],
        first_party: true,
      },
    ],
    findAccount: createFindAccount(db),
    jwks: { keys: jwks },
    cookies: {
      keys: config.secrets.cookieKeys,
      // The portal shares the host in development: cookies ignore ports, so names must differ.
      // Over https, __Host- for the session (whole host); the interaction and resume cookies are
      // scoped to their paths by oidc-provider, which __Host- forbids: __Secure- for them.
      names: secureCookies
        ? { session: '__Host-idp_session', interaction: '__Secure-idp_interaction', resume: '__Secure-idp_resume' }
        : { session: 'idp_session', interaction: 'idp_interaction', resume: 'idp_resume' },
      // The SSO session cookie must reach a form posted from another site to /auth or /session/end
      // (enableHttpPostMethods): SameSite=None, which browsers only keep with Secure.
      long: { httpOnly: true, sameSite: 'none', secure: true },
      short: { httpOnly: true, sameSite: 'lax', secure: true },
    },
    // Core 1.0 §3.1.2.1: the authorization endpoint takes GET and POST (and so does end_session).
    enableHttpPostMethods: true,
    claims: {
      // How and when the person logged in, in every ID token (refreshed ones too).
      openid: ['sub', 'acr', 'amr', 'auth_time'],
      email: ['email', 'email_verified'],
      profile: ['given_name', 'family_name', 'name', 'updated_at'],
      companies: ['companies', 'company_roles'],
    },
    scopes: ['openid', 'offline_access', 'email', 'profile', 'companies'],
    // Scope claims go into the ID token too, so relying parties need not call userinfo.
    conformIdTokenClaims: false,
    clientDefaults: {
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
      token_endpoint_auth_method: 'client_secret_basic',
      id_token_signed_response_alg: 'RS256',
    },
    extraClientMetadata: { properties: ['first_party', 'resource_server'] },
    pkce: { required: () => true },
    // What discovery advertises, and all the provider accepts: the code flow only (RFC 9700
    // §2.1.2 advises against the implicit one); a client secret in the Authorization header or
    // the body (oidc-provider takes either from a client registered with one; openid-client
    // sends it in the body), or none for a public client; the one algorithm of our signing keys.
    responseTypes: ['code'],
    clientAuthMethods: ['client_secret_basic', 'client_secret_post', 'none'],
    enabledJWA: { idTokenSigningAlgValues: ['RS256'] },
    acrValues: Object.values(ACR_VALUES),
    features: {
      devInteractions: { enabled: false },
      backchannelLogout: { enabled: true },
      // On by default in oidc-provider, used by none of our applications.
      pushedAuthorizationRequests: { enabled: false },
      dPoP: { enabled: false },
      // Core 1.0 §5.5: how a relying party asks for an essential acr.
      claimsParameter: { enabled: true },
      clientCredentials: { enabled: true },
      introspection: {
        enabled: true,
        // Only the client a token was issued to, or a resource server registered as one, may read it.
        allowedPolicy: async (_ctx, client, token) => token.clientId === client.clientId || client.metadata().resource_server === true,
      },
      revocation: {
        enabled: true,
        allowedPolicy: async (_ctx, client, token) => token.clientId === client.clientId,
      },
      userinfo: { enabled: true },
      rpInitiatedLogout: {
        enabled: true,
        async logoutSource(ctx, form) {
          ctx.type = 'html'
          ctx.body = logoutPage({ form, automatic: hintedUser(ctx) === ctx.oidc.session?.accountId })
        },
        async postLogoutSuccessSource(ctx) {
          ctx.type = 'html'
          ctx.body = loggedOutPage(config.portal.url)
        },
      },
    },
    interactions: { policy: loginPolicy(), url: (_ctx, interaction) => `/interaction/${interaction.uid}` },
    // A client holding the refresh_token grant gets a refresh token at every code exchange.
    issueRefreshToken: async (_ctx, client) => client.grantTypeAllowed('refresh_token'),
    rotateRefreshToken: true,
    loadExistingGrant: (ctx) => loadGrant(ctx),
    clientBasedCORS: () => false,
    ttl: TTL,
    async renderError(ctx, out, error) {
      if (isDatabaseUnavailable(error)) return unavailable(ctx, error)
      if (ctx.status >= 500) logger.error({ err: error }, 'authorization error')
      else logger.warn({ error: out.error, description: out.error_description }, 'authorization request refused')
      ctx.type = 'html'
      ctx.body = errorPage({ status: ctx.status, message: describeOidcError(out, error), homeHref: config.portal.url })
    },
  }
  const provider = new Provider(config.idp.issuer, configuration)
  provider.proxy = config.trustProxy
  // Over https the proxy says the request is secure (TRUST_PROXY). An http issuer is on this
  // machine (config.ts): browsers keep Secure cookies from localhost, but Koa refuses to set
  // them over plain http unless the request counts as secure.
  if (config.idp.issuer.startsWith('http:')) Object.defineProperty(provider.request, 'secure', { get: () => true })
  provider.maxIpsCount = 1
  // Back-Channel Logout 1.0: oidc-provider would post each logout token once, while the logout
  // request waits. Ours go through the logout outbox instead (LogoutSender: retried, visible to
  // operators), like those of a password reset. It calls this once per client of the session.
  const clientPrototype = provider.Client.prototype as unknown as { backchannelLogout(sub: string, sid: string): Promise<void> }
  clientPrototype.backchannelLogout = async (sub, sid) => {
    await scheduleBackchannelLogouts(db, { userId: sub, sids: [sid] })
  }
  recordSessionActivity(provider, db, logger)
  provider.on('server_error', (ctx, error) => {
    if (ctx.status === 503) return // renderError answered already
    if (isDatabaseUnavailable(error)) return unavailable(ctx, error)
    logger.error({ err: error }, 'oidc-provider server error')
  })
  provider.on('grant.success', (ctx) => countTokenIssue(String(ctx.oidc.params?.grant_type)))
  provider.on('backchannel.error', (_ctx, error, client) => logger.error({ err: error, clientId: client.clientId }, 'logout tokens not scheduled'))

  /** The database went away: 503, which the browser or the application may retry (a French page, or OAuth's temporarily_unavailable). */
  function unavailable(ctx: KoaContextWithOIDC, error: unknown): void {
    logger.warn({ err: error }, 'database unavailable')
    const failure = new ServiceUnavailableError(error)
    ctx.status = failure.status
    ctx.set(failure.headers())
    if (ctx.type === 'application/json' || typeof ctx.body === 'object') ctx.body = { error: 'temporarily_unavailable', error_description: failure.message }
    else {
      ctx.type = 'html'
      ctx.body = errorPage({ status: failure.status, message: failure.message, homeHref: config.portal.url })
    }
  }
  return provider
}

/**
 * oidc-provider's prompts, and one more reason to log in: a request that requires two factors
 * (`acr_values`, see multiFactorRequired) over a single sign-on session that used one. The
 * essential `acr` claim is checked by oidc-provider itself.
 */
function loginPolicy() {
  const policy = interactionPolicy.base()
  policy.get('login')!.checks.push(
    new interactionPolicy.Check('multi_factor_required', 'multi-factor authentication was requested', 'login_required', (ctx) =>
      multiFactorRequired({ acr_values: ctx.oidc.params?.acr_values }) && ctx.oidc.acr !== ACR_VALUES.multiFactor
        ? interactionPolicy.Check.REQUEST_PROMPT
        : interactionPolicy.Check.NO_NEED_TO_PROMPT,
    ),
  )
  return policy
}

/**
 * The user an RP-initiated logout names in its id_token_hint (oidc-provider checked the
 * signature). Only a hint for the signed-in user logs out without asking: a link carrying
 * someone else's old ID token must not.
 */
function hintedUser(ctx: KoaContextWithOIDC): string | undefined {
  const hint = ctx.oidc.params?.id_token_hint
  if (typeof hint !== 'string') return undefined
  try {
    return decodeJwt(hint).sub
  } catch {
    return undefined
  }
}

/**
 * The grant an authorization request may use without a consent screen: the one the user gave
 * this client earlier, or, for our own first-party applications, one made on the spot for
 * whatever scopes the application asks.
 */
async function loadGrant(ctx: KoaContextWithOIDC) {
  const { client, session, provider } = ctx.oidc
  if (!client || !session?.accountId) return undefined
  const grantId = ctx.oidc.result?.consent?.grantId ?? session.grantIdFor(client.clientId)
  const grant = grantId ? await provider.Grant.find(grantId) : undefined
  if (client.metadata().first_party !== true) return grant
  const firstPartyGrant = grant ?? new provider.Grant({ clientId: client.clientId, accountId: session.accountId })
  firstPartyGrant.addOIDCScope(ctx.oidc.requestParamScopes)
  const claims = [...ctx.oidc.requestParamClaims]
  if (claims.length > 0) firstPartyGrant.addOIDCClaims(claims)
  await firstPartyGrant.save()
  return firstPartyGrant
}
