import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { z } from 'zod'
import { randomToken } from './crypto'
import { ConfigError } from './errors'

const port = (fallback: number) => z.coerce.number().int().min(0).max(65535).default(fallback)

const urlWithProtocols = (protocols: string[], example: string) =>
  z
    .string()
    .trim()
    .refine((value) => {
      try {
        const url = new URL(value)
        return protocols.includes(url.protocol) && url.hostname !== ''
      } catch {
        return false
      }
    }, `doit être une URL de la forme ${example}`)

const httpUrl = urlWithProtocols(['http:', 'https:'], 'http(s)://hôte[:port]').transform((value) =>
  value.replace(/\/+$/, ''),
)

const secret = z.string().min(32, 'doit contenir au moins 32 caractères').optional()

/** Every variable the product reads, with its default. The README lists the same table. */
const environmentSchema = z.object({
  NODE_ENV: z.enum(['development', 'test', 'production']).default('development'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /** Embedded database files and generated development secrets. */
  DATA_DIR: z.string().min(1).default('.data'),
  /** Unset: the embedded PGlite server under DATA_DIR. */
  DATABASE_URL: urlWithProtocols(['postgres:', 'postgresql:'], 'postgres://utilisateur:mot-de-passe@hôte:5432/base').optional(),
  /** Unset: the development mailbox (MailDev) started by `npm start`. */
  SMTP_URL: urlWithProtocols(['smtp:', 'smtps:'], 'smtp://hôte:port').optional(),
  MAIL_FROM: z.string().min(3).default('Web Services Entreprise <ne-pas-repondre@opcommerce.localhost>'),
  MAIL_POLL_INTERVAL_MS: z.coerce.number().int().min(50).default(1000), // milliseconds
  /** Where "Contacter l'Opcommerce" sends access requests no administrator answered. */
  OPCO_CONTACT_EMAIL: z.email('doit être une adresse email').default('web-services@opcommerce.localhost'),
  IDP_PORT: port(4000),
  IDP_ISSUER: httpUrl.optional(),
  PORTAL_PORT: port(3000),
  PORTAL_URL: httpUrl.optional(),
  /** Where the idp's "Se connecter" links lead when no authorization request is in progress. */
  LOGIN_URL: httpUrl.optional(),
  DEMO_TOOL_PORT: port(3100),
  DEMO_TOOL_URL: httpUrl.optional(),
  MAILDEV_SMTP_PORT: port(1025),
  MAILDEV_WEB_PORT: port(1080),
  /** Prometheus metrics of each service, on ports of their own (never the public one). */
  IDP_METRICS_PORT: port(9400),
  PORTAL_METRICS_PORT: port(9300),
  /** Where the metrics ports listen: loopback unless METRICS_TOKEN protects them. */
  METRICS_HOST: z.string().trim().min(1).default('127.0.0.1'),
  METRICS_TOKEN: secret,
  /** How often each idp process reads the signing keys again (`keys rotate` from any machine). */
  KEY_RELOAD_INTERVAL_MS: z.coerce.number().int().min(1000).max(90_000).default(60_000), // milliseconds
  /** Unset: the idp's default (docs/SECURITY.md). More for many people behind one address (a company's NAT). */
  REGISTRATIONS_PER_IP_PER_HOUR: z.coerce.number().int().min(1).max(10_000).optional(),
  /** After SIGTERM, /readyz answers 503 this long while requests are still served, so the load balancer moves away first. */
  SHUTDOWN_DRAIN_MS: z.coerce.number().int().min(0).default(5000), // milliseconds
  /** Then the requests in flight have this long to finish before the process exits anyway. */
  SHUTDOWN_TIMEOUT_MS: z.coerce.number().int().min(100).default(10_000), // milliseconds
  /** Behind a reverse proxy: trust X-Forwarded-For/Proto for client IPs and https detection, and its X-Request-Id. */
  TRUST_PROXY: z.enum(['true', 'false']).default('false').transform((value) => value === 'true'),
  COOKIE_KEYS: z
    .string()
    .transform((value) => value.split(',').map((key) => key.trim()))
    .pipe(z.array(z.string().min(32, 'chaque clé doit contenir au moins 32 caractères')).min(1))
    .optional(),
  SIGNING_KEYS_SECRET: secret,
  MEMBER_CODE_HMAC_KEY: secret,
  PORTAL_SESSION_SECRET: secret,
  PORTAL_CLIENT_SECRET: secret,
  DEMO_TOOL_CLIENT_SECRET: secret,
})

type Environment = z.infer<typeof environmentSchema>

/**
 * Whether a host is this machine (localhost, *.localhost, 127.x.x.x, ::1): browsers treat such
 * origins as secure contexts even over plain http and keep Secure cookies from them, and a port
 * bound there is not reachable from elsewhere.
 */
const isLoopbackHost = (host: string) => /^(?:localhost|.+\.localhost|127(?:\.\d{1,3}){3}|\[?::1\]?)$/u.test(host)

export interface Secrets {
  /** Signs the idp's cookies; the first signs, all verify (rotation). */
  cookieKeys: string[]
  /** Encrypts the private signing keys at rest. */
  signingKeysSecret: string
  /** HMAC key of the codes adhérent: the plain code is never stored. */
  memberCodeHmacKey: string
  /** Encrypts the tokens of the portal sessions and the pending-login cookie. */
  portalSessionSecret: string
  portalClientSecret: string
  /** Only outside production: the demo tool does not exist there. */
  demoToolClientSecret?: string
}

export interface Config {
  env: Environment['NODE_ENV']
  logLevel: Environment['LOG_LEVEL']
  dataDir: string
  databaseUrl: string | undefined
  /** SMTP_URL, or the development mailbox (MailDev) when it is unset. */
  smtpUrl: string
  /** True when SMTP_URL is unset: `npm start` runs MailDev. */
  developmentMailbox: boolean
  mailFrom: string
  mailPollIntervalMs: number
  /** The Opcommerce's own address, for escalated access requests. */
  opcoContactEmail: string
  trustProxy: boolean
  idp: { port: number; issuer: string; metricsPort: number }
  portal: { port: number; url: string; loginUrl: string; metricsPort: number }
  /** Where both services serve GET /metrics, each on its own port. */
  metrics: { host: string; token: string | undefined }
  keyReloadIntervalMs: number
  /** "Créer un compte" posts allowed per client IP and hour; undefined: the idp's default. */
  registrationsPerIpPerHour: number | undefined
  shutdown: { drainMs: number; timeoutMs: number }
  demoTool: { port: number; url: string }
  maildev: { smtpPort: number; webPort: number }
  secrets: Secrets
}

const secretVariables = {
  cookieKeys: 'COOKIE_KEYS',
  signingKeysSecret: 'SIGNING_KEYS_SECRET',
  memberCodeHmacKey: 'MEMBER_CODE_HMAC_KEY',
  portalSessionSecret: 'PORTAL_SESSION_SECRET',
  portalClientSecret: 'PORTAL_CLIENT_SECRET',
  demoToolClientSecret: 'DEMO_TOOL_CLIENT_SECRET',
} as const satisfies Record<keyof Secrets, keyof Environment>

/**
 * Reads and validates the environment once, at start. A wrong value throws a ConfigError naming
 * the variable. Outside production, missing secrets are generated once into DATA_DIR so a
 * newcomer sets nothing; in production they must all be given.
 */
export function loadConfig(source: NodeJS.ProcessEnv = process.env): Config {
  const parsed = environmentSchema.safeParse(
    Object.fromEntries(Object.entries(source).filter(([, value]) => value !== undefined && value !== '')),
  )
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!
    throw new ConfigError(`Configuration invalide : ${String(issue.path[0])} ${issue.message}.`)
  }
  const env = parsed.data
  if (env.NODE_ENV === 'production' && env.SMTP_URL === undefined) {
    throw new ConfigError('Configuration invalide : SMTP_URL obligatoire en production.')
  }
  if (env.NODE_ENV === 'production' && env.DATABASE_URL === undefined) {
    throw new ConfigError('Configuration invalide : DATABASE_URL obligatoire en production (la base embarquée est réservée au développement).')
  }
  if (env.NODE_ENV === 'production' && (env.IDP_ISSUER === undefined || env.PORTAL_URL === undefined)) {
    throw new ConfigError('Configuration invalide : IDP_ISSUER et PORTAL_URL (adresses publiques) obligatoires en production.')
  }
  if (!isLoopbackHost(env.METRICS_HOST) && env.METRICS_TOKEN === undefined) {
    throw new ConfigError(`Configuration invalide : METRICS_TOKEN obligatoire quand METRICS_HOST (${env.METRICS_HOST}) n'est pas une adresse locale.`)
  }
  if (env.IDP_ISSUER?.startsWith('http:') && !isLoopbackHost(new URL(env.IDP_ISSUER).hostname)) {
    throw new ConfigError("Configuration invalide : IDP_ISSUER doit être en https (http n'est possible que sur localhost, où les navigateurs gardent les cookies Secure de la session).")
  }
  if (env.IDP_ISSUER?.startsWith('https:') && !env.TRUST_PROXY) {
    throw new ConfigError('Configuration invalide : TRUST_PROXY doit valoir true avec un IDP_ISSUER en https (le TLS est terminé par le proxy devant l\'idp).')
  }
  const dataDir = path.resolve(env.DATA_DIR)
  const portalUrl = env.PORTAL_URL ?? `http://localhost:${env.PORTAL_PORT}`
  return {
    env: env.NODE_ENV,
    logLevel: env.LOG_LEVEL,
    dataDir,
    databaseUrl: env.DATABASE_URL,
    smtpUrl: env.SMTP_URL ?? `smtp://127.0.0.1:${env.MAILDEV_SMTP_PORT}`,
    developmentMailbox: env.SMTP_URL === undefined,
    mailFrom: env.MAIL_FROM,
    mailPollIntervalMs: env.MAIL_POLL_INTERVAL_MS,
    opcoContactEmail: env.OPCO_CONTACT_EMAIL,
    trustProxy: env.TRUST_PROXY,
    idp: { port: env.IDP_PORT, issuer: env.IDP_ISSUER ?? `http://localhost:${env.IDP_PORT}`, metricsPort: env.IDP_METRICS_PORT },
    portal: { port: env.PORTAL_PORT, url: portalUrl, loginUrl: env.LOGIN_URL ?? `${portalUrl}/auth/login`, metricsPort: env.PORTAL_METRICS_PORT },
    metrics: { host: env.METRICS_HOST, token: env.METRICS_TOKEN },
    keyReloadIntervalMs: env.KEY_RELOAD_INTERVAL_MS,
    registrationsPerIpPerHour: env.REGISTRATIONS_PER_IP_PER_HOUR,
    shutdown: { drainMs: env.SHUTDOWN_DRAIN_MS, timeoutMs: env.SHUTDOWN_TIMEOUT_MS },
    demoTool: { port: env.DEMO_TOOL_PORT, url: env.DEMO_TOOL_URL ?? `http://localhost:${env.DEMO_TOOL_PORT}` },
    maildev: { smtpPort: env.MAILDEV_SMTP_PORT, webPort: env.MAILDEV_WEB_PORT },
    secrets: resolveSecrets(env, dataDir),
  }
}

