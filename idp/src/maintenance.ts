import type { Knex } from '@opcommerce/shared/db/knex'
import type { Logger } from '@opcommerce/shared/logger'
import { createOutboxQueries } from '@opcommerce/shared/mail/outbox'
import { createLogoutDeliveryQueries } from '@opcommerce/shared/queries/logout-deliveries'
import { createRateLimitQueries } from '@opcommerce/shared/queries/rate-limits'
import { createEmailChangeQueries } from './queries/email-changes'
import { createSecondFactorQueries } from '@opcommerce/shared/queries/second-factors'
import { createEmailTokenQueries } from './queries/email-tokens'
import { createOidcPayloadQueries } from './queries/oidc-payloads'
import { createRegistrationQueries } from './queries/registrations'
import { createSessionActivityQueries } from './queries/session-activity'

const EVERY = 10 * 60_000 // milliseconds between two clean-ups
const KEEP_SENT_MAILS = 30 * 24 * 3600_000 // milliseconds
const KEEP_FAILED_LOGOUTS = 30 * 24 * 3600_000 // milliseconds after the logout: operators see them in `logouts list` meanwhile
const KEEP_EMAIL_TOKENS = 7 * 24 * 3600_000 // milliseconds after their expiry
const KEEP_REGISTRATIONS = 7 * 24 * 3600_000 // milliseconds: a registration never validated is forgotten after a week

/**
 * Deletes what has expired: protocol artifacts, used mail links, forgotten registrations, rate-limit counters, old sent
 * mails, given-up logout tokens, the activity of ended SSO sessions, email changes whose
 * cancel link expired, and unanswered WebAuthn challenges.
 */
async function cleanUpExpired(db: Knex, now: Date): Promise<Record<string, number>> {
  return {
    oidcPayloads: await createOidcPayloadQueries(db).purgeExpired(),
    emailTokens: await createEmailTokenQueries(db).purgeExpiredBefore(new Date(now.getTime() - KEEP_EMAIL_TOKENS)),
    registrations: await createRegistrationQueries(db).purgeCreatedBefore(new Date(now.getTime() - KEEP_REGISTRATIONS)),
    rateLimits: await createRateLimitQueries(db).purgeExpired(now),
    sentMails: await createOutboxQueries(db).purgeSentOlderThan(KEEP_SENT_MAILS),
    failedLogouts: await createLogoutDeliveryQueries(db).purgeFailedOlderThan(KEEP_FAILED_LOGOUTS),
    sessionActivity: await createSessionActivityQueries(db).purgeEnded(),
    emailChanges: await createEmailChangeQueries(db).purgeExpiredBefore(now),
    webauthnChallenges: await createSecondFactorQueries(db).deleteExpiredChallenges(now),
  }
}

export function scheduleCleanUp(db: Knex, logger: Logger): () => void {
  const timer = setInterval(() => {
    cleanUpExpired(db, new Date())
      .then((deleted) => logger.info({ deleted }, 'expired rows deleted'))
      .catch((error: unknown) => logger.error({ err: error }, 'clean-up failed'))
  }, EVERY)
  timer.unref()
  return () => clearInterval(timer)
}
