import { readdirSync, readFileSync } from 'node:fs'
import path from 'node:path'
import { beforeAll, describe, expect, it } from '@jest/globals'
import { createClientQueries } from '@opcommerce/shared/queries/clients'
import { createMembershipQueries } from '@opcommerce/shared/queries/memberships'
import { createSecondFactorQueries } from '@opcommerce/shared/queries/second-factors'
import { portalClient } from '@opcommerce/shared/platform-clients'
import type { UserProfile } from '@opcommerce/shared/users'
import { finishLogin, logout, openAccount, startLogin } from '@/handlers/auth'
import { backchannelLogout } from '@/handlers/backchannel-logout'
import { cancelRequestHandler, escalateHandler, linkCompanyHandler, memberActionHandler, remindHandler } from '@/handlers/companies'
import { domainActionHandler } from '@/handlers/domains'
import { invitationActionHandler, inviteHandler, openInvitationHandler } from '@/handlers/invitations'
import { twoFactorRequirementHandler } from '@/handlers/two-factor'
import { ESCALATION_DELAY } from '@/lib/memberships'
import type { PortalContext } from '@/lib/context'
import { companyAccess, signedInAccess, type PageAccess } from '@/lib/data'
import { GET as favicon } from '../../portal/app/favicon.ico/route'
import { testConfig, useIdpStack } from '../support/idp'
import { createCompany, createUser, formRequest, sessionCookie, testPortalContext } from '../support/portal'
import { repositoryRoot } from '../support/processes'
import { rowCounts } from '../support/rows'

/** Who acts, relative to "the company" of each cell. */
const ROLES = ['visitor', 'pending', 'refused', 'member', 'otherAdmin', 'admin'] as const
type Role = (typeof ROLES)[number]

/** One world per cell: the company, its people, and another company with its own administrator. */
interface World {
  siren: string
  code: string
  people: Record<Exclude<Role, 'visitor'>, UserProfile>
  /** Someone whose access request waits: the target of approve and refuse. */
  requester: UserProfile
  /** Another active member: the target of promote, demote and remove. */
  colleague: UserProfile
  /** An invitation the administrator sent (rows that prepare one): the target of resend and cancel. */
  invitationId?: string
}

type Expected = Record<Role, number | PageAccess<unknown>['kind']>

const appDir = path.join(repositoryRoot, 'portal/app')
function filesNamed(name: string, dir = appDir): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name)
    if (entry.isDirectory()) return filesNamed(name, full)
    return entry.name === name ? [path.relative(appDir, full)] : []
  })
}

