import { randomBytes } from 'node:crypto'
import { hashMemberCode } from '@opcommerce/shared/companies'
import type { Config } from '@opcommerce/shared/config'
import type { Knex } from '@opcommerce/shared/db/knex'
import { createUserQueries } from '@opcommerce/shared/queries/users'
import type { Person } from '@opcommerce/portal/src/lib/access'
import { createPortalContext, type PortalContext } from '@opcommerce/portal/src/lib/context'
import { SESSION_COOKIE } from '@opcommerce/portal/src/lib/session'
import { testLogger } from './logger'

export function testPortalContext(config: Config, db: Knex, overrides: Partial<Parameters<typeof createPortalContext>[0]> = {}): PortalContext {
  return createPortalContext({ config, db, logger: testLogger, limits: { linkPerUser: { points: 1000, duration: 60 }, linkPerCompany: { points: 1000, duration: 60 } }, ...overrides })
}

/** A validated account, created directly: portal tests need people, not the registration flow. */
export async function createPerson(db: Knex, givenName: string, familyName = 'Test'): Promise<Person> {
  const email = `${givenName.toLowerCase()}.${randomBytes(4).toString('hex')}@exemple.fr`
  const user = (await createUserQueries(db).insert({ email, passwordHash: 'not-a-real-hash', givenName, familyName }))!
  await createUserQueries(db).markEmailVerified(user.id, new Date())
  return { id: user.id, email, givenName, familyName }
}

/** Several people at once: `const [alice, bob] = await createPeople(db, ['Alice', 'Bob'])`. */
export async function createPeople<const Names extends readonly string[]>(db: Knex, names: Names): Promise<{ [Index in keyof Names]: Person }> {
  return Promise.all(names.map((name) => createPerson(db, name))) as Promise<{ [Index in keyof Names]: Person }>
}

let sirenCounter = 0
/** A company of the directory with a fresh valid SIREN; returns its code adhérent. */
export async function createCompany(db: Knex, config: Config, name = 'Entreprise Test'): Promise<{ siren: string; code: string; name: string }> {
  let siren = ''
  do siren = luhnComplete(`${String(process.pid % 1000).padStart(3, '0')}${String(sirenCounter++ % 100_000).padStart(5, "0")}`)
  while (await db('companies').where({ siren }).first())
  const code = `ADH-${randomBytes(3).toString('hex').toUpperCase()}`
  await db('companies').insert({ siren, name, member_code_hash: hashMemberCode(code, config.secrets.memberCodeHmacKey) })
  return { siren, code, name }
}

function luhnComplete(eightDigits: string): string {
  for (let check = 0; check <= 9; check++) {
    const candidate = `${eightDigits}${check}`
    const sum = [...candidate].reverse().reduce((total, digit, index) => {
      const weighted = Number(digit) * (index % 2 === 1 ? 2 : 1)
      return total + (weighted > 9 ? weighted - 9 : weighted)
    }, 0)
    if (sum % 10 === 0) return candidate
  }
  throw new Error('unreachable')
}

/** A portal session of `person`, as /auth/callback opens it; returns its cookie and CSRF token. */
export async function sessionCookie(context: PortalContext, person: Person): Promise<{ cookie: string; csrf: string }> {
  const value = await context.sessions.open({
    userId: person.id,
    idToken: 'unused-in-these-tests',
    refreshToken: undefined,
    accessTokenExpiresAt: new Date(Date.now() + 600_000),
  })
  const session = (await context.sessions.resume(value))!
  return { cookie: `${SESSION_COOKIE}=${value}`, csrf: session.csrf }
}

/** A form POST to a portal route handler, as the page's fetch sends it. */
export async function formRequest(context: PortalContext, person: Person | undefined, path: string, fields: Record<string, string>, options: { csrf?: string } = {}): Promise<Request> {
  const session = person ? await sessionCookie(context, person) : undefined
  const body = new FormData()
  body.set('_csrf', options.csrf ?? session?.csrf ?? '')
  for (const [name, value] of Object.entries(fields)) body.set(name, value)
  return new Request(`${context.config.portal.url}${path}`, { method: 'POST', body, headers: session ? { cookie: session.cookie, accept: 'application/json' } : { accept: 'application/json' } })
}
