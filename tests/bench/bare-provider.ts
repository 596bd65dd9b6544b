/**
 * The ceiling of `npm run bench`: oidc-provider alone, with its in-memory adapter, configured as
 * the idp configures it (same grants, PKCE, RS256, token lifetimes, refresh token rotation,
 * introspection policy) and one account whose claims have the idp's shape. Run by the bench with
 * plain `node` (Node strips the types), in a process of its own:
 *
 *   BARE_PORT=4100 BARE_CLIENT_SECRET=… BARE_REDIRECT_URI=… ARGON2_HASH=… node tests/bench/bare-provider.ts
 *
 * Its login is the least a login can be with these libraries: a form, one argon2 verify of the
 * password against ARGON2_HASH (any email), the interaction finished in memory. Beside raw argon2
 * verifies, it shows what share of the hash rate a complete login can reach here at all.
 */
import { generateKeyPairSync } from 'node:crypto'
import argon2 from 'argon2'
import Provider, { type Account, type Configuration, type KoaContextWithOIDC } from 'oidc-provider'

const port = Number(process.env.BARE_PORT)
const issuer = `http://localhost:${port}`
const ACCOUNT_ID = '00000000-0000-4000-8000-000000000001'
const COMPANIES = [{ siren: '552100554', name: 'Entreprise du banc', role: 'admin' }]

const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 })
const account: Account = {
  accountId: ACCOUNT_ID,
  claims: async (_use, scope) => {
    const companies = scope.split(' ').includes('companies') ? COMPANIES : []
    return {
      sub: ACCOUNT_ID,
      email: 'banc@exemple.fr',
      email_verified: true,
      given_name: 'Banc',
      family_name: 'Essai',
      name: 'Banc Essai',
      updated_at: Math.floor(Date.now() / 1000),
      companies,
      company_roles: companies.map((company) => `${company.siren}:${company.role}`),
    }
  },
}

const configuration: Configuration = {
  clients: [
    {
      client_id: 'bench',
      client_secret: process.env.BARE_CLIENT_SECRET,
      redirect_uris: [process.env.BARE_REDIRECT_URI!],
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
      scope: 'openid profile email companies',
    },
    {
      client_id: 'bench-machine',
      client_secret: process.env.BARE_CLIENT_SECRET,
      redirect_uris: [],
      grant_types: ['client_credentials'],
      response_types: [],
    },
  ],
  findAccount: async (_ctx, sub) => (sub === ACCOUNT_ID ? account : undefined),
  jwks: { keys: [{ ...privateKey.export({ format: 'jwk' }), kid: 'bench', alg: 'RS256', use: 'sig' }] },
  cookies: {
    keys: ['bare-provider-cookie-key-0123456789'],
    long: { httpOnly: true, sameSite: 'none', secure: true },
    short: { httpOnly: true, sameSite: 'lax', secure: true },
  },
  enableHttpPostMethods: true,
  claims: {
    openid: ['sub', 'acr', 'amr', 'auth_time'],
    email: ['email', 'email_verified'],
    profile: ['given_name', 'family_name', 'name', 'updated_at'],
    companies: ['companies', 'company_roles'],
  },
  scopes: ['openid', 'offline_access', 'email', 'profile', 'companies'],
  conformIdTokenClaims: false,
  clientDefaults: { id_token_signed_response_alg: 'RS256', token_endpoint_auth_method: 'client_secret_basic' },
  pkce: { required: () => true },
  responseTypes: ['code'],
  clientAuthMethods: ['client_secret_basic', 'client_secret_post', 'none'],
  enabledJWA: { idTokenSigningAlgValues: ['RS256'] },
  features: {
    devInteractions: { enabled: false },
    backchannelLogout: { enabled: true },
    pushedAuthorizationRequests: { enabled: false },
    dPoP: { enabled: false },
    claimsParameter: { enabled: true },
    clientCredentials: { enabled: true },
    introspection: { enabled: true, allowedPolicy: async (_ctx, client, token) => token.clientId === client.clientId },
    revocation: { enabled: true, allowedPolicy: async (_ctx, client, token) => token.clientId === client.clientId },
    userinfo: { enabled: true },
    rpInitiatedLogout: { enabled: true },
  },
  interactions: { url: (_ctx, interaction) => `/interaction/${interaction.uid}` },
  issueRefreshToken: async (_ctx, client) => client.grantTypeAllowed('refresh_token'),
  rotateRefreshToken: true,
  loadExistingGrant: async (ctx: KoaContextWithOIDC) => {
    const { client, session, provider } = ctx.oidc
    if (!client || !session?.accountId) return undefined
    const grantId = session.grantIdFor(client.clientId)
    const grant = (grantId ? await provider.Grant.find(grantId) : undefined) ?? new provider.Grant({ clientId: client.clientId, accountId: session.accountId })
    grant.addOIDCScope(ctx.oidc.requestParamScopes)
    await grant.save()
    return grant
  },
  clientBasedCORS: () => false,
  ttl: {
    AccessToken: 10 * 60,
    AuthorizationCode: 60,
    ClientCredentials: 10 * 60,
    IdToken: 60 * 60,
    Interaction: 60 * 60,
    RefreshToken: 12 * 60 * 60,
    Session: 12 * 60 * 60,
    Grant: 30 * 24 * 60 * 60,
  },
}

const provider = new Provider(issuer, configuration)
Object.defineProperty(provider.request, 'secure', { get: () => true })
provider.use(async (ctx, next) => {
  const [, uid, login] = /^\/interaction\/([^/]+)(\/login)?$/u.exec(ctx.path) ?? []
  if (!uid) return next()
  if (!login) {
    await provider.interactionDetails(ctx.req, ctx.res)
    ctx.type = 'html'
    ctx.body = `<form method="post" action="/interaction/${uid}/login"><input name="email"><input name="password" type="password"></form>`
    return
  }
  let body = ''
  for await (const chunk of ctx.req) body += chunk
  if (!(await argon2.verify(process.env.ARGON2_HASH!, new URLSearchParams(body).get('password') ?? ''))) {
    ctx.status = 401
    return
  }
  await provider.interactionFinished(ctx.req, ctx.res, { login: { accountId: ACCOUNT_ID, amr: ['pwd'] } }, { mergeWithLastSubmission: false })
})
provider.listen(port, '127.0.0.1', () => console.log('ready'))