function resolveSecrets(env: Environment, dataDir: string): Secrets {
  const given: Partial<Secrets> = {}
  for (const [key, variable] of Object.entries(secretVariables) as [keyof Secrets, keyof Environment][]) {
    const value = env[variable]
    if (value !== undefined) Object.assign(given, { [key]: value })
  }
  const production = env.NODE_ENV === 'production'
  // The demo tool of `npm start` does not exist in production: its secret is not asked for there.
  const missing = (Object.keys(secretVariables) as (keyof Secrets)[]).filter(
    (key) => given[key] === undefined && !(production && key === 'demoToolClientSecret'),
  )
  if (missing.length === 0) return given as Secrets
  if (production) {
    throw new ConfigError(
      `Configuration invalide : ${missing.map((key) => secretVariables[key]).join(', ')} obligatoire(s) en production.`,
    )
  }
  return { ...generatedSecrets(dataDir), ...given }
}

/** Development secrets, generated on first use and kept in DATA_DIR (git-ignored). */
function generatedSecrets(dataDir: string): Secrets {
  const file = path.join(dataDir, 'secrets.json')
  if (existsSync(file)) return JSON.parse(readFileSync(file, 'utf8')) as Secrets
  const secrets: Secrets = {
    cookieKeys: [randomToken()],
    signingKeysSecret: randomToken(),
    memberCodeHmacKey: randomToken(),
    portalSessionSecret: randomToken(),
    portalClientSecret: randomToken(),
    demoToolClientSecret: randomToken(),
  }
  mkdirSync(dataDir, { recursive: true })
  writeFileSync(file, JSON.stringify(secrets, null, 2), { flag: 'wx', mode: 0o600 })
  chmodSync(file, 0o600)
  return secrets
}

