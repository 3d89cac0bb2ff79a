/**
 * Retention of raw usage events in D1: rows older than their project's `telemetry.retention_days`
 * are deleted by the hourly cron, in bounded batches. The per-minute rollups (`usage_rollup_minute`)
 * stay: the insert trigger writes each event's rollup in the same statement that inserts the event,
 * so a raw row can never be deleted before its rollup exists. Totals (overview, costs, cache, usage,
 * /v1/usage) read rollups and so cover any period; per-request views (request list, latency
 * percentiles, experiment statistics, guardrail breakdowns) cover the retention window.
 *
 * @example await pruneRawEvents(env.DB, retentionOf(policy), Date.now())
 */
import type { CompiledPolicy } from '../policy/compile.ts'

const DAY_MS = 86_400_000
/** Rows per DELETE: small enough that one statement stays far inside D1's 30 s query limit. */
export const RETENTION_BATCH_ROWS = 1_000
/** Batches per project per run: bounds one cron run's work; what is left goes in the next hour. */
export const RETENTION_MAX_BATCHES = 50
/** Events of a project no longer in policy are kept as long as the longest allowed retention. */
export const ORPHAN_RETENTION_DAYS = 400

export interface RetentionPlan {
  /** Each project in policy and its retention in days. */
  projects: { project: string; days: number }[]
  /** Retention for rows of projects not in policy (removed or renamed); undefined: leave them. */
  orphanDays?: number
}

export interface RetentionResult {
  /** Raw rows deleted, by project ('' for projects not in policy). */
  deleted: Record<string, number>
  /** True when a project still had rows past its retention after the run's last batch. */
  more: boolean
}

export function retentionOf(policy: CompiledPolicy): RetentionPlan {
  const projects = Object.entries(policy.projects).map(([project, p]) => ({ project, days: p.telemetry.retention_days }))
  return { projects, orphanDays: ORPHAN_RETENTION_DAYS }
}

export async function pruneRawEvents(db: D1Database, plan: RetentionPlan, now: number, batchRows = RETENTION_BATCH_ROWS): Promise<RetentionResult> {
  const result: RetentionResult = { deleted: {}, more: false }
  // One project at a time: D1 runs statements one after another anyway, and sequential batches keep each short.
  for (const { project, days } of plan.projects) {
    const statement = db
      .prepare('DELETE FROM usage_events WHERE rowid IN (SELECT rowid FROM usage_events WHERE project = ?1 AND ts < ?2 LIMIT ?3)')
      .bind(project, now - days * DAY_MS, batchRows)
    await drain(statement, project, batchRows, result)
  }
  if (plan.orphanDays !== undefined) {
    const known = JSON.stringify(plan.projects.map((p) => p.project))
    const statement = db
      .prepare(
        `DELETE FROM usage_events WHERE rowid IN (SELECT rowid FROM usage_events
           WHERE ts < ?1 AND project NOT IN (SELECT value FROM json_each(?2)) LIMIT ?3)`,
      )
      .bind(now - plan.orphanDays * DAY_MS, known, batchRows)
    await drain(statement, '', batchRows, result)
  }
  return result
}

async function drain(statement: D1PreparedStatement, label: string, batchRows: number, result: RetentionResult): Promise<void> {
  for (let batch = 0; batch < RETENTION_MAX_BATCHES; batch++) {
    const changes = (await statement.run()).meta.changes ?? 0
    if (changes > 0) result.deleted[label] = (result.deleted[label] ?? 0) + changes
    if (changes < batchRows) return
  }
  result.more = true
}
