// Dates as pages and mails write them, in French and in the Opcommerce's time zone.

const dayFormat = new Intl.DateTimeFormat('fr-FR', { dateStyle: 'long', timeZone: 'Europe/Paris' })
const dateTimeFormat = new Intl.DateTimeFormat('fr-FR', { dateStyle: 'long', timeStyle: 'short', timeZone: 'Europe/Paris' })

/** "7 décembre 2026" */
export const formatDay = (date: Date) => dayFormat.format(date)

/** "7 décembre 2026 à 14:05" */
export const formatDateTime = (date: Date) => dateTimeFormat.format(date)

export const DAY = 24 * 3600_000 // milliseconds
