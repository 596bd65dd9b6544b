import { beforeAll, describe, expect, it } from '@jest/globals'
import { createIdpLimits } from '@opcommerce/idp/src/libraries/limits'
import { createSecondFactorQueries } from '@opcommerce/shared/queries/second-factors'
import { OPERATOR_ACTOR, seedCompany, seedMembership, seedUser, useCli, type SeededUser } from '../support/cli'

const BOULANGERIE = '732829320'
const LIBRAIRIE = '552100554'

interface FoundUser {
  id: string
  email: string
  givenName: string
  familyName: string
  emailVerifiedAt: string | null
  createdAt: string
}

describe('npm run cli -- users find|show', () => {
  const cli = useCli()
  let jeanne: SeededUser
  let paul: SeededUser

  beforeAll(async () => {
    const db = cli.database.knex
    jeanne = await seedUser(db, 'Jeanne', 'Durand')
    paul = await seedUser(db, 'Paul', 'Martin')
    await seedCompany(db, BOULANGERIE, 'Boulangerie Martin SARL')
    await seedCompany(db, LIBRAIRIE, 'Librairie des Halles SAS')
    await seedMembership(db, jeanne, BOULANGERIE, 'admin', 'active')
    await seedMembership(db, jeanne, LIBRAIRIE, 'member', 'pending')
    await db('audit_events').insert([
      { at: new Date(Date.now() - 3_600_000), type: 'login.succeeded', actor: jeanne.id, subject: jeanne.id, ip: '203.0.113.7' },
      { at: new Date(Date.now() - 7_200_000), type: 'login.succeeded', actor: jeanne.id, subject: jeanne.id, ip: '198.51.100.4' },
    ])
  })

  it('finds users by a part of their address, in capitals or not; nothing found is exit code 3', async () => {
    const found = await cli.run(['users', 'find', '--email', jeanne.email.toUpperCase()])
    expect(found).toMatchObject({ code: 0, stderr: '' })
    const lines = found.stdout.trim().split('\n')
    expect(lines[0]).toMatch(/^adresse\s+nom\s+id\s+inscrit le\s+adresse validée le$/u)
    expect(lines.slice(1)).toEqual([expect.stringMatching(new RegExp(`^${jeanne.email}\\s+Jeanne Durand\\s+${jeanne.id}\\s`, 'u'))])

    const domain = await cli.json<FoundUser[]>(['users', 'find', '--email', '@exemple.fr'])
    expect(domain.map((user) => user.email)).toEqual([jeanne.email, paul.email].sort())
    expect(domain.find((user) => user.id === paul.id)).toMatchObject({ givenName: 'Paul', familyName: 'Martin', emailVerifiedAt: expect.any(String) })
    expect(JSON.stringify(domain)).not.toContain('password')

    const wildcard = await cli.run(['users', 'find', '--email', '%'])
    expect(wildcard.code).toBe(3)
    expect(wildcard.stdout.trim()).toBe("Aucun utilisateur dont l'adresse contient « % ».")
    expect(await cli.json(['users', 'find', '--email', 'personne@ailleurs.fr'], 3)).toEqual([])

    const missing = await cli.run(['users', 'find'])
    expect(missing.code).toBe(1)
    expect(missing.stderr).toContain('Indiquez --email TEXTE.')
  })

  it("shows a user with their companies and last login, by address or id; an unknown one is exit code 3", async () => {
    const shown = await cli.run(['users', 'show', jeanne.email.toUpperCase()])
    expect(shown).toMatchObject({ code: 0, stderr: '' })
    expect(shown.stdout).toContain(`Jeanne Durand <${jeanne.email}>`)
    expect(shown.stdout).toContain(`  id : ${jeanne.id}`)
    expect(shown.stdout).toMatch(/dernière connexion : .+ depuis 203\.0\.113\.7/u)
    expect(shown.stdout).toMatch(new RegExp(`^${BOULANGERIE}\\s+Boulangerie Martin SARL\\s+administrateur\\s+actif\\s`, 'mu'))
    expect(shown.stdout).toMatch(new RegExp(`^${LIBRAIRIE}\\s+Librairie des Halles SAS\\s+membre\\s+en attente\\s`, 'mu'))

    const json = await cli.json<FoundUser & { lastLoginAt: string; memberships: { siren: string; role: string; status: string; companyName: string }[] }>(['users', 'show', paul.id.toUpperCase()])
    expect(json).toMatchObject({ id: paul.id, email: paul.email, lastLoginAt: null, memberships: [] })
    const paulText = await cli.run(['users', 'show', paul.id])
    expect(paulText.stdout).toContain('dernière connexion : aucune')
    expect(paulText.stdout).toContain('Aucune entreprise.')

    for (const unknown of ['personne@exemple.fr', '00000000-0000-4000-8000-000000000000']) {
      const result = await cli.run(['users', 'show', unknown])
      expect({ code: result.code, stderr: result.stderr.trim(), stdout: result.stdout }).toEqual({ code: 3, stderr: `Aucun utilisateur « ${unknown} ».`, stdout: '' })
    }
    const none = await cli.run(['users', 'show'])
    expect(none.code).toBe(1)
    expect(none.stderr).toContain('Arguments attendus : EMAIL|ID')
  })
})

