import type { Knex } from '@opcommerce/shared/db/knex'
import { createSmtpTransport, MailSender } from '@opcommerce/shared/mail/sender'
import { testLogger } from './logger'
import type { SmtpCapture } from './smtp'

/** Delivers the outbox to `smtp` every 50 ms, as the idp's sender does in production. */
export function startMailDelivery(db: Knex, smtp: Pick<SmtpCapture, 'url'>): MailSender {
  const sender = new MailSender({
    db,
    transport: createSmtpTransport(smtp.url),
    from: 'Web Services Entreprise <ne-pas-repondre@opcommerce.test>',
    logger: testLogger,
    pollIntervalMs: 50,
  })
  sender.start()
  return sender
}

/** Mails received by `address` so far. */
export function mailsTo(smtp: SmtpCapture, address: string) {
  return smtp.mails.filter((mail) => JSON.stringify(mail.to ?? '').includes(address))
}
