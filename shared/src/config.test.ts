import { existsSync, mkdtempSync, readFileSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { describe, expect, it } from '@jest/globals'
import { configToEnvironment, loadConfig } from './config'

const dataDir = () => mkdtempSync(path.join(tmpdir(), 'opco-config-'))

const secrets = {
  COOKIE_KEYS: 'config-test-cookie-key-0123456789abcdefgh',
  SIGNING_KEYS_SECRET: 'config-test-signing-secret-0123456789abcd',
  MEMBER_CODE_HMAC_KEY: 'config-test-hmac-key-0123456789abcdefghij',
  PORTAL_SESSION_SECRET: 'config-test-session-secret-0123456789abcd',
  PORTAL_CLIENT_SECRET: 'config-test-portal-secret-0123456789abcde',
  DEMO_TOOL_CLIENT_SECRET: 'config-test-demo-secret-0123456789abcdefg',
}

describe('loadConfig', () => {
  it('gives a newcomer working defaults: embedded database, MailDev, local addresses', () => {
    const config = loadConfig({ DATA_DIR: dataDir() })
    expect(config).toMatchObject({
      env: 'development',
      databaseUrl: undefined,
      smtpUrl: 'smtp://127.0.0.1:1025',
      developmentMailbox: true,
      idp: { port: 4000, issuer: 'http://localhost:4000' },
      portal: { port: 3000, url: 'http://localhost:3000', loginUrl: 'http://localhost:3000/auth/login' },
      trustProxy: false,
    })
  })

  it('generates the development secrets once into DATA_DIR, readable by its owner only, and reuses them', () => {
    const dir = dataDir()
    const first = loadConfig({ DATA_DIR: dir })
    const file = path.join(dir, 'secrets.json')
    expect(existsSync(file)).toBe(true)
    expect(statSync(file).mode & 0o777).toBe(0o600)
    expect(loadConfig({ DATA_DIR: dir }).secrets).toEqual(first.secrets)
    expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual(first.secrets)
    expect(first.secrets.cookieKeys[0]).toMatch(/^[\w-]{43}$/u)
  })

  it.each([
    [{ DATABASE_URL: 'mysql://localhost/db' }, 'Configuration invalide : DATABASE_URL doit être une URL de la forme postgres://'],
    [{ SMTP_URL: 'mail.example.org' }, 'Configuration invalide : SMTP_URL doit être une URL de la forme smtp://hôte:port.'],
    [{ IDP_PORT: '70000' }, 'Configuration invalide : IDP_PORT'],
    [{ PORTAL_URL: 'ftp://portal' }, 'Configuration invalide : PORTAL_URL doit être une URL de la forme http(s)://hôte[:port].'],
    [{ TRUST_PROXY: 'yes' }, 'Configuration invalide : TRUST_PROXY'],
    [{ COOKIE_KEYS: 'short' }, 'Configuration invalide : COOKIE_KEYS chaque clé doit contenir au moins 32 caractères.'],
    [{ LOG_LEVEL: 'verbose' }, 'Configuration invalide : LOG_LEVEL'],
  ])('names the variable of a wrong value: %j', (environment, message) => {
    expect(() => loadConfig({ DATA_DIR: dataDir(), ...environment })).toThrow(message)
  })

  it('refuses to start in production without its secrets, SMTP server, database or public addresses', () => {
    const addresses = { IDP_ISSUER: 'https://auth.opcommerce.test', PORTAL_URL: 'https://services.opcommerce.test', TRUST_PROXY: 'true' }
    const given = { NODE_ENV: 'production', DATABASE_URL: 'postgres://db/opco', SMTP_URL: 'smtp://mail:25', ...addresses }
    expect(() => loadConfig(given)).toThrow(
      'Configuration invalide : COOKIE_KEYS, SIGNING_KEYS_SECRET, MEMBER_CODE_HMAC_KEY, PORTAL_SESSION_SECRET, PORTAL_CLIENT_SECRET obligatoire(s) en production.',
    )
    expect(() => loadConfig({ ...given, ...secrets, SMTP_URL: undefined })).toThrow('SMTP_URL obligatoire en production')
    expect(() => loadConfig({ ...given, ...secrets, DATABASE_URL: undefined })).toThrow('DATABASE_URL obligatoire en production')
    expect(() => loadConfig({ ...given, ...secrets, PORTAL_URL: undefined })).toThrow('IDP_ISSUER et PORTAL_URL (adresses publiques) obligatoires en production')
    expect(loadConfig({ ...given, ...secrets }).secrets.signingKeysSecret).toBe(secrets.SIGNING_KEYS_SECRET)
  })

  it('does not ask production for the demo tool, which only `npm start` runs', () => {
    const { DEMO_TOOL_CLIENT_SECRET: _demo, ...productionSecrets } = secrets
    const config = loadConfig({
      NODE_ENV: 'production',
      DATABASE_URL: 'postgres://db/opco',
      SMTP_URL: 'smtp://mail:25',
      IDP_ISSUER: 'https://auth.opcommerce.test',
      PORTAL_URL: 'https://services.opcommerce.test',
      TRUST_PROXY: 'true',
      ...productionSecrets,
    })
    expect(config.secrets.demoToolClientSecret).toBeUndefined()
  })

  it('keeps the metrics on loopback unless a token protects them', () => {
    expect(loadConfig({ DATA_DIR: dataDir() }).metrics).toEqual({ host: '127.0.0.1', token: undefined })
    expect(() => loadConfig({ DATA_DIR: dataDir(), METRICS_HOST: '0.0.0.0' })).toThrow(
      "Configuration invalide : METRICS_TOKEN obligatoire quand METRICS_HOST (0.0.0.0) n'est pas une adresse locale.",
    )
    const token = 'metrics-token-0123456789abcdefghijklmnop'
    expect(loadConfig({ DATA_DIR: dataDir(), METRICS_HOST: '0.0.0.0', METRICS_TOKEN: token }).metrics).toEqual({ host: '0.0.0.0', token })
  })

  it('reloads the signing keys often enough that a new key is published everywhere before it signs', () => {
    expect(loadConfig({ DATA_DIR: dataDir() }).keyReloadIntervalMs).toBe(60_000)
    // Three intervals (when /readyz gives up on a process that cannot read them) stay under the 5 minutes of publication.
    expect(() => loadConfig({ DATA_DIR: dataDir(), KEY_RELOAD_INTERVAL_MS: '120000' })).toThrow('Configuration invalide : KEY_RELOAD_INTERVAL_MS')
  })

  it('lets an operator raise the registrations allowed per address, and hands the setting to the services `npm start` runs', () => {
    expect(loadConfig({ DATA_DIR: dataDir() }).registrationsPerIpPerHour).toBeUndefined()
    const raised = loadConfig({ DATA_DIR: dataDir(), REGISTRATIONS_PER_IP_PER_HOUR: '200' })
    expect(configToEnvironment(raised, 'postgres://db/opco').REGISTRATIONS_PER_IP_PER_HOUR).toBe('200')
    expect(() => loadConfig({ DATA_DIR: dataDir(), REGISTRATIONS_PER_IP_PER_HOUR: '0' })).toThrow('Configuration invalide : REGISTRATIONS_PER_IP_PER_HOUR')
  })

  it('takes a plain http issuer on this machine only: elsewhere browsers would drop its Secure session cookie', () => {
    for (const issuer of ['http://localhost:4000', 'http://auth.localhost', 'http://127.0.0.1:4000', 'http://[::1]:4000']) {
      expect(loadConfig({ DATA_DIR: dataDir(), IDP_ISSUER: issuer }).idp.issuer).toBe(issuer)
    }
    expect(() => loadConfig({ DATA_DIR: dataDir(), IDP_ISSUER: 'http://auth.opcommerce.test' })).toThrow('IDP_ISSUER doit être en https')
  })

  it('asks for TRUST_PROXY with an https issuer, whose TLS a proxy terminates', () => {
    expect(() => loadConfig({ DATA_DIR: dataDir(), IDP_ISSUER: 'https://auth.opcommerce.test' })).toThrow('TRUST_PROXY doit valoir true avec un IDP_ISSUER en https')
    expect(loadConfig({ DATA_DIR: dataDir(), IDP_ISSUER: 'https://auth.opcommerce.test/', TRUST_PROXY: 'true' }).idp.issuer).toBe('https://auth.opcommerce.test')
  })
})
