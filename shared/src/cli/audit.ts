import { createAuditQueries, type AuditEntry } from '../queries/audit'
import { createUserQueries } from '../queries/users'
import { action, columns, frenchTime, UsageError, wholeNumber, type CommandGroup } from './command'
import { sirenOption, UUID } from './lookups'

const DURATION = /^(\d{1,6})\s*(m|min|h|j|d)$/u
const DATE = /^(\d{4})-(\d{2})-(\d{2})$/u

/** Milliseconds Europe/Paris is ahead of UTC at `instant` (one or two hours). */
function parisOffset(instant: number): number {
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat('en-GB', { timeZone: 'Europe/Paris', hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric' })
      .formatToParts(instant)
      .map((part) => [part.type, Number(part.value)]),
  )
  return Date.UTC(parts.year!, parts.month! - 1, parts.day!, parts.hour!, parts.minute!) - Math.floor(instant / 60_000) * 60_000
}

/**
 * `--since`: a duration back from now (`30m`, `24h`, `7j`), a day (`2026-11-30`, from midnight in
 * Paris) or an ISO 8601 instant (`2026-11-30T08:00:00Z`).
 */
export function parseSince(input: string, now: Date): Date {
  const duration = DURATION.exec(input.trim())
  if (duration) {
    const unit = { m: 60_000, min: 60_000, h: 3_600_000, j: 86_400_000, d: 86_400_000 }[duration[2] as 'm' | 'min' | 'h' | 'j' | 'd']
    return new Date(now.getTime() - Number(duration[1]) * unit)
  }
  const day = DATE.exec(input.trim())
  if (day) {
    const utcMidnight = Date.UTC(Number(day[1]), Number(day[2]) - 1, Number(day[3]))
    const date = new Date(utcMidnight - parisOffset(utcMidnight))
    if (!Number.isNaN(date.getTime()) && new Date(utcMidnight).getUTCDate() === Number(day[3])) return date
  } else if (/^\d{4}-\d{2}-\d{2}T/u.test(input) && !Number.isNaN(Date.parse(input))) return new Date(input)
  throw new UsageError(`--since attend une durée (30m, 24h, 7j), une date (2026-11-30) ou un instant ISO 8601 : « ${input} ».`)
}

const who = (id: string | null, email: string | null) => (email ? `${email}` : (id ?? '—'))

export const audit: CommandGroup = {
  name: 'audit',
  actions: {
    list: action({
      synopsis: '[--user EMAIL|ID] [--siren SIREN] [--since 24h|7j|2026-11-30] [--type TYPE|famille.*] [--limit N]',
      summary: `Liste les événements du journal d'audit, les plus récents d'abord (100 par défaut) : qui (un utilisateur, cli:<compte> pour un opérateur), quoi, sur qui ou quoi, d'où.
--user : ce qu'un utilisateur a fait ou subi (par son adresse, même inconnue, ou son identifiant) ; --siren : ce qui touche une entreprise ; --type login.failed ou company.*.`,
      options: { user: { type: 'string' }, siren: { type: 'string' }, since: { type: 'string' }, type: { type: 'string' }, limit: { type: 'string' } },
      async run({ values, db, now }) {
        let userId: string | undefined
        let email: string | undefined
        if (values.user !== undefined) {
          const users = createUserQueries(db)
          const user = UUID.test(values.user) ? await users.findById(values.user.toLowerCase()) : await users.findByEmail(values.user)
          userId = user?.id ?? (UUID.test(values.user) ? values.user.toLowerCase() : undefined)
          email = user?.email ?? (UUID.test(values.user) ? undefined : values.user)
        }
        const siren = values.siren === undefined ? undefined : sirenOption(values.siren)
        const events = await createAuditQueries(db).list({
          userId,
          email,
          siren,
          since: values.since === undefined ? undefined : parseSince(values.since, now()),
          type: values.type,
          limit: wholeNumber(values.limit, 'limit', 100),
        })
        const rows = events.map((event: AuditEntry) => [
          frenchTime(event.at),
          event.type,
          who(event.actor, event.actorEmail),
          who(event.subject, event.subjectEmail),
          event.ip ?? '',
          Object.keys(event.details).length > 0 ? JSON.stringify(event.details) : '',
        ])
        return { text: columns(['date', 'événement', 'acteur', 'sujet', 'ip', 'détails'], rows, 'Aucun événement.'), json: events }
      },
    }),
  },
}
