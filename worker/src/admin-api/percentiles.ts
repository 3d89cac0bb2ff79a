/**
 * Latency percentiles (nearest rank) from the raw events, overall or per time bucket, with SQLite
 * window functions: exact, and bounded by the events in the range. Successful requests only — an
 * error's latency says little about the service's speed.
 */
import { all } from './db.ts'
import { whereOf, type Filters } from './query.ts'

export interface LatencyPercentiles {
  p50: number | null
  p95: number | null
}

export async function latencyPercentiles(db: D1Database, filters: Filters): Promise<LatencyPercentiles> {
  const where = whereOf(filters, 'events')
  const rows = await all<{ p50: number | null; p95: number | null }>(
    db,
    `WITH w AS (
       SELECT latency_ms, ROW_NUMBER() OVER (ORDER BY latency_ms) AS rn, COUNT(*) OVER () AS n
       FROM usage_events WHERE ${where.sql} AND status < 400)
     SELECT MIN(CASE WHEN rn >= n * 0.5 THEN latency_ms END) AS p50,
            MIN(CASE WHEN rn >= n * 0.95 THEN latency_ms END) AS p95
     FROM w`,
    where.params,
  )
  return { p50: rows[0]?.p50 ?? null, p95: rows[0]?.p95 ?? null }
}

export async function latencyPercentilesByBucket(db: D1Database, filters: Filters, step: number): Promise<Map<number, LatencyPercentiles>> {
  const where = whereOf(filters, 'events')
  const rows = await all<{ t: number; p50: number | null; p95: number | null }>(
    db,
    `WITH w AS (
       SELECT ts - ts % ?1 AS t, latency_ms,
              ROW_NUMBER() OVER (PARTITION BY ts - ts % ?1 ORDER BY latency_ms) AS rn,
              COUNT(*) OVER (PARTITION BY ts - ts % ?1) AS n
       FROM usage_events WHERE ${renumber(where.sql, 1)} AND status < 400)
     SELECT t, MIN(CASE WHEN rn >= n * 0.5 THEN latency_ms END) AS p50,
               MIN(CASE WHEN rn >= n * 0.95 THEN latency_ms END) AS p95
     FROM w GROUP BY t`,
    [step, ...where.params],
  )
  return new Map(rows.map((r) => [r.t, { p50: r.p50, p95: r.p95 }]))
}

/** `?` placeholders → `?2, ?3 …`, so they can follow a numbered `?1` in the same statement. */
export function renumber(sql: string, offset: number): string {
  let i = offset
  return sql.replace(/\?/g, () => `?${++i}`)
}
