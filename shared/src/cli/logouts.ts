import { createLogoutDeliveryQueries } from '../queries/logout-deliveries'
import { action, columns, frenchTime, UsageError, type CommandGroup } from './command'

const LOGOUT_STATUSES = { pending: 'en attente', sending: "en cours d'envoi", failed: 'abandonné' } as const
type LogoutStatus = keyof typeof LOGOUT_STATUSES

export const logouts: CommandGroup = {
  name: 'logouts',
  actions: {
    list: action({
      synopsis: '[--status pending|sending|failed]',
      summary: `Liste les jetons de déconnexion pas encore remis aux applications (back-channel logout) : en attente d'un nouvel essai, en cours d'envoi, ou abandonnés.`,
      options: { status: { type: 'string' } },
      async run({ values, db }) {
        const status = values.status
        if (status !== undefined && !Object.hasOwn(LOGOUT_STATUSES, status)) throw new UsageError(`Statut inconnu : ${status}`)
        const deliveries = await createLogoutDeliveryQueries(db).list(status as LogoutStatus | undefined)
        const rows = deliveries.map((delivery) => [
          String(delivery.id),
          delivery.clientId,
          delivery.sub,
          LOGOUT_STATUSES[delivery.status],
          frenchTime(delivery.createdAt),
          String(delivery.attempts),
          delivery.status === 'failed' ? '—' : frenchTime(delivery.nextAttemptAt),
          delivery.lastError ?? '',
        ])
        return {
          text: columns(['id', 'client', 'utilisateur', 'état', 'depuis le', 'essais', 'prochain essai', 'dernière erreur'], rows, 'Aucun jeton de déconnexion en attente ni abandonné.'),
          json: deliveries,
        }
      },
    }),
  },
}
