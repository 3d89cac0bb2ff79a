/**
 * Retention of raw usage events in Postgres, the long-term store: kept for ever unless a project
 * sets `telemetry.postgres_retention_days`. Then the hourly cron folds its older rows into daily
 * rollups (`watchllm.usage_rollup_day`) and deletes them — one statement per batch does both, so
 * every deleted event is in the sums exactly once, and a run that stops half way loses nothing.
 *
 * @example await prunePostgresEvents({ connectionString: env.HYPERDRIVE.connectionString }, plan, Date.now())
 */
import { openPostgres, type PostgresTarget } from './postgres-writer.ts'
import type { CompiledPolicy } from '../policy/compile.ts'
import type { RetentionPlan, RetentionResult } from './retention.ts'

const DAY_MS = 86_400_000
export const POSTGRES_BATCH_ROWS = 5_000
export const POSTGRES_MAX_BATCHES = 20

/** Deletes a batch and adds it to the daily rollups in one statement; returns how many rows went. */
const PRUNE = `WITH gone AS (
  DELETE FROM watchllm.usage_events WHERE request_id IN (
    SELECT request_id FROM watchllm.usage_events WHERE project = $1 AND ts < to_timestamp($2 / 1000.0) LIMIT $3)
  RETURNING *
), summed AS (
  INSERT INTO watchllm.usage_rollup_day AS r (day, project, key_id, model, provider, cache, variant, requests, errors,
    input_tokens, output_tokens, cached_tokens, reasoning_tokens, cost_usd, cost_saved_usd, unpriced, latency_ms_sum)
  SELECT (ts AT TIME ZONE 'UTC')::date, project, key_id, COALESCE(model_served, model_requested, ''), COALESCE(provider, ''),
    COALESCE(cache, ''), COALESCE(variant, ''), count(*), count(*) FILTER (WHERE status >= 400), sum(input_tokens),
    sum(output_tokens), sum(cached_tokens), sum(reasoning_tokens), COALESCE(sum(cost_usd), 0), COALESCE(sum(cost_saved_usd), 0),
    count(*) FILTER (WHERE price_status = 'unpriced'), sum(latency_ms)
  FROM gone GROUP BY 1, 2, 3, 4, 5, 6, 7
  ON CONFLICT (day, project, key_id, model, provider, cache, variant) DO UPDATE SET
    requests = r.requests + excluded.requests, errors = r.errors + excluded.errors,
    input_tokens = r.input_tokens + excluded.input_tokens, output_tokens = r.output_tokens + excluded.output_tokens,
    cached_tokens = r.cached_tokens + excluded.cached_tokens, reasoning_tokens = r.reasoning_tokens + excluded.reasoning_tokens,
    cost_usd = r.cost_usd + excluded.cost_usd, cost_saved_usd = r.cost_saved_usd + excluded.cost_saved_usd,
    unpriced = r.unpriced + excluded.unpriced, latency_ms_sum = r.latency_ms_sum + excluded.latency_ms_sum
  RETURNING 1
)
SELECT count(*)::int AS deleted FROM gone`

/** The projects that set a Postgres retention; empty when none does (nothing to connect for). */
export function postgresRetentionOf(policy: CompiledPolicy): RetentionPlan {
  const projects = Object.entries(policy.projects).flatMap(([project, p]) =>
    p.telemetry.postgres_retention_days === undefined ? [] : [{ project, days: p.telemetry.postgres_retention_days }],
  )
  return { projects }
}

export async function prunePostgresEvents(target: PostgresTarget, plan: RetentionPlan, now: number, batchRows = POSTGRES_BATCH_ROWS): Promise<RetentionResult> {
  const result: RetentionResult = { deleted: {}, more: false }
  if (plan.projects.length === 0) return result
  const sql = openPostgres(target)
  try {
    for (const { project, days } of plan.projects) {
      let batch = 0
      for (; batch < POSTGRES_MAX_BATCHES; batch++) {
        const [row] = await sql.unsafe<{ deleted: number }[]>(PRUNE, [project, now - days * DAY_MS, batchRows])
        const deleted = row?.deleted ?? 0
        if (deleted > 0) result.deleted[project] = (result.deleted[project] ?? 0) + deleted
        if (deleted < batchRows) break
      }
      if (batch === POSTGRES_MAX_BATCHES) result.more = true
    }
  } finally {
    await sql.end({ timeout: 1 }).catch(() => undefined)
  }
  return result
}
