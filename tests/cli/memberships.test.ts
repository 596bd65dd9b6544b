import { beforeAll, describe, expect, it } from '@jest/globals'
import { createMembershipQueries } from '@opcommerce/shared/queries/memberships'
import { OPERATOR_ACTOR, seedCompany, seedMembership, seedUser, useCli, type SeededUser } from '../support/cli'

const SIREN = '732829320'

describe('npm run cli -- memberships list', () => {
  const cli = useCli()
  const people: Record<'admin' | 'member' | 'pending' | 'refused', SeededUser> = {} as never

  beforeAll(async () => {
    const db = cli.database.knex
    await seedCompany(db, SIREN, 'Boulangerie Martin SARL')
    await seedCompany(db, '552100554', 'Librairie des Halles SAS')
    people.admin = await seedUser(db, 'Jeanne', 'Durand')
    people.member = await seedUser(db, 'Paul', 'Martin')
    people.pending = await seedUser(db, 'Lina', 'Bernard')
    people.refused = await seedUser(db, 'Hugo', 'Petit')
    await seedMembership(db, people.admin, SIREN, 'admin', 'active')
    await seedMembership(db, people.member, SIREN, 'member', 'active')
    await seedMembership(db, people.pending, SIREN, 'member', 'pending')
    await seedMembership(db, people.refused, SIREN, 'member', 'rejected')
  })

  it("lists a company's users of every status, active ones first", async () => {
    const listed = await cli.run(['memberships', 'list', '--siren', '732 829 320'])
    expect(listed).toMatchObject({ code: 0, stderr: '' })
    const lines = listed.stdout.trim().split('\n')
    expect(lines[0]).toBe(`Boulangerie Martin SARL (${SIREN})`)
    expect(lines[1]).toMatch(/^adresse\s+nom\s+rôle\s+état\s+demandé le\s+décidé le$/u)
    expect(lines.slice(2).map((line) => line.split(/\s{2,}/u).slice(0, 4))).toEqual([
      [people.admin.email, 'Jeanne Durand', 'administrateur', 'actif'],
      [people.member.email, 'Paul Martin', 'membre', 'actif'],
      [people.pending.email, 'Lina Bernard', 'membre', 'en attente'],
      [people.refused.email, 'Hugo Petit', 'membre', 'refusé'],
    ])

    const json = await cli.json<{ siren: string; name: string; members: { user: { email: string }; role: string; status: string }[] }>(['memberships', 'list', '--siren', SIREN])
    expect(json).toMatchObject({ siren: SIREN, name: 'Boulangerie Martin SARL' })
    expect(json.members.map((member) => [member.user.email, member.role, member.status])).toEqual([
      [people.admin.email, 'admin', 'active'],
      [people.member.email, 'member', 'active'],
      [people.pending.email, 'member', 'pending'],
      [people.refused.email, 'member', 'rejected'],
    ])

    const empty = await cli.run(['memberships', 'list', '--siren', '552100554'])
    expect(empty.stdout.trim()).toBe('Librairie des Halles SAS (552100554)\nAucun utilisateur.')
  })

  it('says when the company is unknown (exit code 3) or the SIREN wrong (exit code 1)', async () => {
    const unknown = await cli.run(['memberships', 'list', '--siren', '404833048'])
    expect({ code: unknown.code, stderr: unknown.stderr.trim() }).toEqual({ code: 3, stderr: "Aucune entreprise de Siren 404833048 dans l'annuaire." })
    const wrong = await cli.run(['memberships', 'list', '--siren', '732829321'])
    expect(wrong.code).toBe(1)
    expect(wrong.stderr).toContain('--siren : ')
    const missing = await cli.run(['memberships', 'list'])
    expect(missing.code).toBe(1)
    expect(missing.stderr).toContain('Indiquez --siren SIREN.')
  })
})

