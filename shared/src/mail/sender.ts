import { randomUUID } from 'node:crypto'
import nodemailer, { type Transporter, type TransportOptions } from 'nodemailer'
import { isDatabaseUnavailable, type Knex } from '../db/knex'
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
 * SMTP server rejected the mail for good (5xx). A mail sent while the database went away is
 * recorded as sent as soon as it is back, before anything else is claimed, so that it is not
 * sent twice; its Message-ID names its outbox row, so a receiving server can tell it too.
 */
export class MailSender {
  readonly #queries
  readonly #options: MailSenderOptions
  readonly #domain: string
  /** This sender's name in the rows it claims. */
  readonly #claimant = randomUUID()
  /** Mails sent whose row could not be marked sent yet (the database was away). */
  readonly #unrecorded = new Set<number>()
  #stopping = false
  #previous: Promise<unknown> = Promise.resolve()
  #polling: { stop(): Promise<void> } | undefined

  constructor(options: MailSenderOptions) {
    this.#options = options
    this.#queries = createOutboxQueries(options.db)
    this.#domain = /@([^>\s]+)/u.exec(options.from)?.[1] ?? 'opcommerce.localhost'
  }

  /** Sends every mail due now; returns how many were sent. Calls run one after the other (see claimDue). */
  deliverDue(): Promise<number> {
    const run = this.#previous.then(() => this.#deliverDue())
    this.#previous = run.catch(() => undefined)
    return run
  }

  async #deliverDue(): Promise<number> {
    for (const id of this.#unrecorded) {
      await this.#queries.markSent(id)
      this.#unrecorded.delete(id)
    }
    let sent = 0
    for (;;) {
      const rows = await this.#queries.claimDue(LEASE, BATCH_SIZE, this.#claimant)
      for (const [index, row] of rows.entries()) {
        // Stopping: the rows claimed and not sent are due again once their lease ends.
        if (this.#stopping) {
          await this.#queries.release(rows.slice(index).map((unsent) => unsent.id))
          return sent
        }
        if (await this.#deliver(row)) sent++
      }
      if (rows.length < BATCH_SIZE) return sent
    }
  }

  async #deliver(row: OutboxRow): Promise<boolean> {
    const { logger, transport, from } = this.#options
    const rendered = mailTemplates[row.template](row.data as never)
    try {
      await transport.sendMail({ from, to: row.to, messageId: `<outbox-${row.id}@${this.#domain}>`, ...rendered })
    } catch (error) {
      const responseCode = (error as { responseCode?: number }).responseCode ?? 0
      const permanent = responseCode >= 500 && responseCode < 600
      await this.#queries.markFailed(row.id, (error as Error).message, permanent ? null : retryDelay(row.attempts))
      logger.warn({ mailId: row.id, template: row.template, attempts: row.attempts, permanent, err: error }, 'mail not sent')
      return false
    }
    this.#unrecorded.add(row.id)
    await this.#queries.markSent(row.id)
    this.#unrecorded.delete(row.id)
    logger.info({ mailId: row.id, template: row.template }, 'mail sent')
    return true
  }

  start(): void {
    this.#polling = startPolling(() => this.deliverDue(), this.#options.pollIntervalMs, (error) =>
      // The database away (restarting): the next round delivers; anything else is a fault to look at.
      isDatabaseUnavailable(error) ? this.#options.logger.warn({ err: error }, 'outbox delivery waits for the database') : this.#options.logger.error({ err: error }, 'outbox delivery failed'),
    )
  }

  /** Ends after the mail being sent, if any; the others wait for the next sender. */
  async stop(): Promise<void> {
    this.#stopping = true
    await this.#polling?.stop()
  }
}
