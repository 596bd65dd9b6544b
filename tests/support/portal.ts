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
export async function createUser(db: Knex, givenName: string, familyName = 'Test', domain = 'exemple.fr'): Promise<UserProfile> {
  const email = `${givenName.toLowerCase()}.${randomBytes(4).toString('hex')}@${domain}`
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

/** A company of the directory whose administrator is `admin`, with `members` already let in. */
export async function companyAdministeredBy(db: Knex, context: PortalContext, name: string, admin: UserProfile, members: UserProfile[] = []) {
  const company = await createCompany(db, context.config, name)
  await context.memberships.linkCompany(admin, company, 'test')
  for (const member of members) {
    await context.memberships.linkCompany(member, company, 'test')
    await context.memberships.approve(admin, company.siren, member.id, 'test')
  }
  return company
}

/** A portal session of `user`, as /auth/callback opens it; returns its cookie and CSRF token. */
export async function sessionCookie(context: PortalContext, user: UserProfile): Promise<{ cookie: string; csrf: string }> {
  const value = await context.sessions.open({
    userId: user.id,
    sid: undefined,
    idToken: 'unused-in-these-tests',
    refreshToken: undefined,
    accessTokenExpiresAt: new Date(Date.now() + 600_000),
  })
  const session = (await context.sessions.resume(value))!
  return { cookie: `${cookieNames(context.config).session}=${value}`, csrf: session.csrf }
}

/**
 * A form POST to a portal route handler, as the page's fetch sends it; `plain` as the browser
 * posts it without JavaScript (no JSON asked, the page's address as Referer).
 */
export async function formRequest(
  context: PortalContext,
  user: UserProfile | undefined,
  path: string,
  fields: Record<string, string>,
  options: { csrf?: string; plain?: { referer?: string } } = {},
): Promise<Request> {
  const session = user ? await sessionCookie(context, user) : undefined
  const body = new FormData()
  body.set('_csrf', options.csrf ?? session?.csrf ?? '')
  for (const [name, value] of Object.entries(fields)) body.set(name, value)
  const headers: Record<string, string> = options.plain ? { accept: 'text/html' } : { accept: 'application/json' }
  if (options.plain?.referer) headers.referer = options.plain.referer
  if (session) headers.cookie = session.cookie
  return new Request(`${context.config.portal.url}${path}`, { method: 'POST', body, headers })
}

/**
 * The people of the authorization tests, seen from one company: its administrator, a member, a
 * person whose request is pending, one whose request was refused, and the administrator of
 * another company. A visitor has no session (undefined).
 */
export async function companyCast(db: Knex, context: PortalContext, name: string) {
  const company = await createCompany(db, context.config, name)
  const otherCompany = await createCompany(db, context.config, `${name} (autre)`)
  const [admin, member, pending, refused, otherAdmin] = await createUsers(db, ['Alice', 'Bob', 'Chloe', 'Rachid', 'Denis'])
  const ip = 'test'
  await context.memberships.linkCompany(admin, company, ip)
  for (const user of [member, pending, refused]) await context.memberships.linkCompany(user, company, ip)
  await context.memberships.approve(admin, company.siren, member.id, ip)
  await context.memberships.refuse(admin, company.siren, refused.id, { reason: '' }, ip)
  await context.memberships.linkCompany(otherAdmin, otherCompany, ip)
  return { company, otherCompany, admin, member, pending, refused, otherAdmin }
}

export type CompanyCast = Awaited<ReturnType<typeof companyCast>>
/** Who acts in one cell of an authorization table. */
export type CastRole = 'visitor' | 'pending' | 'refused' | 'member' | 'otherAdmin' | 'admin'
export const CAST_ROLES: CastRole[] = ['visitor', 'pending', 'refused', 'member', 'otherAdmin', 'admin']
export const actorOf = (cast: CompanyCast, role: CastRole): UserProfile | undefined => (role === 'visitor' ? undefined : cast[role])