describe('npm run cli -- memberships escalated|pending-confirmation|confirm|reject, companies under-attack', () => {
  const cli = useCli()
  const db = () => cli.database.knex

  it('lists the access requests escalated to the Opcommerce, in words or as JSON, until they are settled', async () => {
    expect((await cli.run(['memberships', 'escalated'])).stdout.trim()).toBe("Aucune demande d'accès transmise à l'Opcommerce en attente.")
    const siren = '412350001'
    await seedCompany(db(), siren, 'Entreprise Muette')
    const admin = await seedUser(db(), 'Alain', 'Muet')
    const requester = await seedUser(db(), 'Léa', 'Attente')
    const memberships = createMembershipQueries(db())
    const requestedAt = new Date(Date.now() - 9 * 24 * 3600_000)
    await memberships.upsert({ userId: admin.id, siren, role: 'admin', status: 'active', at: requestedAt })
    await memberships.upsert({ userId: requester.id, siren, role: 'member', status: 'pending', at: requestedAt })
    expect(await memberships.recordEscalation(requester.id, siren, new Date(), new Date(Date.now() - 7 * 24 * 3600_000))).toBe(true)

    const listed = await cli.run(['memberships', 'escalated'])
    expect(listed.code).toBe(0)
    expect(listed.stdout).toContain(`${siren} Entreprise Muette — Léa Attente <${requester.email}> (utilisateur ${requester.id})`)
    expect(listed.stdout).toContain(`administrateurs : ${admin.email}`)
    expect(await cli.json(['memberships', 'escalated'])).toEqual([expect.objectContaining({ siren, companyName: 'Entreprise Muette', user: expect.objectContaining({ email: requester.email }), adminEmails: [admin.email] })])

    await memberships.decide(requester.id, siren, { status: 'active', role: 'member', by: admin.id, at: new Date() })
    expect(await cli.json(['memberships', 'escalated'])).toEqual([])
    const unknown = await cli.run(['memberships', 'effacer'])
    expect(unknown.code).toBe(1)
    expect(unknown.stderr).toContain('Action inconnue : memberships effacer')
  })

  it('lists the companies under protection and the requests held for the Opcommerce, and settles them', async () => {
    expect((await cli.run(['companies', 'under-attack'])).stdout.trim()).toBe('Aucune entreprise sous protection.')
    await seedCompany(db(), SIREN, 'Opcommerce Test')
    const jeanne = await seedUser(db(), 'Jeanne', 'Client')
    await db()('audit_events').insert({ type: 'company.protection_started', subject: SIREN, details: JSON.stringify({ until: new Date(Date.now() + 3600_000).toISOString() }) })
    await db()('held_requests').insert({ user_id: jeanne.id, siren: SIREN, code_matched: true, created_at: new Date() })
    const attack = await cli.run(['companies', 'under-attack'])
    expect(attack.stdout).toMatch(new RegExp(`^${SIREN}\\s+Opcommerce Test\\s+\\S+ \\S+\\s+\\S+ \\S+\\s+0\\s+1$`, 'mu'))
    expect(await cli.json(['companies', 'under-attack'])).toEqual([expect.objectContaining({ siren: SIREN, wrongCodes: 0, heldRequests: 1 })])
    const pending = await cli.run(['memberships', 'pending-confirmation'])
    expect(pending.stdout).toMatch(new RegExp(`^${SIREN} \\(Opcommerce Test\\) — Jeanne Client <${jeanne.email.replaceAll('.', '\\.')}> — code adhérent correct, 1 essai\\(s\\), le `, 'mu'))
    const confirmed = await cli.run(['memberships', 'confirm', '--email', jeanne.email, '--siren', SIREN])
    expect(confirmed.code).toBe(0)
    expect(confirmed.stdout.trim()).toBe(`Demande confirmée : ${jeanne.email} devient administrateur de son accès (Siren ${SIREN}). Un email l'en informe.`)
    expect(await db()('memberships').where({ user_id: jeanne.id, siren: SIREN }).first()).toMatchObject({ role: 'admin', status: 'active' })
    expect(await db()('audit_events').where({ type: 'company.held_request_confirmed', subject: SIREN }).first()).toMatchObject({ actor: OPERATOR_ACTOR })
    const again = await cli.run(['memberships', 'confirm', '--email', jeanne.email, '--siren', SIREN])
    expect(again.code).toBe(3) // nothing to confirm: not found
    expect(again.stderr.trim()).toBe(`Aucune demande en attente de vérification pour ${jeanne.email} et le Siren ${SIREN}.`)
  })
})