describe('authorization matrix: every portal route and page, as every kind of user; only the allowed cells succeed', () => {
  const stack = useIdpStack()
  let context: PortalContext

  beforeAll(async () => {
    context = testPortalContext(testConfig(stack.database, stack.smtp, { IDP_ISSUER: stack.idp.issuer }), stack.database.knex)
    await createClientQueries(stack.database.knex).save(portalClient(context.config))
  })

  async function world(): Promise<World> {
    const company = await createCompany(stack.database.knex, context.config, 'Entreprise Matrice')
    const other = await createCompany(stack.database.knex, context.config, 'Autre Entreprise')
    const [admin, member, pending, refused, otherAdmin, requester, colleague] = await Promise.all(
      ['Admin', 'Membre', 'Attente', 'Refuse', 'Autre', 'Demandeur', 'Collegue'].map((name) => createUser(stack.database.knex, name)),
    )
    const rules = context.memberships
    await rules.linkCompany(admin!, company, 'test')
    await rules.linkCompany(otherAdmin!, other, 'test')
    for (const person of [member!, pending!, refused!, requester!, colleague!]) await rules.linkCompany(person, company, 'test')
    await rules.approve(admin!, company.siren, member!.id, 'test')
    await rules.approve(admin!, company.siren, colleague!.id, 'test')
    await rules.refuse(admin!, company.siren, refused!.id, { reason: '' }, 'test')
    return {
      siren: company.siren,
      code: company.code,
      people: { admin: admin!, member: member!, pending: pending!, refused: refused!, otherAdmin: otherAdmin! },
      requester: requester!,
      colleague: colleague!,
    }
  }

  const actor = (w: World, role: Role) => (role === 'visitor' ? undefined : w.people[role])
  const memberAction = (action: string, target: (w: World) => UserProfile) => async (w: World, role: Role) =>
    memberActionHandler(context, await formRequest(context, actor(w, role), `/api/entreprises/${w.siren}/membres/${target(w).id}`, { action }), w.siren, target(w).id)

  /** Route files: what each does, as each role, and the status it must answer. */
  const routes: Record<string, { prepare?: (w: World) => Promise<unknown>; run: (w: World, role: Role) => Promise<Response>; expected: Expected }[]> = {
    'api/entreprises/route.ts': [
      {
        // Anyone signed in may link a company they hold the code of (a fresh one: they become its administrator).
        run: async (_w, role) => {
          const fresh = await createCompany(stack.database.knex, context.config, 'Entreprise Neuve')
          return linkCompanyHandler(context, await formRequest(context, actor(_w, role), '/api/entreprises', { siren: fresh.siren, code: fresh.code }))
        },
        expected: { visitor: 401, pending: 200, refused: 200, member: 200, otherAdmin: 200, admin: 200 },
      },
    ],
    'api/entreprises/[siren]/relance/route.ts': [
      {
        run: async (w, role) => remindHandler(context, await formRequest(context, actor(w, role), `/api/entreprises/${w.siren}/relance`, {}), w.siren),
        expected: { visitor: 401, pending: 200, refused: 404, member: 404, otherAdmin: 404, admin: 404 },
      },
    ],
    'api/entreprises/[siren]/membres/[userId]/route.ts': [
      { run: memberAction('approve', (w) => w.requester), expected: { visitor: 401, pending: 403, refused: 403, member: 403, otherAdmin: 403, admin: 200 } },
      { run: memberAction('refuse', (w) => w.requester), expected: { visitor: 401, pending: 403, refused: 403, member: 403, otherAdmin: 403, admin: 200 } },
      { run: memberAction('promote', (w) => w.colleague), expected: { visitor: 401, pending: 403, refused: 403, member: 403, otherAdmin: 403, admin: 200 } },
      { run: memberAction('remove', (w) => w.colleague), expected: { visitor: 401, pending: 403, refused: 403, member: 403, otherAdmin: 403, admin: 200 } },
      {
        prepare: (w) => context.memberships.promote(w.people.admin, w.siren, w.colleague.id, 'test'),
        run: memberAction('demote', (w) => w.colleague),
        expected: { visitor: 401, pending: 403, refused: 403, member: 403, otherAdmin: 403, admin: 200 },
      },
      {
        // "Quitter cette entreprise": only an active member who is not its last administrator.
        run: async (w, role) => memberAction('remove', (world) => actor(world, role) ?? world.requester)(w, role),
        expected: { visitor: 401, pending: 409, refused: 409, member: 200, otherAdmin: 409, admin: 409 },
      },
    ],
    'api/entreprises/[siren]/annulation/route.ts': [
      {
        run: async (w, role) => cancelRequestHandler(context, await formRequest(context, actor(w, role), `/api/entreprises/${w.siren}/annulation`, {}), w.siren),
        expected: { visitor: 401, pending: 200, refused: 404, member: 404, otherAdmin: 404, admin: 404 },
      },
    ],
    'api/entreprises/[siren]/escalade/route.ts': [
      {
        // Requests filed more than a week ago: the pending one may be sent to the Opcommerce.
        prepare: (w) =>
          stack.database.knex('memberships').where({ siren: w.siren }).update({ requested_at: new Date(Date.now() - ESCALATION_DELAY - 60_000) }),
        run: async (w, role) => escalateHandler(context, await formRequest(context, actor(w, role), `/api/entreprises/${w.siren}/escalade`, {}), w.siren),
        expected: { visitor: 401, pending: 200, refused: 404, member: 404, otherAdmin: 404, admin: 404 },
      },
    ],
    'api/entreprises/[siren]/domaines/route.ts': [
      {
        // The administrator's own domain (the test users' addresses are on exemple.fr).
        run: async (w, role) => domainActionHandler(context, await formRequest(context, actor(w, role), `/api/entreprises/${w.siren}/domaines`, { action: 'declare', domain: 'exemple.fr' }), w.siren),
        expected: { visitor: 401, pending: 403, refused: 403, member: 403, otherAdmin: 403, admin: 200 },
      },
    ],
    'api/entreprises/[siren]/double-authentification/route.ts': [
      {
        // Everyone has a second factor here: what is left to refuse is the authorization.
        prepare: async (w) => {
          for (const person of Object.values(w.people)) {
            await createSecondFactorQueries(stack.database.knex).insertPasskey({
              id: `cle-${person.id}`,
              userId: person.id,
              publicKey: new Uint8Array([1]),
              counter: 0,
              transports: [],
              name: 'Clé',
              deviceType: 'multiDevice',
              createdAt: new Date(),
            })
          }
        },
        run: async (w, role) =>
          twoFactorRequirementHandler(context, await formRequest(context, actor(w, role), `/api/entreprises/${w.siren}/double-authentification`, { action: 'require' }), w.siren),
        expected: { visitor: 401, pending: 403, refused: 403, member: 403, otherAdmin: 403, admin: 200 },
      },
    ],
    'api/entreprises/[siren]/invitations/route.ts': [
      {
        run: async (w, role) =>
          inviteHandler(context, await formRequest(context, actor(w, role), `/api/entreprises/${w.siren}/invitations`, { email: 'invite@exemple.fr', role: 'member' }), w.siren),
        expected: { visitor: 401, pending: 403, refused: 403, member: 403, otherAdmin: 403, admin: 200 },
      },
    ],
    'api/entreprises/[siren]/invitations/[invitationId]/route.ts': (['resend', 'cancel'] as const).map((action) => ({
      prepare: async (w: World) => {
        await context.invitations.invite(w.people.admin, w.siren, { email: 'invite@exemple.fr', role: 'member' }, 'test')
        w.invitationId = (await stack.database.knex('invitations').where({ siren: w.siren }).first('id')).id
      },
      run: async (w: World, role: Role) =>
        invitationActionHandler(context, await formRequest(context, actor(w, role), `/api/entreprises/${w.siren}/invitations/${w.invitationId}`, { action }), w.siren, w.invitationId!),
      expected: { visitor: 401, pending: 403, refused: 403, member: 403, otherAdmin: 403, admin: 200 },
    })),
    'invitation/[token]/route.ts': [
      // A link that is no invitation: the page that says so, whoever follows it.
      {
        run: async (w, role) => {
          const session = actor(w, role) ? await sessionCookie(context, actor(w, role)!) : undefined
          return openInvitationHandler(context, new Request(`${context.config.portal.url}/invitation/inconnue`, { headers: session ? { cookie: session.cookie } : {} }), 'inconnue')
        },
        expected: { visitor: 303, pending: 303, refused: 303, member: 303, otherAdmin: 303, admin: 303 },
      },
    ],
    'auth/backchannel-logout/route.ts': [
      // Only a signed logout token ends sessions there; no cookie counts (tests/conformance and backchannel-logout.test.ts check the token).
      {
        run: async (w, role) => {
          const session = actor(w, role) ? await sessionCookie(context, actor(w, role)!) : undefined
          return backchannelLogout(context, new Request(`${context.config.portal.url}/auth/backchannel-logout`, { method: 'POST', body: new URLSearchParams({ logout_token: 'x' }), headers: session ? { cookie: session.cookie } : {} }))
        },
        expected: { visitor: 400, pending: 400, refused: 400, member: 400, otherAdmin: 400, admin: 400 },
      },
    ],
    'auth/login/route.ts': [
      { run: async () => startLogin(context, new Request(`${context.config.portal.url}/auth/login`)), expected: { visitor: 303, pending: 303, refused: 303, member: 303, otherAdmin: 303, admin: 303 } },
    ],
    'auth/callback/route.ts': [
      // Without a login in progress in this browser, nobody gets a session: back home with an explanation.
      { run: async () => finishLogin(context, new Request(`${context.config.portal.url}/auth/callback?code=x&state=y`)), expected: { visitor: 303, pending: 303, refused: 303, member: 303, otherAdmin: 303, admin: 303 } },
    ],
    'auth/logout/route.ts': [
      // Signed in: the page that posts the ID token to the idp's end_session; a visitor goes home.
      { run: async (w, role) => logout(context, await formRequest(context, actor(w, role), '/auth/logout', {})), expected: { visitor: 303, pending: 200, refused: 200, member: 200, otherAdmin: 200, admin: 200 } },
    ],
    // « Mon compte »: the idp's page, which decides there with its own session.
    'compte/route.ts': [{ run: async () => openAccount(context), expected: { visitor: 303, pending: 303, refused: 303, member: 303, otherAdmin: 303, admin: 303 } }],
    'favicon.ico/route.ts': [{ run: async () => favicon(), expected: { visitor: 200, pending: 200, refused: 200, member: 200, otherAdmin: 200, admin: 200 } }],
  }

  /** Pages: the guard each page file calls, and what it decides for each role. */
  const pages: Record<string, { guard: string | null; decide?: (w: World, role: Role) => Promise<PageAccess<unknown>>; expected: Expected }> = {
    'page.tsx': { guard: null, expected: { visitor: 'page', pending: 'page', refused: 'page', member: 'page', otherAdmin: 'page', admin: 'page' } },
    'invitation/page.tsx': { guard: null, expected: { visitor: 'page', pending: 'page', refused: 'page', member: 'page', otherAdmin: 'page', admin: 'page' } },
    'mes-entreprises/page.tsx': {
      guard: 'requireSignedIn',
      decide: async (w, role) => signedInAccess(context, await session(w, role), '/mes-entreprises'),
      expected: { visitor: 'login', pending: 'page', refused: 'page', member: 'page', otherAdmin: 'page', admin: 'page' },
    },
    'outils/page.tsx': {
      guard: 'requireSignedIn',
      decide: async (w, role) => signedInAccess(context, await session(w, role), '/outils'),
      expected: { visitor: 'login', pending: 'page', refused: 'page', member: 'page', otherAdmin: 'page', admin: 'page' },
    },
    'entreprises/ajouter/page.tsx': {
      guard: 'requireSignedIn',
      decide: async (w, role) => signedInAccess(context, await session(w, role), '/entreprises/ajouter'),
      expected: { visitor: 'login', pending: 'page', refused: 'page', member: 'page', otherAdmin: 'page', admin: 'page' },
    },
    'entreprises/[siren]/page.tsx': {
      guard: 'requireCompanyPage',
      decide: async (w, role) => companyAccess(context, await session(w, role), w.siren, `/entreprises/${w.siren}`, { admin: false }),
      expected: { visitor: 'login', pending: 'pending', refused: 'not_found', member: 'page', otherAdmin: 'not_found', admin: 'page' },
    },
    'entreprises/[siren]/utilisateurs/page.tsx': {
      guard: 'requireCompanyAdminPage',
      decide: async (w, role) => companyAccess(context, await session(w, role), w.siren, `/entreprises/${w.siren}/utilisateurs`, { admin: true }),
      expected: { visitor: 'login', pending: 'pending', refused: 'not_found', member: 'forbidden', otherAdmin: 'not_found', admin: 'page' },
    },
  }

  async function session(w: World, role: Role) {
    const user = actor(w, role)
    if (!user) return undefined
    const { cookie } = await sessionCookie(context, user)
    return context.sessions.resume(cookie.split('=')[1])
  }

  it('has a row for every route file and every page of portal/app', () => {
    expect(filesNamed('route.ts').sort()).toEqual(Object.keys(routes).sort())
    expect(filesNamed('page.tsx').sort()).toEqual(Object.keys(pages).sort())
  })

  const rows = Object.entries(routes).flatMap(([file, actions]) => actions.map((row, index) => ({ name: `${file}#${index}`, ...row })))

  // Refusals change nothing, so the refused roles of a row share one world (and prove it); each
  // allowed role gets a world of its own.
  it.each(rows.map((row) => [row.name, row] as const))('answers %s as its row says, and a refused request changes nothing', async (name, { prepare, run, expected }) => {
    const prepared = async () => {
      const w = await world()
      await prepare?.(w)
      return w
    }
    const refusedWorld = await prepared()
    for (const role of ROLES) {
      const w = Number(expected[role]) >= 400 ? refusedWorld : await prepared()
      const before = await rowCounts(stack.database.knex)
      const memberships = await createMembershipQueries(stack.database.knex).membersOf(w.siren)
      const status = (await run(w, role)).status
      expect(`${name} ${role}: ${status}`).toBe(`${name} ${role}: ${expected[role]}`)
      if (status >= 400) {
        expect(await rowCounts(stack.database.knex)).toEqual(before)
        expect(await createMembershipQueries(stack.database.knex).membersOf(w.siren)).toEqual(memberships)
      }
    }
  })

  it.each(Object.entries(pages))('decides the page %s as its row says, and the page file calls its guard', async (file, { guard, decide, expected }) => {
    const source = readFileSync(path.join(appDir, file), 'utf8')
    if (guard) expect({ file, calls: source.includes(`${guard}(`) }).toEqual({ file, calls: true })
    else expect({ file, guarded: /require\w+\(/u.test(source) }).toEqual({ file, guarded: false })
    const w = await world()
    for (const role of ROLES) {
      const kind = decide ? (await decide(w, role)).kind : 'page'
      expect(`${file} ${role}: ${kind}`).toBe(`${file} ${role}: ${expected[role]}`)
    }
  })
})
