import { describe, expect, it } from '@jest/globals'
import { OPERATOR_ACTOR, useCli } from '../support/cli'

describe('npm run cli -- keys', () => {
  const cli = useCli()

  it('rotates the token signing keys, lists them, and refuses to retire the one that signs', async () => {
    expect((await cli.run(['keys', 'list'])).stdout.trim()).toBe("Aucune clé : l'idp en créera une à son premier démarrage.")
    const first = await cli.run(['keys', 'rotate'])
    const firstKid = /^Clé ([\w-]+) créée/u.exec(first.stdout)![1]!
    const list = (await cli.run(['keys', 'list'])).stdout
    expect(list).toContain(`${firstKid} — créée le`)
    expect(list).toContain('signe les jetons')
    const second = await cli.json<{ kid: string; signsFrom: string }>(['keys', 'rotate'])
    expect(new Date(second.signsFrom).getTime()).toBeGreaterThan(Date.now())
    expect(await cli.json(['keys', 'list'])).toEqual([
      expect.objectContaining({ kid: second.kid, state: 'upcoming' }),
      expect.objectContaining({ kid: firstKid, state: 'signing' }),
    ])
    expect((await cli.run(['keys', 'list'])).stdout).toMatch(/publiée, signera à partir du/u)
    const refused = await cli.run(['keys', 'retire', '--kid', firstKid])
    expect(refused.code).toBe(1)
    expect(refused.stderr.trim()).toBe("Cette clé signe encore les jetons (ou va les signer) : faites d'abord « keys rotate ».")
    const unknown = await cli.run(['keys', 'retire', '--kid', 'inconnue'])
    expect(unknown).toMatchObject({ code: 3, stderr: 'Aucune clé active « inconnue ».\n' })
    expect(await cli.database.knex('audit_events').where({ type: 'signing_key.created' }).pluck('actor')).toEqual([OPERATOR_ACTOR, OPERATOR_ACTOR])
  })
})
