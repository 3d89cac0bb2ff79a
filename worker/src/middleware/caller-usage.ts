/**
 * `GET /v1/usage`: the calling key's and its project's requests, tokens, cost and cache hit rate
 * today and this month (UTC), from the per-minute rollups the telemetry consumer writes to D1 — one
 * indexed query. Telemetry is asynchronous, so the figures trail live traffic by a few seconds;
 * for what is left of a budget, `GET /v1/budget` reads the live counters.
 *
 * @example app.get('/v1/usage', callerUsage())
 */
import type { Handler } from 'hono'
import type { AppEnv } from '../env.ts'
import { GatewayError } from '../errors.ts'

interface Row {
  mine: number
  today: number
  requests: number | null
  errors: number | null
  input_tokens: number | null
  output_tokens: number | null
  cost_usd: number | null
  cost_saved_usd: number | null
  hits: number | null
  misses: number | null
  unpriced: number | null
}

interface Totals {
  requests: number
  errors: number
  input_tokens: number
  output_tokens: number
  cost_usd: number
  cost_saved_usd: number
  cache_hit_rate: number | null
  unpriced_requests: number
}

export function callerUsage(now: () => number = Date.now): Handler<AppEnv> {
  return async function callerUsageHandler(c) {
    const { project, keyId } = c.get('caller')
    const at = new Date(now())
    const dayStart = Date.UTC(at.getUTCFullYear(), at.getUTCMonth(), at.getUTCDate())
    const monthStart = Date.UTC(at.getUTCFullYear(), at.getUTCMonth(), 1)
    let rows: Row[]
    try {
      const result = await c.env.DB.prepare(
        `SELECT key_id = ?1 AS mine, minute >= ?2 AS today, SUM(requests) AS requests, SUM(errors) AS errors,
                SUM(input_tokens) AS input_tokens, SUM(output_tokens) AS output_tokens, SUM(cost_usd) AS cost_usd,
                SUM(cost_saved_usd) AS cost_saved_usd, SUM(CASE WHEN cache IN ('HIT', 'SEMANTIC') THEN requests ELSE 0 END) AS hits,
                SUM(CASE WHEN cache = 'MISS' THEN requests ELSE 0 END) AS misses, SUM(unpriced) AS unpriced
         FROM usage_rollup_minute WHERE minute >= ?3 AND project = ?4 GROUP BY mine, today`,
      )
        .bind(keyId, dayStart, monthStart, project)
        .all<Row>()
      rows = result.results
    } catch {
      throw new GatewayError(503, 'limits_unavailable', 'Usage could not be read right now; try again shortly.')
    }
    const totals = (mine: boolean, todayOnly: boolean): Totals => {
      const picked = rows.filter((r) => (!mine || r.mine === 1) && (!todayOnly || r.today === 1))
      const sum = (k: keyof Row) => picked.reduce((n, r) => n + (r[k] ?? 0), 0)
      const hits = sum('hits')
      const misses = sum('misses')
      return {
        requests: sum('requests'),
        errors: sum('errors'),
        input_tokens: sum('input_tokens'),
        output_tokens: sum('output_tokens'),
        cost_usd: Math.round(sum('cost_usd') * 1e10) / 1e10,
        cost_saved_usd: Math.round(sum('cost_saved_usd') * 1e10) / 1e10,
        cache_hit_rate: hits + misses > 0 ? hits / (hits + misses) : null,
        unpriced_requests: sum('unpriced'),
      }
    }
    return c.json({
      object: 'usage',
      project,
      key: keyId,
      as_of: at.toISOString(),
      today: { since: new Date(dayStart).toISOString(), key: totals(true, true), project: totals(false, true) },
      month: { since: new Date(monthStart).toISOString(), key: totals(true, false), project: totals(false, false) },
    })
  }
}
