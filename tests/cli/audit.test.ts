import { beforeAll, describe, expect, it } from '@jest/globals'
import type { AuditEntry } from '@opcommerce/shared/queries/audit'
import { OPERATOR_ACTOR, seedUser, useCli, type SeededUser } from '../support/cli'

const SIREN = '732829320'
const ago = (milliseconds: number) => new Date(Date.now() - milliseconds)
const HOUR = 3600_000
const DAY = 24 * HOUR

/** What `audit list --json` prints of an event, left aside its id and time. */
type Event = Omit<AuditEntry, 'id' | 'at'>

describe('npm run cli -- audit list', () => {
  const cli = useCli()
  let jeanne: SeededUser
  let paul: SeededUser

  const types = async (...filters: string[]) => (await cli.json<Event[]>(['audit', 'list', ...filters])).map((event) => event.type)

  beforeAll(async () => {
    jeanne = await seedUser(cli.database.knex, 'Jeanne', 'Durand')
    paul = await seedUser(cli.database.knex, 'Paul', 'Martin')
    await cli.database.knex('audit_events').insert([
      { at: ago(10 * DAY), type: 'client.saved', actor: OPERATOR_ACTOR, subject: 'paie', details: JSON.stringify({ grants: ['authorization_code'] }) },
      { at: ago(2 * DAY), type: 'login.failed', actor: null, subject: 'inconnu@exemple.fr', ip: '198.51.100.4' },
      { at: ago(3 * HOUR), type: 'login.succeeded', actor: jeanne.id, subject: jeanne.id, ip: '203.0.113.7' },
      { at: ago(HOUR), type: 'company.linked_as_admin', actor: jeanne.id, subject: SIREN, ip: '203.0.113.7' },
      { at: ago(HOUR / 2), type: 'company.access_approved', actor: jeanne.id, subject: paul.id, ip: '203.0.113.7', details: JSON.stringify({ siren: SIREN }) },
      { at: ago(HOUR / 12), type: 'login.failed', actor: null, subject: jeanne.id, ip: '198.51.100.4' },
    ])
  })

  it('lists the events newest first, naming users by their address', async () => {
    const result = await cli.run(['audit', 'list'])
    expect(result.code).toBe(0)
    const lines = result.stdout.trim().split('\n')
    expect(lines[0]).toMatch(/^date\s+événement\s+acteur\s+sujet\s+ip\s+détails$/u)
    expect(lines.slice(1).map((line) => line.split(/\s{2,}/u)[1])).toEqual(['login.failed', 'company.access_approved', 'company.linked_as_admin', 'login.succeeded', 'login.failed', 'client.saved'])
    expect(lines[2]).toMatch(new RegExp(`company\\.access_approved\\s+${jeanne.email}\\s+${paul.email}\\s+203\\.0\\.113\\.7\\s+\\{"siren":"${SIREN}"\\}$`, 'u'))
    expect(lines[6]).toMatch(new RegExp(`client\\.saved\\s+${OPERATOR_ACTOR}\\s+paie\\s+\\{"grants":\\["authorization_code"\\]\\}$`, 'u'))

    const json = await cli.json<Event[]>(['audit', 'list', '--limit', '2'])
    expect(json).toEqual([
      expect.objectContaining({ type: 'login.failed', actor: null, subject: jeanne.id, subjectEmail: jeanne.email }),
      expect.objectContaining({ type: 'company.access_approved', actor: jeanne.id, actorEmail: jeanne.email, subject: paul.id, subjectEmail: paul.email, details: { siren: SIREN } }),
    ])
  })

  it("filters by user (address, even unknown, or id), by company, by type and by date", async () => {
    expect(await types('--user', jeanne.email.toUpperCase())).toEqual(['login.failed', 'company.access_approved', 'company.linked_as_admin', 'login.succeeded'])
    expect(await types('--user', paul.id)).toEqual(['company.access_approved'])
    expect(await types('--user', 'inconnu@exemple.fr')).toEqual(['login.failed'])
    expect(await types('--siren', '732 829 320')).toEqual(['company.access_approved', 'company.linked_as_admin'])
    expect(await types('--type', 'company.*')).toEqual(['company.access_approved', 'company.linked_as_admin'])
    expect(await types('--type', 'login.failed', '--limit', '1')).toEqual(['login.failed'])
    expect(await types('--since', '24h')).toEqual(['login.failed', 'company.access_approved', 'company.linked_as_admin', 'login.succeeded'])
    const fiveDaysAgo = ago(5 * DAY).toLocaleDateString('en-CA', { timeZone: 'Europe/Paris' }) // YYYY-MM-DD, in Paris
    expect(await types('--since', fiveDaysAgo, '--user', 'inconnu@exemple.fr')).toEqual(['login.failed'])
    expect(await types('--since', ago(2 * HOUR).toISOString(), '--user', jeanne.email, '--type', 'company.*')).toEqual(['company.access_approved', 'company.linked_as_admin'])
    expect(await cli.json(['audit', 'list', '--user', 'personne@exemple.fr'])).toEqual([])
  })

  it('refuses a date it cannot read and a wrong SIREN', async () => {
    const since = await cli.run(['audit', 'list', '--since', 'lundi'])
    expect(since.code).toBe(1)
    expect(since.stderr).toContain('--since attend une durée (30m, 24h, 7j), une date (2026-11-30) ou un instant ISO 8601 : « lundi ».')
    const impossible = await cli.run(['audit', 'list', '--since', '2026-02-30'])
    expect(impossible.code).toBe(1)
    const siren = await cli.run(['audit', 'list', '--siren', '12345'])
    expect(siren.code).toBe(1)
    expect(siren.stderr).toContain('--siren : Le Siren doit comporter exactement 9 chiffres.')
  })
})
