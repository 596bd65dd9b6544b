import { ConflictError, NotFoundError } from '../errors'
import { createOutboxQueries, OUTBOX_STATUSES, type OutboxEntry, type OutboxStatus } from '../mail/outbox'
import { recordAudit } from '../queries/audit'
import { action, columns, frenchTime, OPERATOR, UsageError, wholeNumber, type CommandGroup } from './command'

const STATUS_LABEL: Record<OutboxStatus, string> = { pending: 'en attente', sending: "en cours d'envoi", sent: 'envoyé', failed: 'abandonné' }

/** Why `outbox retry --id` leaves a mail as it is. */
function notRetryable(mail: OutboxEntry): string {
  if (mail.status === 'sent') return `Le mail ${mail.id} est déjà envoyé.`
  if (mail.status === 'failed') return `Le mail ${mail.id} ne peut plus être renvoyé : son contenu (et ses liens) a été effacé. La personne doit refaire sa demande (inscription, mot de passe oublié…).`
  return `Le mail ${mail.id} part déjà au prochain passage de l'envoi (${STATUS_LABEL[mail.status]}).`
}

export const outbox: CommandGroup = {
  name: 'outbox',
  actions: {
    list: action({
      synopsis: `[--status ${OUTBOX_STATUSES.join('|')}] [--limit N]`,
      summary: `Liste les mails de la file d'envoi, les plus récents d'abord (50 par défaut) : état, essais, prochain essai, dernière erreur.
États : pending (en attente, éventuellement d'un nouvel essai), sending (en cours d'envoi), sent (envoyé), failed (abandonné après un refus définitif du serveur SMTP).`,
      options: { status: { type: 'string' }, limit: { type: 'string' } },
      async run({ values, db }) {
        const status = values.status as OutboxStatus | undefined
        if (status !== undefined && !OUTBOX_STATUSES.includes(status)) throw new UsageError(`--status attend ${OUTBOX_STATUSES.join(', ')}.`)
        const mails = await createOutboxQueries(db).list({ status, limit: wholeNumber(values.limit, 'limit', 50) })
        const rows = mails.map((mail) => [
          String(mail.id),
          STATUS_LABEL[mail.status],
          String(mail.attempts),
          mail.template,
          mail.to,
          frenchTime(mail.createdAt),
          mail.status === 'sent' ? `envoyé le ${frenchTime(mail.sentAt!)}` : mail.status === 'failed' ? '—' : frenchTime(mail.nextAttemptAt),
          mail.lastError ?? '',
        ])
        return {
          text: columns(['id', 'état', 'essais', 'modèle', 'destinataire', 'créé le', 'prochain essai', 'dernière erreur'], rows, 'Aucun mail.'),
          json: mails,
        }
      },
    }),

    retry: action({
      synopsis: '--id N | --all',
      summary: `Renvoie un mail abandonné, ou fait partir tout de suite un mail qui attend son prochain essai (après une panne SMTP réparée) ; --all : tous ceux-là.
Un mail abandonné dont le contenu a été effacé ne peut pas être renvoyé.`,
      options: { id: { type: 'string' }, all: { type: 'boolean' } },
      async run({ values, db }) {
        if ((values.id === undefined) === !values.all) throw new UsageError('Indiquez --id N ou --all.')
        const queries = createOutboxQueries(db)
        let retried: number[]
        if (values.all) retried = await queries.retry()
        else {
          const id = wholeNumber(values.id, 'id', 0)
          const mail = await queries.find(id)
          if (!mail) throw new NotFoundError(`Aucun mail ${id} dans la file d'envoi.`)
          retried = await queries.retry(id)
          if (retried.length === 0) throw new ConflictError(notRetryable(mail))
        }
        if (retried.length > 0) await recordAudit(db, { type: 'outbox.retried', actor: OPERATOR, subject: values.all ? null : values.id, details: { ids: retried } })
        return {
          text: retried.length > 0 ? `${retried.length} mail(s) remis en envoi : ${retried.join(', ')}. L'idp les envoie au prochain passage de l'envoi.` : 'Aucun mail à renvoyer.',
          json: { retried },
        }
      },
    }),
  },
}
