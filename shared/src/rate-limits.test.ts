import { describe, expect, it } from '@jest/globals'
import { formatWait, ipKey } from './rate-limits'

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
