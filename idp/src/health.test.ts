import { describe, expect, it } from '@jest/globals'
import { useIdpStack } from '../../tests/support/idp'

describe('idp readiness and request ids', () => {
  let clock = Date.now()
  const stack = useIdpStack({ now: () => new Date(clock) })

  it('stops being ready when it could not read the signing keys for three reload intervals, and is ready again once it does', async () => {
    expect((await fetch(`${stack.idp.issuer}/readyz`)).status).toBe(200)
    clock += 3 * stack.idp.config.keyReloadIntervalMs + 1000 // the reloads of those minutes all failed
    const stale = await fetch(`${stack.idp.issuer}/readyz`)
    expect([stale.status, await stale.text()]).toEqual([503, 'non prêt : clés de signature non relues depuis plus de 3 intervalles\n'])
    await stack.idp.reloadKeys()
    expect((await fetch(`${stack.idp.issuer}/readyz`)).status).toBe(200)
  })

  it('ignores an X-Request-Id sent without a trusted proxy in front (TRUST_PROXY=false)', async () => {
    const response = await fetch(`${stack.idp.issuer}/healthz`, { headers: { 'x-request-id': 'choisi-par-le-client' } })
    expect(response.headers.get('x-request-id')).toMatch(/^[\da-f]{8}-[\da-f]{4}-[\da-f]{4}-[\da-f]{4}-[\da-f]{12}$/u)
  })
})
