import { defineConfig } from '@playwright/test'
import { urls } from './support/stack'

/**
 * `npm run test:e2e`: the journeys of the user guide in Chromium against the real stack that
 * global-setup starts as `npm start` does, on ports of their own.
 */
export default defineConfig({
  testDir: '.',
  testMatch: '**/*.spec.ts',
  outputDir: '../../test-results/e2e',
  globalSetup: './global-setup.ts',
  globalTeardown: './global-teardown.ts',
  // Journeys that build on each other are `serial` inside their file; files run side by side.
  workers: 2,
  retries: 0,
  forbidOnly: true,
  // Per test. The longest test measured 45 s on 2 busy cores (axe-core at two widths on each
  // page, argon2 and the stack on the same cores): more than twice that, so load never fails a run.
  timeout: 120_000, // milliseconds
  expect: { timeout: 10_000 },
  reporter: [['list'], ['./failure-reporter.ts']],
  use: {
    baseURL: urls.portal,
    browserName: 'chromium',
    headless: true,
    launchOptions: {
      executablePath: '/usr/bin/chromium',
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    },
    locale: 'fr-FR',
    timezoneId: 'Europe/Paris',
    viewport: { width: 1280, height: 800 },
    screenshot: 'only-on-failure',
    // Recording a trace of every test costs 15 % of the run (measured): add `--trace
    // retain-on-failure` to the command to get one for the test that fails.
    trace: 'off',
  },
})
