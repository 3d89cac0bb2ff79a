/**
 * `GET /admin/api/overview`: the headline numbers for a range — requests, cache hit rate, cost and
 * cost saved (with how much is simulated or unpriced), p50/p95 latency, errors — and the health of
 * the telemetry pipeline itself (dead-lettered events, the latest event seen).
 *
 * `GET /admin/api/timeseries`: the same per time bucket, for the charts; empty buckets are zeros.
 */
import type { Handler } from 'hono'
import { all, first, hitRate, num, usd } from './db.ts'
import { latencyPercentiles, latencyPercentilesByBucket, renumber } from './percentiles.ts'
import { filtersSchema, parseQuery, stepFor, stepSchema, whereOf } from './query.ts'
import type { OverviewResponse, TimeseriesPoint, TimeseriesResponse } from './responses.ts'
import type { AdminEnv } from './types.ts'

interface Totals {
  requests: number | null
  errors: number | null
  exact_hits: number | null
  semantic_hits: number | null
  misses: number | null
  bypassed: number | null
  cost_usd: number | null
  cost_saved_usd: number | null
  unpriced: number | null
  simulated: number | null
  input_tokens: number | null
  output_tokens: number | null
  latency_ms_sum: number | null
}

const TOTALS = `SUM(requests) AS requests, SUM(errors) AS errors,
  SUM(CASE WHEN cache = 'HIT' THEN requests END) AS exact_hits,
  SUM(CASE WHEN cache = 'SEMANTIC' THEN requests END) AS semantic_hits,
  SUM(CASE WHEN cache = 'MISS' THEN requests END) AS misses,
  SUM(CASE WHEN cache = 'BYPASS' THEN requests END) AS bypassed,
  SUM(cost_usd) AS cost_usd, SUM(cost_saved_usd) AS cost_saved_usd,
  SUM(unpriced) AS unpriced, SUM(simulated) AS simulated,
  SUM(input_tokens) AS input_tokens, SUM(output_tokens) AS output_tokens,
  SUM(latency_ms_sum) AS latency_ms_sum`

export function overview(now: () => number = Date.now): Handler<AdminEnv> {
  return async function overviewHandler(c) {
    const filters = parseQuery(c, filtersSchema, now())
    const where = whereOf(filters, 'rollups')
    const db = c.env.DB
    const [totals, latency, dead, latest] = await Promise.all([
      first<Totals>(db, `SELECT ${TOTALS} FROM usage_rollup_minute WHERE ${where.sql}`, where.params),
      latencyPercentiles(db, filters),
      first<{ n: number }>(db, `SELECT COUNT(*) AS n FROM telemetry_dead_letters WHERE ts >= ? AND ts < ?`, [filters.from, filters.to]),
      first<{ ts: number | null }>(db, `SELECT MAX(ts) AS ts FROM usage_events`, []),
    ])
    const t = totals ?? ({} as Partial<Totals>)
    const hits = num(t.exact_hits) + num(t.semantic_hits)
    return c.json<OverviewResponse>({
      range: { from: filters.from, to: filters.to },
      requests: num(t.requests),
      errors: num(t.errors),
      error_rate: num(t.requests) > 0 ? num(t.errors) / num(t.requests) : null,
      cache: {
        exact_hits: num(t.exact_hits),
        semantic_hits: num(t.semantic_hits),
        misses: num(t.misses),
        bypassed: num(t.bypassed),
        hit_rate: hitRate(hits, num(t.misses)),
      },
      cost: {
        usd: usd(t.cost_usd),
        saved_usd: usd(t.cost_saved_usd),
        unpriced_requests: num(t.unpriced),
        simulated_requests: num(t.simulated),
      },
      tokens: { input: num(t.input_tokens), output: num(t.output_tokens) },
      latency_ms: {
        ...latency,
        mean: num(t.requests) > 0 ? num(t.latency_ms_sum) / num(t.requests) : null,
      },
      telemetry: { dead_lettered: num(dead?.n), latest_event_at: latest?.ts ?? null },
    })
  }
}

const timeseriesSchema = filtersSchema.extend({ step: stepSchema.optional() })

export function timeseries(now: () => number = Date.now): Handler<AdminEnv> {
  return async function timeseriesHandler(c) {
    const filters = parseQuery(c, timeseriesSchema, now())
    const step = stepFor(filters, filters.step)
    const where = whereOf(filters, 'rollups')
    const [rows, latency] = await Promise.all([
      all<Totals & { t: number }>(
        c.env.DB,
        `SELECT minute - minute % ?1 AS t, ${TOTALS} FROM usage_rollup_minute WHERE ${renumber(where.sql, 1)} GROUP BY t ORDER BY t`,
        [step, ...where.params],
      ),
      latencyPercentilesByBucket(c.env.DB, filters, step),
    ])
    const byT = new Map(rows.map((r) => [r.t, r]))
    const points: TimeseriesPoint[] = []
    for (let t = filters.from - (filters.from % step); t < filters.to; t += step) {
      const r = byT.get(t)
      const hits = num(r?.exact_hits) + num(r?.semantic_hits)
      points.push({
        t,
        requests: num(r?.requests),
        errors: num(r?.errors),
        hits,
        misses: num(r?.misses),
        hit_rate: hitRate(hits, num(r?.misses)),
        cost_usd: usd(r?.cost_usd),
        cost_saved_usd: usd(r?.cost_saved_usd),
        p50_ms: latency.get(t)?.p50 ?? null,
        p95_ms: latency.get(t)?.p95 ?? null,
      })
    }
    return c.json<TimeseriesResponse>({ range: { from: filters.from, to: filters.to }, step_ms: step, points })
  }
}