describe('npm run cli -- memberships grant|revoke', () => {
  const cli = useCli()
  const db = () => cli.database.knex
  const SHOP = '552100554'
  let gone: SeededUser
  let paul: SeededUser
  let lina: SeededUser
  let hugo: SeededUser

  const mailsTo = (user: SeededUser) => db()('mail_outbox').where({ to: user.email }).orderBy('id').select('template', 'data')
  const membership = (user: SeededUser) => db()('memberships').where({ user_id: user.id, siren: SHOP }).first('role', 'status', 'decided_by')
  const auditOf = (type: string, user: SeededUser) => db()('audit_events').where({ type, subject: user.id }).select('actor', 'details')

  beforeAll(async () => {
    await seedCompany(db(), SHOP, 'Librairie des Halles SAS')
    gone = await seedUser(db(), 'Anne', 'Partie')
    paul = await seedUser(db(), 'Paul', 'Martin')
    lina = await seedUser(db(), 'Lina', 'Bernard')
    hugo = await seedUser(db(), 'Hugo', 'Petit')
    await seedMembership(db(), gone, SHOP, 'admin', 'active')
    await seedMembership(db(), paul, SHOP, 'member', 'active')
    await seedMembership(db(), lina, SHOP, 'member', 'pending')
  })

  it("refuses to leave the company's members without an administrator, and names it", async () => {
    const revoke = await cli.run(['memberships', 'revoke', '--siren', SHOP, '--email', gone.email])
    expect({ code: revoke.code, stderr: revoke.stderr.trim() }).toEqual({
      code: 1,
      stderr: `${gone.email} est le seul administrateur de Librairie des Halles SAS (Siren ${SHOP}), qui compte 2 autre(s) utilisateur(s) : nommez d'abord un autre administrateur (memberships grant --siren ${SHOP} --email … --role admin).`,
    })
    const demote = await cli.run(['memberships', 'grant', '--siren', SHOP, '--email', gone.email, '--role', 'member'])
    expect(demote.code).toBe(1)
    expect(demote.stderr).toContain(`${gone.email} est le seul administrateur de Librairie des Halles SAS`)
    expect(await membership(gone)).toMatchObject({ role: 'admin', status: 'active' })
    expect(await mailsTo(gone)).toEqual([])
  })

  it('names a new administrator when the only one has left, then removes the one who left; each told by mail, each an audit event', async () => {
    const promoted = await cli.run(['memberships', 'grant', '--siren', '552 100 554', '--email', paul.email.toUpperCase(), '--role', 'admin'])
    expect(promoted).toMatchObject({ code: 0, stderr: '' })
    expect(promoted.stdout.trim()).toBe(`${paul.email} est désormais administrateur de Librairie des Halles SAS (${SHOP}). Un email l'en informe.`)
    expect(await membership(paul)).toMatchObject({ role: 'admin', status: 'active' })
    expect(await mailsTo(paul)).toEqual([{ template: 'role_changed', data: expect.objectContaining({ role: 'admin', siren: SHOP, companyName: 'Librairie des Halles SAS' }) }])
    expect(await auditOf('company.member_promoted', paul)).toEqual([{ actor: OPERATOR_ACTOR, details: { siren: SHOP, role: 'admin' } }])

    const revoked = await cli.json<{ revoked: boolean }>(['memberships', 'revoke', '--siren', SHOP, '--email', gone.id])
    expect(revoked).toMatchObject({ siren: SHOP, userId: gone.id, revoked: true })
    expect(await membership(gone)).toMatchObject({ status: 'revoked', decided_by: null })
    expect(await mailsTo(gone)).toEqual([{ template: 'access_removed', data: { companyName: 'Librairie des Halles SAS', siren: SHOP } }])
    expect(await auditOf('company.member_removed', gone)).toEqual([{ actor: OPERATOR_ACTOR, details: { siren: SHOP } }])

    const again = await cli.run(['memberships', 'revoke', '--siren', SHOP, '--email', gone.email])
    expect({ code: again.code, stderr: again.stderr.trim() }).toEqual({ code: 3, stderr: `${gone.email} n'a pas d'accès actif à Librairie des Halles SAS (${SHOP}).` })
  })

  it('approves a pending request and gives an access to someone without one, with the mails the portal sends', async () => {
    const approved = await cli.json<{ outcome: string }>(['memberships', 'grant', '--siren', SHOP, '--email', lina.email, '--role', 'member'])
    expect(approved).toMatchObject({ outcome: 'activated', role: 'member' })
    expect(await membership(lina)).toMatchObject({ role: 'member', status: 'active' })
    expect((await mailsTo(lina)).map((mail) => mail.template)).toEqual(['access_approved'])
    expect(await auditOf('company.access_approved', lina)).toEqual([{ actor: OPERATOR_ACTOR, details: { siren: SHOP, role: 'member' } }])

    const newcomer = await cli.run(['memberships', 'grant', '--siren', SHOP, '--email', hugo.email, '--role', 'admin'])
    expect(newcomer.stdout.trim()).toBe(`Accès de ${hugo.email} à Librairie des Halles SAS (${SHOP}) activé (rôle : administrateur). Un email l'en informe.`)
    expect((await mailsTo(hugo)).map((mail) => mail.template)).toEqual(['access_approved', 'role_changed'])

    const unchanged = await cli.run(['memberships', 'grant', '--siren', SHOP, '--email', hugo.email, '--role', 'admin'])
    expect(unchanged.code).toBe(0)
    expect(unchanged.stdout).toContain("a déjà un accès actif à Librairie des Halles SAS (552100554) (rôle : administrateur) : rien n'a changé.")
    expect(await mailsTo(hugo)).toHaveLength(2)
  })

  it('says what is unknown (exit code 3) or wrong (exit code 1)', async () => {
    const noUser = await cli.run(['memberships', 'grant', '--siren', SHOP, '--email', 'personne@exemple.fr', '--role', 'admin'])
    expect({ code: noUser.code, stderr: noUser.stderr.trim() }).toEqual({ code: 3, stderr: 'Aucun utilisateur « personne@exemple.fr ».' })
    const noCompany = await cli.run(['memberships', 'revoke', '--siren', '404833048', '--email', paul.email])
    expect({ code: noCompany.code, stderr: noCompany.stderr.trim() }).toEqual({ code: 3, stderr: "Aucune entreprise de Siren 404833048 dans l'annuaire." })
    const role = await cli.run(['memberships', 'grant', '--siren', SHOP, '--email', paul.email, '--role', 'chef'])
    expect(role.code).toBe(1)
    expect(role.stderr).toContain('--role attend admin ou member.')
    const noEmail = await cli.run(['memberships', 'revoke', '--siren', SHOP])
    expect(noEmail.code).toBe(1)
    expect(noEmail.stderr).toContain("Indiquez l'utilisateur : --email EMAIL|ID.")
  })
})
