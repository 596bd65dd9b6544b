import type { Knex } from '../db/knex'

/**
 * The SQL of our own over rate_limits; rate-limiter-flexible runs the rest itself (see
 * rate-limits.ts).
 */
export function createRateLimitQueries(db: Knex) {
  return {
    /** Deletes the counters whose window ended (`expire` is in epoch milliseconds). */
    async purgeExpired(now: Date): Promise<number> {
      return db('rate_limits').where('expire', '<', now.getTime()).delete()
    },
  }
}
