/**
 * The anomalies the scope ledgers flagged in a range (D1 `anomalies`), newest first: what the
 * Budgets & alerts page lists — the key or session, the window against its baseline, the ratio,
 * when, the action and how the alert was delivered. Part of `GET /admin/api/budgets`.
 */
import type { CompiledPolicy } from '../policy/compile.ts'
import { all } from './db.ts'
import type { Range } from './query.ts'
import type { AnomaliesView } from './responses.ts'

const LIMIT = 50

export async function anomaliesIn(db: D1Database, policy: CompiledPolicy, range: Range & { project?: string }): Promise<AnomaliesView> {
  const rows = await all<AnomaliesView['list'][number]>(
    db,
    `SELECT id, ts, project, scope, subject, metric, window_start, window_ms, window_amount, baseline_ms, baseline_amount, ratio, threshold, action,
            cooldown_until AS until, request_id, status, attempts
     FROM anomalies WHERE ts >= ? AND ts < ?${range.project ? ' AND project = ?' : ''} ORDER BY ts DESC LIMIT ${LIMIT}`,
    [range.from, range.to, ...(range.project ? [range.project] : [])],
  )
  return { configured: Object.values(policy.projects).some((p) => p.anomaly !== undefined), list: rows }
}
