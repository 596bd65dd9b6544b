/**
 * What an operator relies on, on the stack `npm start` runs: each service's health endpoints,
 * its metrics on a loopback port of its own (never on the public one), and request ids.
 */
import { expect, test } from '@playwright/test'
import { sample } from '../support/service'
import { urls } from './support/stack'

for (const [service, publicUrl, metricsUrl] of [
  ['idp', urls.idp, urls.idpMetrics],
  ['portal', urls.portal, urls.portalMetrics],
] as const) {
  test(`${service}: /healthz and /readyz answer, /metrics exists only on the metrics port`, async ({ request }) => {
    const health = await request.get(`${publicUrl}/healthz`)
    expect([health.status(), await health.text()]).toEqual([200, 'ok\n'])
    const ready = await request.get(`${publicUrl}/readyz`)
    expect([ready.status(), await ready.text()]).toEqual([200, 'prêt\n'])
    expect(ready.headers()['x-request-id']).toMatch(/^[\da-f-]{36}$/u)
    expect((await request.get(`${publicUrl}/metrics`, { maxRedirects: 0 })).status()).toBe(404)

    const metrics = await (await request.get(metricsUrl)).text()
    expect(sample(metrics, 'opco_http_request_duration_seconds_count', { route: '/readyz', method: 'GET', status: '200' })).toBeGreaterThanOrEqual(1)
    expect(sample(metrics, 'opco_http_request_duration_seconds_count', { route: 'unmatched', method: 'GET', status: '404' })).toBeGreaterThanOrEqual(1)
    expect(sample(metrics, 'opco_db_pool_max')).toBeGreaterThan(0)
  })
}

test('portal: requests are counted by page pattern, never by raw path', async ({ request }) => {
  await request.get(`${urls.portal}/entreprises/412350001`, { maxRedirects: 0 })
  await request.get(`${urls.portal}/entreprises/523180008/utilisateurs`, { maxRedirects: 0 })
  const metrics = await (await request.get(urls.portalMetrics)).text()
  expect(sample(metrics, 'opco_http_request_duration_seconds_count', { route: '/entreprises/[siren]', method: 'GET' })).toBeGreaterThanOrEqual(1)
  expect(sample(metrics, 'opco_http_request_duration_seconds_count', { route: '/entreprises/[siren]/utilisateurs', method: 'GET' })).toBeGreaterThanOrEqual(1)
  expect(metrics).not.toContain('412350001')
})