describe('npm run cli -- users unlock|disable|enable|delete', () => {
  const cli = useCli()
  const db = () => cli.database.knex
  const SHOP = '552100554'
  const LONE = '404833048'

  const auditOf = (type: string, user: SeededUser) => db()('audit_events').where({ type, subject: user.id }).select('actor', 'details')

  /** A single sign-on session of the user that authorized a client listening for logout tokens, and a portal session. */
  async function signedIn(user: SeededUser): Promise<void> {
    await db()('oidc_payloads').insert({ kind: 'Session', id: `session-${user.id}`, payload: JSON.stringify({ accountId: user.id, authorizations: { agenda: { sid: `sid-${user.id}` } } }) })
    await db()('portal_sessions').insert({ id: `portal-${user.id}`, user_id: user.id, id_token_encrypted: 'x', access_token_expires_at: new Date(Date.now() + 3600_000), csrf: 'x', expires_at: new Date(Date.now() + 3600_000) })
  }
  const sessionsOf = async (user: SeededUser) =>
    Number((await db()('oidc_payloads').whereRaw(`payload->>'accountId' = ?`, [user.id]).count({ count: '*' }))[0]!.count) +
    Number((await db()('portal_sessions').where({ user_id: user.id }).count({ count: '*' }))[0]!.count)

  beforeAll(async () => {
    await db()('oidc_clients').insert({ client_id: 'agenda', name: 'Agenda', metadata: JSON.stringify({ client_id: 'agenda', redirect_uris: ['https://agenda.opcommerce.test/callback'], backchannel_logout_uri: 'https://agenda.opcommerce.test/logout' }) })
    await seedCompany(db(), SHOP, 'Librairie des Halles SAS')
    await seedCompany(db(), LONE, 'Atelier Solo SARL')
  })

  it("unlock gives the account its login budget back at once; the idp's other budgets stay", async () => {
    const jeanne = await seedUser(db(), 'Jeanne', 'Bloquée')
    const limits = createIdpLimits(db())
    for (let attempt = 0; attempt < 10; attempt++) await limits.loginFailuresPerAccount.take(jeanne.email)
    await limits.loginSlowLanePerAccount.take(jeanne.email)
    await limits.loginFailuresPerIp.take('203.0.113.7')
    expect((await limits.loginFailuresPerAccount.take(jeanne.email)).allowed).toBe(false)
    expect((await limits.loginSlowLanePerAccount.take(jeanne.email)).allowed).toBe(false)

    const unlocked = await cli.run(['users', 'unlock', jeanne.email.toUpperCase()])
    expect(unlocked).toMatchObject({ code: 0, stderr: '' })
    expect(unlocked.stdout.trim()).toBe(`Compte ${jeanne.email} débloqué : ses essais de connexion repartent de zéro.`)
    expect((await limits.loginFailuresPerAccount.take(jeanne.email)).allowed).toBe(true)
    expect((await limits.loginSlowLanePerAccount.take(jeanne.email)).allowed).toBe(true)
    expect(Number((await db()('rate_limits').where('key', 'like', 'idp_loginFailuresPerIp:%').first())?.points)).toBe(1)
    expect(await auditOf('account.unlocked', jeanne)).toEqual([{ actor: OPERATOR_ACTOR, details: {} }])
    expect(await cli.json(['users', 'unlock', jeanne.id])).toMatchObject({ id: jeanne.id, unlocked: true })
  })

  it('disable ends every session at once, tells the applications, and keeps the account; enable brings it back', async () => {
    const paul = await seedUser(db(), 'Paul', 'Désactivé')
    await seedMembership(db(), paul, SHOP, 'member', 'active')
    await signedIn(paul)
    expect(await sessionsOf(paul)).toBe(2)

    const disabled = await cli.run(['users', 'disable', paul.email])
    expect(disabled).toMatchObject({ code: 0, stderr: '' })
    expect(disabled.stdout.trim()).toBe(`Compte ${paul.email} désactivé ; 2 session(s) ou jeton(s) terminé(s).`)
    expect(await sessionsOf(paul)).toBe(0)
    expect(await db()('logout_deliveries').where({ sub: paul.id }).select('client_id', 'sid')).toEqual([{ client_id: 'agenda', sid: `sid-${paul.id}` }])
    expect((await db()('users').where({ id: paul.id }).first()).disabled_at).toBeInstanceOf(Date)
    expect(await auditOf('account.disabled', paul)).toEqual([{ actor: OPERATOR_ACTOR, details: { sessions: 2 } }])
    expect((await cli.run(['users', 'show', paul.email])).stdout).toMatch(/^ {2}désactivé le : /mu)

    const again = await cli.json<{ changed: boolean }>(['users', 'disable', paul.id])
    expect(again).toMatchObject({ disabled: true, changed: false })
    expect(await auditOf('account.disabled', paul)).toHaveLength(1)

    const enabled = await cli.run(['users', 'enable', paul.email])
    expect(enabled.stdout.trim()).toBe(`Compte ${paul.email} rétabli : la personne peut de nouveau se connecter.`)
    expect((await db()('users').where({ id: paul.id }).first()).disabled_at).toBeNull()
    expect(await db()('memberships').where({ user_id: paul.id, siren: SHOP }).first()).toMatchObject({ status: 'active' })
    expect(await auditOf('account.enabled', paul)).toEqual([{ actor: OPERATOR_ACTOR, details: {} }])
    expect((await cli.run(['users', 'enable', paul.email])).stdout.trim()).toBe(`Le compte ${paul.email} n'est pas désactivé.`)
  })

  it("delete is refused while the person is the only administrator of a company with other members, and names it", async () => {
    const anne = await seedUser(db(), 'Anne', 'Seule')
    const lina = await seedUser(db(), 'Lina', 'Membre')
    await seedMembership(db(), anne, SHOP, 'admin', 'active')
    await seedMembership(db(), lina, SHOP, 'member', 'pending')
    await seedMembership(db(), anne, LONE, 'admin', 'active')

    const refused = await cli.run(['users', 'delete', anne.email])
    expect({ code: refused.code, stderr: refused.stderr.trim() }).toEqual({
      code: 1,
      stderr: `${anne.email} est le seul administrateur de Librairie des Halles SAS (Siren ${SHOP}), qui compte 2 autre(s) utilisateur(s) : nommez d'abord un autre administrateur (memberships grant --siren ${SHOP} --email … --role admin).`,
    })
    expect(await db()('users').where({ id: anne.id }).first()).toBeDefined()
    expect(await db()('audit_events').where({ type: 'account.deleted' })).toEqual([])

    // Another administrator named, the person can go; the company she was alone in keeps no one.
    await db()('memberships').where({ user_id: lina.id, siren: SHOP }).update({ status: 'active', role: 'admin' })
    await signedIn(anne)
    const deleted = await cli.json<{ companies: string[] }>(['users', 'delete', anne.id])
    expect(deleted).toMatchObject({ id: anne.id, email: anne.email, deleted: true })
    expect(deleted.companies.sort()).toEqual([LONE, SHOP])
    expect(await db()('users').where({ id: anne.id }).first()).toBeUndefined()
    expect(await db()('memberships').where({ user_id: anne.id })).toEqual([])
    expect(await sessionsOf(anne)).toBe(0)
    expect(await db()('logout_deliveries').where({ sub: anne.id }).select('client_id')).toEqual([{ client_id: 'agenda' }])
    // As when a person closes their account: the audit trail keeps the events under a pseudonym.
    expect(await db()('audit_events').where({ type: 'account.deleted' }).select('actor', 'subject', 'details')).toEqual([
      { actor: OPERATOR_ACTOR, subject: expect.stringMatching(/^compte-ferme:[\da-f]{24}$/u), details: { companies: expect.arrayContaining([LONE, SHOP]) } },
    ])
    expect(await db()('audit_events').where({ subject: anne.id }).orWhere({ actor: anne.id }).orWhere({ subject: anne.email })).toEqual([])
    expect((await cli.run(['users', 'show', anne.id])).code).toBe(3)
  })

  it('answers 3 for a user it does not know, and changes nothing', async () => {
    for (const action of ['unlock', 'disable', 'enable', 'delete']) {
      const result = await cli.run(['users', action, 'personne@exemple.fr'])
      expect({ action, code: result.code, stderr: result.stderr.trim() }).toEqual({ action, code: 3, stderr: 'Aucun utilisateur « personne@exemple.fr ».' })
    }
    expect(await db()('audit_events').where({ subject: 'personne@exemple.fr' })).toEqual([])
  })
})

