import nodemailer, { type Transporter, type TransportOptions } from 'nodemailer'
import type { Knex } from '../db/knex'
import type { Logger } from '../logger'
import { retryDelay, startPolling } from '../polling'
import { createOutboxQueries, type OutboxRow } from './outbox'
import { mailTemplates } from './templates'

const BATCH_SIZE = 20 // mails per claim
const LEASE = 120_000 // milliseconds a claimed mail is reserved for its sender

export function createSmtpTransport(smtpUrl: string): Transporter {
  return nodemailer.createTransport({ url: smtpUrl, connectionTimeout: 10_000, greetingTimeout: 10_000 } as TransportOptions)
}

export interface MailSenderOptions {
  db: Knex
  transport: Transporter
  from: string
  logger: Logger
  pollIntervalMs: number
}

/**
 * Delivers the outbox. Several senders (one per idp process) can run at once: rows are claimed
 * with SKIP LOCKED. A failed delivery is retried with exponential back-off, forever, unless the
 * SMTP server rejected the mail for good (5xx).
 */
export class MailSender {
  readonly #queries
  readonly #options: MailSenderOptions
  #polling: { stop(): Promise<void> } | undefined

  constructor(options: MailSenderOptions) {
    this.#options = options
    this.#queries = createOutboxQueries(options.db)
  }

  /** Sends every mail due now; returns how many were sent. */
  async deliverDue(): Promise<number> {
    let sent = 0
    for (;;) {
      const rows = await this.#queries.claimDue(LEASE, BATCH_SIZE)
      for (const row of rows) if (await this.#deliver(row)) sent++
      if (rows.length < BATCH_SIZE) return sent
    }
  }

  async #deliver(row: OutboxRow): Promise<boolean> {
    const { logger, transport, from } = this.#options
    const rendered = mailTemplates[row.template](row.data as never)
    try {
      await transport.sendMail({ from, to: row.to, ...rendered })
      await this.#queries.markSent(row.id)
      logger.info({ mailId: row.id, template: row.template }, 'mail sent')
      return true
    } catch (error) {
      const responseCode = (error as { responseCode?: number }).responseCode ?? 0
      const permanent = responseCode >= 500 && responseCode < 600
      await this.#queries.markFailed(row.id, (error as Error).message, permanent ? null : retryDelay(row.attempts))
      logger.warn({ mailId: row.id, template: row.template, attempts: row.attempts, permanent, err: error }, 'mail not sent')
      return false
    }
  }

  start(): void {
    this.#polling = startPolling(() => this.deliverDue(), this.#options.pollIntervalMs, (error) => this.#options.logger.error({ err: error }, 'outbox delivery failed'))
  }

  async stop(): Promise<void> {
    await this.#polling?.stop()
  }
}
