import { beforeAll, describe, expect, it } from '@jest/globals'
import { seedCompany, seedMembership, seedUser, useCli, type SeededUser } from '../support/cli'

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
