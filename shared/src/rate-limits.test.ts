import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { createTestDatabase, type TestDatabase } from '../../tests/support/database'
import { formatWait, ipKey, RateLimit } from './rate-limits'

describe('ipKey', () => {
  it('keeps an IPv4 address, also when written as IPv4-mapped IPv6', () => {
    expect(ipKey('203.0.113.7')).toBe('203.0.113.7')
    expect(ipKey('::ffff:203.0.113.7')).toBe('203.0.113.7')
  })

  it('counts every address of an IPv6 /64 as one client', () => {
    expect(ipKey('2001:db8:85a3:12:abcd:1:2:3')).toBe('2001:db8:85a3:12::/64')
    expect(ipKey('2001:db8:85a3:12::99')).toBe('2001:db8:85a3:12::/64')
    expect(ipKey('2001:0DB8:0:0012::1')).toBe('2001:db8:0:12::/64')
    expect(ipKey('2001:db8::1')).toBe('2001:db8:0:0::/64')
    expect(ipKey('::1')).toBe('0:0:0:0::/64')
  })
})

describe('formatWait', () => {
  it('says how long to wait in French, rounded up', () => {
    expect(formatWait(1)).toBe('1 seconde')
    expect(formatWait(45_000)).toBe('45 secondes')
    expect(formatWait(61_000)).toBe('2 minutes')
    expect(formatWait(3_600_000)).toBe('1 heure')
    expect(formatWait(23 * 3_600_000 + 1)).toBe('24 heures')
  })
})

describe('RateLimit', () => {
  let database: TestDatabase | undefined

  beforeAll(async () => {
    database = await createTestDatabase()
  })

  afterAll(async () => {
    await database?.close()
  })

  it('gives back, at once, the point of every budget that counted a right attempt, and only theirs', async () => {
    const perIp = new RateLimit(database!.knex, 'test_per_ip', { points: 2, duration: 60 })
    const perAccount = new RateLimit(database!.knex, 'test_per_account', { points: 2, duration: 60 })
    const untouched = new RateLimit(database!.knex, 'test_untouched', { points: 2, duration: 60 })
    // Three right attempts in a row: each gives back what it spent, so a budget of two never runs out.
    for (let attempt = 1; attempt <= 3; attempt++) {
      await Promise.all([perIp.consume('192.0.2.1', 'Trop.'), perAccount.consume('alice@exemple.fr', 'Trop.'), untouched.take('192.0.2.1')])
      await RateLimit.refund([perIp, '192.0.2.1'], [perAccount, 'alice@exemple.fr'])
    }
    expect((await perIp.take('192.0.2.1')).allowed).toBe(true)
    expect((await perAccount.take('alice@exemple.fr')).allowed).toBe(true)
    // The budget not named kept its three points spent: refused since the third.
    expect((await untouched.take('192.0.2.1')).allowed).toBe(false)
  })

  it('never gives back more than was spent: a budget refunded with nothing counted stays at its limit', async () => {
    const limit = new RateLimit(database!.knex, 'test_never_below_zero', { points: 3, duration: 60 })
    await limit.take('bob@exemple.fr')
    await RateLimit.refund([limit, 'bob@exemple.fr'])
    await RateLimit.refund([limit, 'bob@exemple.fr'])
    const taken = await Promise.all(Array.from({ length: 5 }, () => limit.take('bob@exemple.fr')))
    expect(taken.filter((attempt) => attempt.allowed)).toHaveLength(3)
  })
})
