import { RateLimiterPostgres, RateLimiterRes } from 'rate-limiter-flexible'
import type { Knex } from './db/knex'
import { TooManyRequestsError } from './errors'
import { metrics } from './metrics'

export interface RateLimitRule {
  points: number
  duration: number // seconds
  /** Once the points are spent, the key stays blocked this long (defaults to the rest of `duration`). */
  blockDuration?: number // seconds
}

/**
 * rate-limiter-flexible speaks to PostgreSQL with named prepared statements, which PGlite's single
 * backend shares between connections ("prepared statement already exists"): its queries are
 * handed to knex instead, as plain parameterized queries.
 */
function knexStore(db: Knex) {
  return {
    async query({ text, values = [] }: { text: string; values?: unknown[] }) {
      const bindings: unknown[] = []
      const sql = text.replace(/\$(\d+)/gu, (_, position: string) => {
        bindings.push(values[Number(position) - 1])
        return '?'
      })
      return db.raw(sql, bindings as Knex.RawBinding[])
    },
  }
}

/**
 * The key of a client address in a per-IP limit: an IPv6 client usually holds a whole /64, so
 * its addresses count as one; IPv4 (also IPv4-mapped IPv6) as itself.
 */
export function ipKey(ip: string): string {
  const address = ip.startsWith('::ffff:') && ip.includes('.') ? ip.slice(7) : ip
  if (!address.includes(':')) return address
  const [head = '', tail = ''] = address.split('::')
  const headGroups = head ? head.split(':') : []
  const tailGroups = tail ? tail.split(':') : []
  const groups = address.includes('::') ? [...headGroups, ...Array(8 - headGroups.length - tailGroups.length).fill('0'), ...tailGroups] : headGroups
  return `${groups.slice(0, 4).map((group) => group.toLowerCase().replace(/^0+(?=.)/u, '')).join(':')}::/64`
}

export function formatWait(milliseconds: number): string {
  const seconds = Math.max(1, Math.ceil(milliseconds / 1000))
  if (seconds < 60) return `${seconds} seconde${seconds > 1 ? 's' : ''}`
  const minutes = Math.ceil(seconds / 60)
  if (minutes < 60) return `${minutes} minute${minutes > 1 ? 's' : ''}`
  const hours = Math.ceil(minutes / 60)
  return `${hours} heure${hours > 1 ? 's' : ''}`
}

/** A counter per key, shared by every process through the rate_limits table. */
export class RateLimit {
  readonly #limiter: RateLimiterPostgres
  readonly #name: string

  constructor(db: Knex, name: string, rule: RateLimitRule) {
    this.#name = name
    metrics.throttleRefusals.inc({ limit: name }, 0) // the series exists before the first refusal
    this.#limiter = new RateLimiterPostgres({
      storeClient: knexStore(db),
      storeType: 'pool',
      tableName: 'rate_limits',
      tableCreated: true,
      clearExpiredByTimeout: false,
      keyPrefix: name,
      points: rule.points,
      duration: rule.duration,
      blockDuration: rule.blockDuration ?? 0,
    })
  }

  /**
   * Counts one attempt; throws a 429 with `message` followed by the wait when none are left.
   * `message` is a French sentence such as "Trop de tentatives."
   */
  async consume(key: string, message: string, points = 1): Promise<void> {
    try {
      await this.#limiter.consume(key, points)
    } catch (rejection) {
      if (!(rejection instanceof RateLimiterRes)) throw rejection
      this.#countRefusal()
      throw new TooManyRequestsError(
        `${message} Réessayez dans ${formatWait(rejection.msBeforeNext)}.`,
        Math.ceil(rejection.msBeforeNext / 1000),
      )
    }
  }

  /** Counts one attempt; false when none was left (for limits that silently skip, such as mails). */
  async allows(key: string): Promise<boolean> {
    try {
      await this.#limiter.consume(key)
      return true
    } catch (rejection) {
      if (!(rejection instanceof RateLimiterRes)) throw rejection
      this.#countRefusal()
      return false
    }
  }

  /** Throws the same 429 as consume when no attempt is left, without counting one. */
  async check(key: string, message: string): Promise<void> {
    const state = await this.#limiter.get(key)
    if (state && state.remainingPoints <= 0 && state.msBeforeNext > 0) {
      this.#countRefusal()
      throw new TooManyRequestsError(`${message} Réessayez dans ${formatWait(state.msBeforeNext)}.`, Math.ceil(state.msBeforeNext / 1000))
    }
  }

  async reset(key: string): Promise<void> {
    await this.#limiter.delete(key)
  }

  #countRefusal(): void {
    metrics.throttleRefusals.inc({ limit: this.#name })
  }
}
