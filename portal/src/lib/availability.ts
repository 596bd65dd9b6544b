import { ping } from '@opcommerce/shared/db/knex'
import { portalContext } from './context'

/** How long a database that answered is taken to answer still, without asking again. */
const TRUSTED_FOR = 250 // milliseconds
/** How long the check waits for an answer: a database that hangs is as good as away. */
const PING_TIMEOUT = 2_000 // milliseconds

const cache = globalThis as typeof globalThis & { opcommerceDatabaseAnsweredAt?: number }

/**
 * Whether the database answers, asked at most four times a second while it does and at every page
 * while it does not: pages are then answered 503 with a French page rather than failing half
 * rendered, and they work again as soon as it is back (the pool reconnects by itself).
 */
export async function databaseAnswers(): Promise<boolean> {
  const answeredAt = cache.opcommerceDatabaseAnsweredAt ?? 0
  if (Date.now() - answeredAt < TRUSTED_FOR) return true
  try {
    const context = await portalContext()
    let timer: NodeJS.Timeout | undefined
    const timeout = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error('database ping timed out')), PING_TIMEOUT)))
    await Promise.race([ping(context.db), timeout]).finally(() => clearTimeout(timer))
    cache.opcommerceDatabaseAnsweredAt = Date.now()
    return true
  } catch {
    cache.opcommerceDatabaseAnsweredAt = 0
    return false
  }
}
