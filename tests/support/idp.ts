import { mkdtempSync } from 'node:fs'
import { createServer } from 'node:http'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { createIdpApp } from '@opcommerce/idp/src/app'
import type { IdpLimitRules } from '@opcommerce/idp/src/libraries/limits'
import { LogoutSender } from '@opcommerce/idp/src/oidc/logout-sender'
import { loadConfig, type Config } from '@opcommerce/shared/config'
import type { Logger } from '@opcommerce/shared/logger'
import { listen } from '@opcommerce/shared/process'
import { afterAll, beforeAll } from '@jest/globals'
import { createTestDatabase, type TestDatabase } from './database'
import { testLogger } from './logger'
import { startMailDelivery } from './mail'
import { freePort } from './ports'
import { startSmtpCapture, type SmtpCapture } from './smtp'

export interface TestIdp {
  issuer: string
  config: Config
  reloadKeys(): Promise<boolean>
  close(): Promise<void>
}

/** Limits high enough for a test file's many logins from 127.0.0.1; tests of limits lower them. */
export const RELAXED_LIMITS: Partial<IdpLimitRules> = {
  loginFailuresPerIp: { points: 10_000, duration: 60 },
  registrationPerIp: { points: 10_000, duration: 60 },
  resetPerIp: { points: 10_000, duration: 60 },
}

/** The fixed secrets of the test services. */
export const TEST_SECRETS = {
  COOKIE_KEYS: 'test-cookie-key-0123456789abcdef0123456789',
  SIGNING_KEYS_SECRET: 'test-signing-keys-secret-0123456789abcdef',
  MEMBER_CODE_HMAC_KEY: 'test-member-code-hmac-key-0123456789abcdef',
  PORTAL_SESSION_SECRET: 'test-portal-session-secret-0123456789abcdef',
  PORTAL_CLIENT_SECRET: 'test-portal-client-secret-0123456789abcdef',
  DEMO_TOOL_CLIENT_SECRET: 'test-demo-tool-secret-0123456789abcdefghij',
}

/** The configuration a test service runs with: test database, test SMTP, fixed secrets. */
export function testConfig(database: Pick<TestDatabase, 'url'>, smtp: Pick<SmtpCapture, 'url'>, overrides: Record<string, string> = {}): Config {
  return loadConfig({
    NODE_ENV: 'test',
    LOG_LEVEL: 'error',
    DATA_DIR: mkdtempSync(path.join(tmpdir(), 'opco-test-')),
    DATABASE_URL: database.url,
    SMTP_URL: smtp.url,
    ...TEST_SECRETS,
    ...overrides,
  })
}

/** The real idp app on a free port, delivering its mails to `smtp` and its logout tokens every 50 ms. */
export async function startTestIdp(
  database: Pick<TestDatabase, 'url' | 'knex'>,
  smtp: Pick<SmtpCapture, 'url'>,
  options: { limits?: Partial<IdpLimitRules>; now?: () => Date; env?: Record<string, string>; logger?: Logger } = {},
): Promise<TestIdp> {
  const port = await freePort()
  const config = testConfig(database, smtp, { IDP_PORT: String(port), ...options.env })
  const idp = await createIdpApp({ config, db: database.knex, logger: options.logger ?? testLogger, limits: { ...RELAXED_LIMITS, ...options.limits }, now: options.now })
  const server = createServer(idp.app.callback())
  await listen(server, port, 'IDP_PORT')
  const sender = startMailDelivery(database.knex, smtp)
  const logoutSender = new LogoutSender({ db: database.knex, provider: () => idp.provider, logger: testLogger, pollIntervalMs: 50 })
  logoutSender.start()
  return {
    issuer: config.idp.issuer,
    config,
    reloadKeys: () => idp.reloadKeys(),
    async close() {
      await sender.stop()
      await logoutSender.stop()
      server.closeAllConnections()
      await new Promise((resolve) => server.close(resolve))
    },
  }
}

export interface IdpStack {
  database: TestDatabase
  smtp: SmtpCapture
  idp: TestIdp
}

/**
 * For a test file of the idp: before its tests, its own database, a real SMTP capture and the
 * idp on them; after them, all closed (also after a failed start). The fields are set once
 * beforeAll has run.
 */
export function useIdpStack(options: Parameters<typeof startTestIdp>[2] = {}): IdpStack {
  const stack: Partial<IdpStack> = {}
  beforeAll(async () => {
    stack.database = await createTestDatabase()
    stack.smtp = await startSmtpCapture()
    stack.idp = await startTestIdp(stack.database, stack.smtp, options)
  })
  afterAll(async () => {
    await stack.idp?.close()
    await stack.smtp?.close()
    await stack.database?.close()
  })
  return stack as IdpStack
}
