import { beforeAll, describe, expect, it } from '@jest/globals'
import { seedCompany, seedMembership, seedUser, useCli, type SeededUser } from '../support/cli'

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
