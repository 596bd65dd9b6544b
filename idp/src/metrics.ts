import { Counter, Gauge } from 'prom-client'
import { GRANT_TYPES } from '@opcommerce/shared/clients'
import type { Knex } from '@opcommerce/shared/db/knex'
import { isAppError } from '@opcommerce/shared/errors'
import type { Logger } from '@opcommerce/shared/logger'
import { createOutboxQueries } from '@opcommerce/shared/mail/outbox'
import { metrics } from '@opcommerce/shared/metrics'

/** The idp's own series, next to the HTTP, rate-limit and pool ones every service has. */
const loginAttempts = new Counter({
  name: 'opco_logins_total',
  help: 'Login form submissions by outcome.',
  labelNames: ['outcome'] as const,
  registers: [metrics.registry],
})

const registrations = new Counter({
  name: 'opco_registrations_total',
  help: 'Registration form submissions by outcome.',
  labelNames: ['outcome'] as const,
  registers: [metrics.registry],
})

const tokenIssues = new Counter({
  name: 'opco_token_issues_total',
  help: 'Successful token endpoint grants, by grant type.',
  labelNames: ['grant_type'] as const,
  registers: [metrics.registry],
})

// Every known series starts at 0, so that rates and alerts work before the first occurrence.
for (const outcome of ['success', 'unvalidated', 'invalid_credentials', 'invalid', 'throttled', 'error']) loginAttempts.inc({ outcome }, 0)
for (const outcome of ['accepted', 'invalid', 'throttled', 'error']) registrations.inc({ outcome }, 0)
for (const grantType of GRANT_TYPES) tokenIssues.inc({ grant_type: grantType }, 0)

/** The outcome of a refused form: its status says which. */
function refusal(error: unknown): string {
  const status = isAppError(error) ? error.status : 500
  if (status === 429) return 'throttled'
  if (status === 401) return 'invalid_credentials'
  if (status < 500) return 'invalid'
  return 'error'
}

export function countLogin(outcome: 'success' | 'unvalidated'): void {
  loginAttempts.inc({ outcome })
}

export function countLoginRefusal(error: unknown): void {
  loginAttempts.inc({ outcome: refusal(error) })
}

/** `accepted`: the answer "Un message de validation a été envoyé", for a new address as for a known one. */
export function countRegistration(outcome: 'accepted' | { refused: unknown }): void {
  registrations.inc({ outcome: outcome === 'accepted' ? outcome : refusal(outcome.refused) })
}

export function countTokenIssue(grantType: string): void {
  tokenIssues.inc({ grant_type: grantType })
}

/** Mails waiting in the outbox and mails given up, read from the database at each scrape. */
export function observeOutbox(db: Knex, logger: Logger): void {
  const outbox = createOutboxQueries(db)
  new Gauge({
    name: 'opco_mail_outbox',
    help: 'Mails in the outbox: pending (queued or being sent) and failed (given up).',
    labelNames: ['status'] as const,
    registers: [metrics.registry],
    async collect() {
      try {
        const counts = await outbox.countByStatus()
        this.set({ status: 'pending' }, counts.pending)
        this.set({ status: 'failed' }, counts.failed)
      } catch (error) {
        this.reset()
        logger.warn({ err: error }, 'outbox metrics unavailable')
      }
    },
  })
}
