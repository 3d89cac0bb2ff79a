/**
 * At-most-once claims on the delivery ledgers in D1 (`budget_alerts`, `report_dispatches`, `anomalies`): a
 * message is sent only by whoever inserted its row (the primary key names the message), or by
 * whoever re-claims it after a failed (or abandoned) attempt. D1 runs each statement atomically,
 * so two requests or two cron runs racing for one row can never both win.
 */
import type { Delivery } from './webhook.ts'

export type Ledger = 'budget_alerts' | 'report_dispatches' | 'anomalies'

/** An attempt this old with no outcome is assumed dead (its isolate ended) and may be retried. */
const STALE_MS = 10 * 60_000
export const MAX_ATTEMPTS = 5

/** Inserts the row; true when this call created it. `row` maps column → value (names are ours, not input). */
export async function claimNew(db: D1Database, ledger: Ledger, row: Record<string, string | number | null>): Promise<boolean> {
  const columns = Object.keys(row)
  const sql = `INSERT INTO ${ledger} (${columns.join(', ')}) VALUES (${columns.map(() => '?').join(', ')}) ON CONFLICT (id) DO NOTHING`
  const result = await db.prepare(sql).bind(...Object.values(row)).run()
  return result.meta.changes === 1
}

/** Takes over a failed or abandoned delivery; true when this call now owns it. */
export async function reclaim(db: D1Database, ledger: Ledger, id: string, now: number): Promise<boolean> {
  const result = await db
    .prepare(
      `UPDATE ${ledger} SET status = 'sending', attempts = attempts + 1, claimed_at = ?1
       WHERE id = ?2 AND attempts < ?3 AND (status = 'failed' OR (status = 'sending' AND claimed_at < ?4))`,
    )
    .bind(now, id, MAX_ATTEMPTS, now - STALE_MS)
    .run()
  return result.meta.changes === 1
}

export async function finish(db: D1Database, ledger: Ledger, id: string, delivery: Delivery, now: number): Promise<void> {
  await db
    .prepare(`UPDATE ${ledger} SET status = ?1, sent_at = ?2, error = ?3 WHERE id = ?4`)
    .bind(delivery.ok ? 'sent' : 'failed', delivery.ok ? now : null, delivery.ok ? null : delivery.error, id)
    .run()
}

/** Rows of `ledger` whose delivery failed or was abandoned and may be tried again. */
export async function retryable(db: D1Database, ledger: Ledger, now: number, limit = 50): Promise<string[]> {
  const { results } = await db
    .prepare(`SELECT id FROM ${ledger} WHERE attempts < ?1 AND (status = 'failed' OR (status = 'sending' AND claimed_at < ?2)) LIMIT ?3`)
    .bind(MAX_ATTEMPTS, now - STALE_MS, limit)
    .all<{ id: string }>()
  return results.map((r) => r.id)
}
