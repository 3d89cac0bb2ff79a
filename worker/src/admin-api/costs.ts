/**
 * `GET /admin/api/costs`: spend and savings by project, by key and by model, with the requests that
 * could not be priced (unknown model) counted apart — never folded in as $0 — and mock answers'
 * simulated cost flagged. Provider prompt caching: input tokens read from and written to the
 * providers' caches (writes with a 1-hour TTL apart), priced at their own rates.
 */
import type { Handler } from 'hono'
import { all, num, usd } from './db.ts'
import { filtersSchema, parseQuery, whereOf } from './query.ts'
import type { CostsResponse } from './responses.ts'
import type { AdminEnv } from './types.ts'

interface Group {
  requests: number
  cost: number | null
  saved: number | null
  unpriced: number | null
  simulated: number | null
  input_tokens: number | null
  output_tokens: number | null
  cache_read_tokens: number | null
  cache_write_tokens: number | null
  cache_write_1h_tokens: number | null
}

const SUMS = `SUM(requests) AS requests, SUM(cost_usd) AS cost, SUM(cost_saved_usd) AS saved, SUM(unpriced) AS unpriced,
  SUM(simulated) AS simulated, SUM(input_tokens) AS input_tokens, SUM(output_tokens) AS output_tokens,
  SUM(cached_tokens) AS cache_read_tokens, SUM(cache_write_tokens) AS cache_write_tokens, SUM(cache_write_1h_tokens) AS cache_write_1h_tokens`

const shape = (g: Group) => ({
  requests: num(g.requests),
  cost_usd: usd(g.cost),
  saved_usd: usd(g.saved),
  unpriced_requests: num(g.unpriced),
  simulated_requests: num(g.simulated),
  input_tokens: num(g.input_tokens),
  output_tokens: num(g.output_tokens),
  cache_read_tokens: num(g.cache_read_tokens),
  cache_write_tokens: num(g.cache_write_tokens),
  cache_write_1h_tokens: num(g.cache_write_1h_tokens),
})

export function costs(now: () => number = Date.now): Handler<AdminEnv> {
  return async function costsHandler(c) {
    const filters = parseQuery(c, filtersSchema, now())
    const where = whereOf(filters, 'rollups')
    const group = <K extends string>(...columns: K[]) =>
      all<Group & Record<K, string>>(
        c.env.DB,
        `SELECT ${columns.join(', ')}, ${SUMS} FROM usage_rollup_minute WHERE ${where.sql}
         GROUP BY ${columns.join(', ')} ORDER BY cost DESC, requests DESC LIMIT 100`,
        where.params,
      )
    const [total, byProject, byKey, byModel] = await Promise.all([
      all<Group>(c.env.DB, `SELECT ${SUMS} FROM usage_rollup_minute WHERE ${where.sql}`, where.params),
      group('project'),
      group('project', 'key_id'),
      group('provider', 'model'),
    ])
    return c.json<CostsResponse>({
      range: { from: filters.from, to: filters.to },
      total: shape(total[0] ?? ({ requests: 0 } as Group)),
      by_project: byProject.map((r) => ({ project: r.project, ...shape(r) })),
      by_key: byKey.map((r) => ({ project: r.project, key_id: r.key_id, ...shape(r) })),
      by_model: byModel.map((r) => ({ provider: r.provider, model: r.model, ...shape(r) })),
    })
  }
}
