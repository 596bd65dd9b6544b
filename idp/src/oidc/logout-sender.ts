import { randomUUID } from 'node:crypto'
import type Provider from 'oidc-provider'
import type { Knex } from '@opcommerce/shared/db/knex'
import type { Logger } from '@opcommerce/shared/logger'
import { BACKCHANNEL_LOGOUT_EVENT } from '@opcommerce/shared/logout-token'
import { retryDelay, startPolling } from '@opcommerce/shared/polling'
import { createLogoutDeliveryQueries, type LogoutDelivery } from '@opcommerce/shared/queries/logout-deliveries'

const BATCH_SIZE = 20 // deliveries per claim, sent side by side
const LEASE = 60_000 // milliseconds a claimed delivery is reserved for its sender
const ANSWER_TIMEOUT = 5_000 // milliseconds a client has to answer
const GIVE_UP_AFTER = 24 * 3600_000 // milliseconds: then the delivery is failed, for operators to see

/**
 * A logout token (Back-Channel Logout 1.0 §2.4) for `delivery`, signed by the provider as it
 * signs ID tokens (its current key, the client's algorithm): header typ `logout+jwt`; iss, aud,
 * iat, exp (two minutes), jti, sub, sid and the logout event; never a nonce.
 */
async function signLogoutToken(provider: Provider, client: InstanceType<Provider['Client']>, delivery: LogoutDelivery): Promise<string> {
  const token = new provider.IdToken({}, { client })
  token.set('sub', delivery.sub)
  if (delivery.sid) token.set('sid', delivery.sid)
  token.set('events', { [BACKCHANNEL_LOGOUT_EVENT]: {} })
  token.set('jti', randomUUID())
  return token.issue({ use: 'logout' })
}

/** What operators read in `logouts list`: the answer, or why there was none. */
function describeFailure(uri: string, error: unknown): string {
  if (error instanceof Error && error.name === 'TimeoutError') return `${uri} did not answer within ${ANSWER_TIMEOUT / 1000} s`
  const cause = (error as { cause?: { code?: string; message?: string } }).cause
  return cause ? `${uri}: ${cause.code ?? cause.message}` : (error as Error).message
}

export interface LogoutSenderOptions {
  db: Knex
  /** The provider now: it is rebuilt when the signing keys change. */
  provider: () => Provider
  logger: Logger
  pollIntervalMs: number
}

/**
 * Delivers the logout tokens scheduleBackchannelLogouts queued, as MailSender delivers mails:
 * several senders (one per idp process) claim rows with SKIP LOCKED; a client that does not
 * answer 200 is tried again with back-off, for a day, then the delivery is marked failed. A
 * token is signed at each attempt, so that it is fresh (it expires after two minutes).
 */
export class LogoutSender {
  readonly #queries
  readonly #options: LogoutSenderOptions
  #polling: { stop(): Promise<void> } | undefined

  constructor(options: LogoutSenderOptions) {
    this.#options = options
    this.#queries = createLogoutDeliveryQueries(options.db)
  }

  /** Delivers every logout token due now; returns how many clients took theirs. */
  async deliverDue(): Promise<number> {
    let delivered = 0
    for (;;) {
      const rows = await this.#queries.claimDue(LEASE, BATCH_SIZE)
      const outcomes = await Promise.all(rows.map((row) => this.#deliver(row)))
      delivered += outcomes.filter(Boolean).length
      if (rows.length < BATCH_SIZE) return delivered
    }
  }

  async #deliver(delivery: LogoutDelivery): Promise<boolean> {
    const { logger } = this.#options
    const details = { deliveryId: delivery.id, clientId: delivery.clientId, attempts: delivery.attempts }
    const provider = this.#options.provider()
    const client = await provider.Client.find(delivery.clientId)
    const uri = client?.backchannelLogoutUri
    if (!client || !uri) {
      await this.#queries.remove(delivery.id)
      logger.info(details, 'logout token dropped: the client no longer takes them')
      return false
    }
    try {
      const response = await fetch(uri, {
        method: 'POST',
        body: new URLSearchParams({ logout_token: await signLogoutToken(provider, client, delivery) }),
        redirect: 'manual',
        signal: AbortSignal.timeout(ANSWER_TIMEOUT),
      })
      await response.body?.cancel()
      if (response.status !== 200 && response.status !== 204) throw new Error(`${uri} answered ${response.status}`)
      await this.#queries.remove(delivery.id)
      logger.info(details, 'logout token delivered')
      return true
    } catch (error) {
      const status = await this.#queries.markFailed(delivery.id, describeFailure(uri, error), retryDelay(delivery.attempts), GIVE_UP_AFTER)
      if (status === 'failed') logger.error({ ...details, err: error }, 'logout token given up')
      else logger.warn({ ...details, err: error }, 'logout token not delivered')
      return false
    }
  }

  start(): void {
    this.#polling = startPolling(() => this.deliverDue(), this.#options.pollIntervalMs, (error) => this.#options.logger.error({ err: error }, 'logout delivery failed'))
  }

  async stop(): Promise<void> {
    await this.#polling?.stop()
  }
}