/** The environment that hands this configuration to a child process (used by `npm start`). */
export function configToEnvironment(config: Config, databaseUrl: string): Record<string, string> {
  const { secrets } = config
  return {
    NODE_ENV: config.env,
    LOG_LEVEL: config.logLevel,
    DATA_DIR: config.dataDir,
    DATABASE_URL: databaseUrl,
    SMTP_URL: config.smtpUrl,
    MAIL_FROM: config.mailFrom,
    MAIL_POLL_INTERVAL_MS: String(config.mailPollIntervalMs),
    OPCO_CONTACT_EMAIL: config.opcoContactEmail,
    TRUST_PROXY: String(config.trustProxy),
    IDP_PORT: String(config.idp.port),
    IDP_METRICS_PORT: String(config.idp.metricsPort),
    PORTAL_METRICS_PORT: String(config.portal.metricsPort),
    METRICS_HOST: config.metrics.host,
    ...(config.metrics.token ? { METRICS_TOKEN: config.metrics.token } : {}),
    KEY_RELOAD_INTERVAL_MS: String(config.keyReloadIntervalMs),
    ...(config.registrationsPerIpPerHour ? { REGISTRATIONS_PER_IP_PER_HOUR: String(config.registrationsPerIpPerHour) } : {}),
    SHUTDOWN_DRAIN_MS: String(config.shutdown.drainMs),
    SHUTDOWN_TIMEOUT_MS: String(config.shutdown.timeoutMs),
    IDP_ISSUER: config.idp.issuer,
    PORTAL_PORT: String(config.portal.port),
    PORTAL_URL: config.portal.url,
    LOGIN_URL: config.portal.loginUrl,
    DEMO_TOOL_PORT: String(config.demoTool.port),
    DEMO_TOOL_URL: config.demoTool.url,
    MAILDEV_SMTP_PORT: String(config.maildev.smtpPort),
    MAILDEV_WEB_PORT: String(config.maildev.webPort),
    COOKIE_KEYS: secrets.cookieKeys.join(','),
    SIGNING_KEYS_SECRET: secrets.signingKeysSecret,
    MEMBER_CODE_HMAC_KEY: secrets.memberCodeHmacKey,
    PORTAL_SESSION_SECRET: secrets.portalSessionSecret,
    PORTAL_CLIENT_SECRET: secrets.portalClientSecret,
    ...(secrets.demoToolClientSecret ? { DEMO_TOOL_CLIENT_SECRET: secrets.demoToolClientSecret } : {}),
  }
}
