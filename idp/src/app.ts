import { bodyParser } from '@koa/bodyparser'
import Router from '@koa/router'
import Koa from 'koa'
import type Provider from 'oidc-provider'
import type { Config } from '@opcommerce/shared/config'
import type { Knex } from '@opcommerce/shared/db/knex'
import { createHealth, type Health } from '@opcommerce/shared/health'
import type { Logger } from '@opcommerce/shared/logger'
import { encryptClearClientSecrets } from '@opcommerce/shared/clients'
import { createClientQueries } from '@opcommerce/shared/queries/clients'
import { loadProviderKeys, type ProviderKeys } from '@opcommerce/shared/signing-keys'
import { idpCookies } from './http/cookies'
import { AppError } from '@opcommerce/shared/errors'
import { csrfProtection } from './http/csrf'
import { errorHandler } from './http/errors'
import { requestLog } from './http/request-log'
import { securityHeaders } from './http/security-headers'
import { createAccountSessions } from './libraries/account-session'
import { createIdpLimits, type IdpLimitRules } from './libraries/limits'
import { createLogin } from './libraries/login'
import { createPasskeys } from './libraries/passkeys'
import { createSecondFactor } from './libraries/second-factor'
import { createPasswordReset } from './libraries/password-reset'
import { createRegistration } from './libraries/registration'
import { messages } from './messages'
import { PROVIDER_PATHS, createProvider } from './oidc/provider'
import { createOidcPayloadQueries } from './queries/oidc-payloads'
import { assetRoutes } from './routes/assets'
import { accountRoutes } from './routes/account'
import type { RouteDependencies } from './routes/context'
import { interactionRoutes } from './routes/interaction'
import { passwordResetRoutes } from './routes/password-reset'
import { registrationRoutes } from './routes/registration'
import { secondFactorRoutes } from './routes/second-factor'
import { accountTwoFactorRoutes } from './routes/account-two-factor'

export interface IdpOptions {
  config: Config
  db: Knex
  logger: Logger
  now?: () => Date
  limits?: Partial<IdpLimitRules>
}

export interface IdpApp {
  app: Koa
  /** /healthz and /readyz; ready needs the signing keys read within the last 3 reload intervals. */
  health: Health
  /** The provider now (it is rebuilt when the signing keys change): LogoutSender signs with it. */
  readonly provider: Provider
  /**
   * Reads the signing keys again; when they changed (a key added or retired, or a new key's
   * turn to sign), the provider is rebuilt with them. True when it was.
   */
  reloadKeys(): Promise<boolean>
}

/** The longest address the idp reads: its own pages and a generous authorization request. */
const MAX_URL_LENGTH = 8 * 1024 // characters

const isProviderPath = (path: string) => PROVIDER_PATHS.some((prefix) => path === prefix || path.startsWith(prefix.endsWith('/') ? prefix : `${prefix}/`))

/** The idp: our pages for people, oidc-provider for the protocol, in one Koa app. */
export async function createIdpApp({ config, db, logger, now = () => new Date(), limits: limitOverrides }: IdpOptions): Promise<IdpApp> {
  const https = config.idp.issuer.startsWith('https:')
  const cookies = idpCookies(https)
  const fromConfig = config.registrationsPerIpPerHour ? { registrationPerIp: { points: config.registrationsPerIpPerHour, duration: 60 * 60 } } : {}
  const limits = createIdpLimits(db, { ...fromConfig, ...limitOverrides })
  const dependencies = { config, db, logger, limits, now }
  const payloads = createOidcPayloadQueries(db)
  const clients = createClientQueries(db)
  const buildProvider = ({ jwks }: ProviderKeys) => createProvider({ config, db, logger, payloads, clients, jwks })
  const encrypted = await encryptClearClientSecrets(db, config.secrets.signingKeysSecret)
  if (encrypted > 0) logger.info({ clients: encrypted }, 'client secrets encrypted')
  let keys = await loadProviderKeys(db, config.secrets.signingKeysSecret, now())
  // A process that cannot read the keys any more may miss a rotation, and relying parties asking
  // its /jwks would not find the new key: it stops taking traffic well before that key signs.
  let keysReadAt = now()
  const health = createHealth(db, [
    () => (now().getTime() - keysReadAt.getTime() > 3 * config.keyReloadIntervalMs ? 'clés de signature non relues depuis plus de 3 intervalles' : undefined),
  ])
  let provider = buildProvider(keys)
  let providerCallback = provider.callback()
  const routes: RouteDependencies = {
    config,
    cookies,
    get provider() {
      return provider
    },
    limits,
    registration: createRegistration(dependencies),
    login: createLogin(dependencies),
    passwordReset: createPasswordReset(dependencies),
    secondFactor: createSecondFactor(dependencies),
    passkeys: createPasskeys(dependencies),
    accountSessions: createAccountSessions(dependencies),
  }

  const router = new Router()
  router.get('/', (ctx) => ctx.redirect(config.portal.url))
  for (const path of ['/healthz', '/readyz']) {
    router.get(path, async (ctx) => {
      const { status, body } = (await health.answer(path))!
      ctx.status = status
      ctx.set('Cache-Control', 'no-store')
      ctx.type = 'text/plain'
      ctx.body = body
    })
  }
  assetRoutes(router)
  interactionRoutes(router, routes)
  secondFactorRoutes(router, routes)
  accountTwoFactorRoutes(router, routes)
  registrationRoutes(router, routes)
  passwordResetRoutes(router, routes)
  accountRoutes(router, routes)

  // Behind one reverse proxy, the client is the address it adds last to X-Forwarded-For: the
  // ones before are whatever the client sent.
  const app = new Koa({ proxy: config.trustProxy, maxIpsCount: 1, keys: config.secrets.cookieKeys })
  app.use(securityHeaders(https))
  app.use(requestLog(logger, config.trustProxy))
  app.use(errorHandler(logger, config.portal.url))
  // An address longer than any of ours or of a real authorization request: refused before anything
  // reads it (oidc-provider would echo its state into a redirect no client can read).
  app.use(async (ctx, next) => {
    if (ctx.url.length > MAX_URL_LENGTH) throw new AppError(414, messages.http[414]!)
    await next()
  })
  app.use(async (ctx, next) => {
    if (!isProviderPath(ctx.path)) return next()
    ctx.respond = false
    await providerCallback(ctx.req, ctx.res)
  })
  app.use(bodyParser({ enableTypes: ['form', 'json'], formLimit: '32kb', jsonLimit: '32kb' }))
  app.use(csrfProtection({ cookies, origin: new URL(config.idp.issuer).origin, exempt: ['/inscription/force-mot-de-passe'] }))
  app.use(router.routes())
  app.use(router.allowedMethods({ throw: true }))
  return {
    app,
    health,
    get provider() {
      return provider
    },
    async reloadKeys() {
      const next = await loadProviderKeys(db, config.secrets.signingKeysSecret, now())
      keysReadAt = now()
      if (next.fingerprint === keys.fingerprint) return false
      keys = next
      provider = buildProvider(next)
      providerCallback = provider.callback()
      logger.info({ keys: next.fingerprint }, 'signing keys changed: provider rebuilt')
      return true
    },
  }
}
