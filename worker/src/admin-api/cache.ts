/**
 * `GET /admin/api/cache`: exact vs semantic hits, misses and bypasses, per model, what the hits
 * saved, and how similar semantic hits were (a histogram in 0.02-wide bins).
 */
import type { Handler } from 'hono'
import { all, hitRate, num, usd } from './db.ts'
import { filtersSchema, parseQuery, whereOf } from './query.ts'
import type { CacheResponse } from './responses.ts'
import type { AdminEnv } from './types.ts'

const BIN = 0.02

export function cacheStats(now: () => number = Date.now): Handler<AdminEnv> {
  return async function cacheStatsHandler(c) {
    const filters = parseQuery(c, filtersSchema, now())
    const rollups = whereOf(filters, 'rollups')
    const events = whereOf(filters, 'events')
    const [byStatus, byModel, bins] = await Promise.all([
      all<{ cache: string; requests: number; saved: number | null }>(
        c.env.DB,
        `SELECT cache, SUM(requests) AS requests, SUM(cost_saved_usd) AS saved FROM usage_rollup_minute WHERE ${rollups.sql} GROUP BY cache`,
        rollups.params,
      ),
      all<{ model: string; hits: number; semantic: number; misses: number; saved: number | null }>(
        c.env.DB,
        `SELECT model, SUM(CASE WHEN cache = 'HIT' THEN requests ELSE 0 END) AS hits,
                SUM(CASE WHEN cache = 'SEMANTIC' THEN requests ELSE 0 END) AS semantic,
                SUM(CASE WHEN cache = 'MISS' THEN requests ELSE 0 END) AS misses,
                SUM(cost_saved_usd) AS saved
         FROM usage_rollup_minute WHERE ${rollups.sql} AND cache IN ('HIT', 'SEMANTIC', 'MISS')
         GROUP BY model ORDER BY hits + semantic DESC, misses DESC LIMIT 50`,
        rollups.params,
      ),
      all<{ bin: number; n: number }>(
        c.env.DB,
        `SELECT CAST(MIN(similarity, 0.999999) / ${BIN} AS INTEGER) AS bin, COUNT(*) AS n
         FROM usage_events WHERE ${events.sql} AND cache = 'SEMANTIC' AND similarity IS NOT NULL GROUP BY bin ORDER BY bin`,
        events.params,
      ),
    ])
    const count = (status: string) => num(byStatus.find((r) => r.cache === status)?.requests)
    const exact = count('HIT')
    const semantic = count('SEMANTIC')
    const misses = count('MISS')
    return c.json<CacheResponse>({
      range: { from: filters.from, to: filters.to },
      exact_hits: exact,
      semantic_hits: semantic,
      misses,
      bypassed: count('BYPASS'),
      hit_rate: hitRate(exact + semantic, misses),
      saved_usd: usd(byStatus.reduce((sum, r) => sum + num(r.saved), 0)),
      by_model: byModel.map((r) => ({
        model: r.model,
        exact_hits: num(r.hits),
        semantic_hits: num(r.semantic),
        misses: num(r.misses),
        hit_rate: hitRate(num(r.hits) + num(r.semantic), num(r.misses)),
        saved_usd: usd(r.saved),
      })),
      similarity_histogram: bins.map((b) => ({
        from: Math.round(b.bin * BIN * 100) / 100,
        to: Math.round((b.bin + 1) * BIN * 100) / 100,
        count: b.n,
      })),
    })
  }
}