describe('npm run cli -- users reset-2fa', () => {
  const cli = useCli()

  it('removes every second factor of a person, audited under the operator, mails them, and keeps the password', async () => {
    const db = cli.database.knex
    const paul = await seedUser(db, 'Paul', 'Perdu')
    const factors = createSecondFactorQueries(db)
    await db('totp_secrets').insert({ user_id: paul.id, secret_encrypted: 'x', confirmed_at: new Date(), created_at: new Date() })
    await factors.replaceRecoveryCodes(paul.id, ['a', 'b'])
    await factors.insertPasskey({ id: 'cle-perdue', userId: paul.id, publicKey: new Uint8Array([1]), counter: 0, transports: [], name: 'Clé', deviceType: 'singleDevice', createdAt: new Date() })

    const result = await cli.run(['users', 'reset-2fa', paul.email, '--json'])
    expect({ code: result.code, stderr: result.stderr }).toEqual({ code: 0, stderr: '' })
    expect(JSON.parse(result.stdout)).toEqual({ id: paul.id, email: paul.email, factorsRemoved: 2 })
    expect(await factors.of(paul.id)).toEqual({ totp: false, passkeys: 0, recoveryCodesLeft: 0 })
    expect(await db('users').where({ id: paul.id }).first('password_hash')).toEqual({ password_hash: 'not-a-password-hash' })
    expect(await db('audit_events').where({ type: 'two_factor.reset_by_operator', subject: paul.id }).first()).toMatchObject({ actor: OPERATOR_ACTOR })
    expect(await db('mail_outbox').where({ to: paul.email, template: 'two_factor_reset' })).toHaveLength(1)

    const unknown = await cli.run(['users', 'reset-2fa', 'personne@exemple.fr'])
    expect({ code: unknown.code, stderr: unknown.stderr.trim() }).toEqual({ code: 3, stderr: 'Aucun utilisateur « personne@exemple.fr ».' })
  })
})
