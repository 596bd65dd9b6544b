import type { Knex } from '../db/knex'

/** `now()` plus `milliseconds`, on the database's clock: the one every outbox stamps and compares with. */
export const databaseNowPlus = (db: Knex, milliseconds: number) => db.raw('now() + make_interval(secs => ?)', [milliseconds / 1000])

/**
 * The claim both outboxes (mail_outbox, logout_deliveries) make: up to `limit` rows due now
 * become `sending` for `leaseMs`, with one attempt more, and come back with `columns`. Rows are
 * taken with SKIP LOCKED, so several senders claim side by side; one that dies mid-way leaves
 * its rows due again once the lease is over. With a `claimant` (a table with `claimed_by`), the
 * rows it claimed itself and never saw (the database went away before answering) are taken back
 * at once: a sender handles one batch at a time, so it is not sending them.
 */
export async function claimDueRows<Row>(
  db: Knex,
  table: string,
  leaseMs: number,
  limit: number,
  columns: readonly string[],
  claimant?: string,
): Promise<Row[]> {
  const due = db(table)
    .select('id')
    .where((query) => {
      query.whereIn('status', ['pending', 'sending']).andWhere('next_attempt_at', '<=', db.fn.now())
      if (claimant) query.orWhere((own) => own.where({ status: 'sending', claimed_by: claimant }))
    })
    .orderBy('id')
    .limit(limit)
    .forUpdate()
    .skipLocked()
  const rows: unknown[] = await db(table)
    .whereIn('id', due)
    .update({ status: 'sending', attempts: db.raw('attempts + 1'), next_attempt_at: databaseNowPlus(db, leaseMs), ...(claimant ? { claimed_by: claimant } : {}) })
    .returning([...columns])
  return rows as Row[]
}
