import { describe, expect, it } from '@jest/globals'
import { crossSiteRequest, formText } from './forms'

describe('crossSiteRequest', () => {
  const origin = 'https://auth.opcommerce.test'

  it('refuses what the browser says comes from elsewhere', () => {
    expect(crossSiteRequest('cross-site', '', origin)).toBe(true)
    expect(crossSiteRequest('same-site', origin, origin)).toBe(true)
    expect(crossSiteRequest('', 'https://pirate.example', origin)).toBe(true)
  })

  it('accepts our own pages, and leaves browsers that say nothing (or Origin: null) to the CSRF token', () => {
    expect(crossSiteRequest('same-origin', origin, origin)).toBe(false)
    expect(crossSiteRequest('same-origin', 'null', origin)).toBe(false)
    expect(crossSiteRequest('', '', origin)).toBe(false)
  })
})

describe('formText', () => {
  it('reads a missing, non-text or absurdly long field as empty, and drops NUL characters', () => {
    expect(formText.parse(undefined)).toBe('')
    expect(formText.parse(['a', 'b'])).toBe('')
    expect(formText.parse('x'.repeat(10_001))).toBe('')
    expect(formText.parse('jeanne\u0000@client.fr')).toBe('jeanne@client.fr')
  })
})
