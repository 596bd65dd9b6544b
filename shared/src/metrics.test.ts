import { describe, expect, it } from '@jest/globals'
import { freePort } from '../../tests/support/ports'
import { sample } from '../../tests/support/service'
import { metrics, observeRequest, startMetricsServer } from './metrics'

describe('the metrics endpoint', () => {
  it('asks for METRICS_TOKEN when one is set, and serves nothing but GET /metrics', async () => {
    const token = 'metrics-test-token-0123456789abcdefghijk'
    const port = await freePort()
    const server = await startMetricsServer({ host: '127.0.0.1', port, token }, 'IDP_METRICS_PORT')
    try {
      observeRequest('/inscription', 'POST', 400, 0.02)
      const url = `http://127.0.0.1:${port}/metrics`
      const anonymous = await fetch(url)
      expect([anonymous.status, await anonymous.text()]).toEqual([401, 'Jeton METRICS_TOKEN attendu.\n'])
      expect((await fetch(url, { headers: { authorization: `Bearer ${token.slice(0, -1)}x` } })).status).toBe(401)
      const allowed = await fetch(url, { headers: { authorization: `Bearer ${token}` } })
      expect(allowed.status).toBe(200)
      expect(sample(await allowed.text(), 'opco_http_request_duration_seconds_count', { route: '/inscription', method: 'POST', status: '400' })).toBe(1)
      expect((await fetch(`http://127.0.0.1:${port}/`, { headers: { authorization: `Bearer ${token}` } })).status).toBe(404)
      expect((await fetch(url, { method: 'POST', headers: { authorization: `Bearer ${token}` } })).status).toBe(404)
    } finally {
      server.close()
    }
  })

  it('names its variable when the port is taken', async () => {
    const port = await freePort()
    const first = await startMetricsServer({ host: '127.0.0.1', port, token: undefined }, 'PORTAL_METRICS_PORT')
    try {
      await expect(startMetricsServer({ host: '127.0.0.1', port, token: undefined }, 'PORTAL_METRICS_PORT')).rejects.toThrow(
        `Le port ${port} (PORTAL_METRICS_PORT) est déjà utilisé par un autre programme.`,
      )
    } finally {
      first.close()
    }
  })

  it('is one registry per process, even when a bundler loads the module twice', async () => {
    const again = (await import(`./metrics?copy=${Date.now()}`)) as typeof import('./metrics')
    expect(again.observeRequest).not.toBe(observeRequest) // a second copy of the module…
    expect(again.metrics).toBe(metrics) // …counting in the same place
  })
})
