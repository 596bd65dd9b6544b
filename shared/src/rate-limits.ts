import { RateLimiterPostgres, RateLimiterRes } from 'rate-limiter-flexible'
import { sha256 } from './crypto'
import type { Knex } from './db/knex'
import { TooManyRequestsError } from './errors'
import { metrics } from './metrics'
import { createRateLimitQueries } from './queries/rate-limits'

export interface RateLimitRule {
  points: number
  duration: number // seconds
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

/** Forgets what limit `name` counted for `key`: its whole budget is back at once. */
export async function removeRateLimitKey(db: Knex, name: string, key: string): Promise<void> {
  await createRateLimitQueries(db).remove(`${name}:${sha256(key)}`)
}

/** What `take` answers: whether a point was left, and when the window ends. */
export interface Taken {
  allowed: boolean
  /** Milliseconds until the window ends (and every point is back). */
  msBeforeNext: number
  /** True for the one attempt that spent the last point plus one: the limit has just been reached. */
  justExhausted: boolean
}

/**
 * A counter per key and fixed window, shared by every process through the rate_limits table.
 * Every attempt is counted before it is evaluated, in one atomic upsert: of many requests in
 * flight at once, no more than `points` are ever allowed. An attempt that turned out legitimate
 * (a right password, a right code) gives its point back with `RateLimit.refund`. Keys are stored
 * as their SHA-256: an address of any length fits, and the table holds no email in clear.
 */
export class RateLimit {
  readonly #limiter: RateLimiterPostgres
  readonly #queries
  readonly #name: string
  readonly #db: Knex
  readonly rule: RateLimitRule

  constructor(db: Knex, name: string, rule: RateLimitRule) {
    this.#name = name
    this.#db = db
    this.rule = rule
    this.#queries = createRateLimitQueries(db)
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
    })
  }

  /** Counts one attempt; says whether a point was left (for limits that answer without a 429). */
  async take(key: string): Promise<Taken> {
    try {
      const counted = await this.#limiter.consume(sha256(key))
      return { allowed: true, msBeforeNext: counted.msBeforeNext, justExhausted: false }
    } catch (rejection) {
      if (!(rejection instanceof RateLimiterRes)) throw rejection
      this.#countRefusal()
      return { allowed: false, msBeforeNext: rejection.msBeforeNext, justExhausted: rejection.consumedPoints === this.rule.points + 1 }
    }
  }

  /**
   * Counts one attempt; throws a 429 with `message` followed by the wait when none was left.
   * `message` is a French sentence such as "Trop de tentatives."
   */
  async consume(key: string, message: string): Promise<void> {
    const taken = await this.take(key)
    if (!taken.allowed) throw tooMany(message, taken.msBeforeNext)
  }

  /**
   * Gives back the points of an attempt that succeeded, within the windows it was counted in:
   * each `[limit, key]` it was counted by, in one statement (the limits share one database).
   */
  static async refund(...counted: [limit: RateLimit, key: string][]): Promise<void> {
    const [first] = counted
    if (first) await first[0].#queries.refund(counted.map(([limit, key]) => `${limit.#name}:${sha256(key)}`), Date.now())
  }

  async reset(key: string): Promise<void> {
    await removeRateLimitKey(this.#db, this.#name, key)
  }

  #countRefusal(): void {
    metrics.throttleRefusals.inc({ limit: this.#name })
  }
}

export function tooMany(message: string, msBeforeNext: number): TooManyRequestsError {
  return new TooManyRequestsError(`${message} Réessayez dans ${formatWait(msBeforeNext)}.`, Math.max(1, Math.ceil(msBeforeNext / 1000)))
}
