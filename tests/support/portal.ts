import { randomBytes } from 'node:crypto'
import { hashMemberCode } from '@opcommerce/shared/companies'
import type { Config } from '@opcommerce/shared/config'
import type { Knex } from '@opcommerce/shared/db/knex'
import { createCompanyQueries } from '@opcommerce/shared/queries/companies'
import { createUserQueries } from '@opcommerce/shared/queries/users'
import { checkSiren } from '@opcommerce/shared/siren'
import type { UserProfile } from '@opcommerce/shared/users'
import { createPortalContext, type PortalContext } from '@opcommerce/portal/src/lib/context'
import { cookieNames } from '@opcommerce/portal/src/lib/cookies'
import { testLogger } from './logger'

export function testPortalContext(config: Config, db: Knex, overrides: Partial<Parameters<typeof createPortalContext>[0]> = {}): PortalContext {
  return createPortalContext({ config, db, logger: testLogger, limits: { linkPerUser: { points: 1000, duration: 60 }, linkPerIp: { points: 1000, duration: 60 }, linkPerCompanyPerDay: { points: 1000, duration: 60 } }, ...overrides })
}

/** A validated user, created directly: portal tests need users, not the registration flow. */
export async function createUser(db: Knex, givenName: string, familyName = 'Test'): Promise<UserProfile> {
  const email = `${givenName.toLowerCase()}.${randomBytes(4).toString('hex')}@exemple.fr`
  const user = (await createUserQueries(db).insertValidated({ email, passwordHash: 'not-a-real-hash', givenName, familyName }, new Date()))!
  return { id: user.id, email, givenName, familyName }
}

/** Several users at once: `const [alice, bob] = await createUsers(db, ['Alice', 'Bob'])`. */
export async function createUsers<const Names extends readonly string[]>(db: Knex, names: Names): Promise<{ [Index in keyof Names]: UserProfile }> {
  return Promise.all(names.map((name) => createUser(db, name))) as Promise<{ [Index in keyof Names]: UserProfile }>
}

let sirenCounter = 0
/** A company of the directory with a fresh valid SIREN; returns its code adhérent. */
export async function createCompany(db: Knex, config: Config, name = 'Entreprise Test'): Promise<{ siren: string; code: string; name: string }> {
  const companies = createCompanyQueries(db)
  let siren = ''
  do siren = withCheckDigit(`${String(process.pid % 1000).padStart(3, '0')}${String(sirenCounter++ % 100_000).padStart(5, '0')}`)
  while (await companies.find(siren))
  const code = `ADH-${randomBytes(3).toString('hex').toUpperCase()}`
  await companies.save([{ siren, name, memberCodeHash: hashMemberCode(code, config.secrets.memberCodeHmacKey) }])
  return { siren, code, name }
}

/** The one SIREN that completes eight digits, found with the product's own check. */
function withCheckDigit(eightDigits: string): string {
  const siren = Array.from({ length: 10 }, (_, digit) => `${eightDigits}${digit}`).find((candidate) => checkSiren(candidate).ok)
  return siren!
}

/** A portal session of `user`, as /auth/callback opens it; returns its cookie and CSRF token. */
export async function sessionCookie(context: PortalContext, user: UserProfile): Promise<{ cookie: string; csrf: string }> {
  const value = await context.sessions.open({
    userId: user.id,
    idToken: 'unused-in-these-tests',
    refreshToken: undefined,
    accessTokenExpiresAt: new Date(Date.now() + 600_000),
  })
  const session = (await context.sessions.resume(value))!
  return { cookie: `${cookieNames(context.config).session}=${value}`, csrf: session.csrf }
}

/** A form POST to a portal route handler, as the page's fetch sends it. */
export async function formRequest(context: PortalContext, user: UserProfile | undefined, path: string, fields: Record<string, string>, options: { csrf?: string } = {}): Promise<Request> {
  const session = user ? await sessionCookie(context, user) : undefined
  const body = new FormData()
  body.set('_csrf', options.csrf ?? session?.csrf ?? '')
  for (const [name, value] of Object.entries(fields)) body.set(name, value)
  return new Request(`${context.config.portal.url}${path}`, { method: 'POST', body, headers: session ? { cookie: session.cookie, accept: 'application/json' } : { accept: 'application/json' } })
}
