import type { Knex } from '../db/knex'

/**
 * The SQL of our own over rate_limits; rate-limiter-flexible runs the counting upsert itself
 * (see rate-limits.ts). `expire` is in epoch milliseconds, on the application's clock as
 * rate-limiter-flexible stamps it.
 */
export function createRateLimitQueries(db: Knex) {
  return {
    /** Takes one point back from each key's live window; never below zero, never into a new window. */
    async refund(keys: string[], nowMs: number): Promise<void> {
      await db('rate_limits').whereIn('key', keys).andWhere('expire', '>', nowMs).andWhere('points', '>', 0).decrement('points', 1)
    },

    async remove(key: string): Promise<void> {
      await db('rate_limits').where({ key }).delete()
    },

    /** Deletes the counters whose window ended. */
    async purgeExpired(now: Date): Promise<number> {
      return db('rate_limits').where('expire', '<', now.getTime()).delete()
    },
  }
}
