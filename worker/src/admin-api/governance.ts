/**
 * `GET /admin/api/experiments`, `/guardrails`: what A/B variants and rules/PII guards did, from the
 * events' outcome fields (`/budgets` is budgets.ts). Each answer says whether the
 * deployed policy configures the feature at all, so the admin site shows an honest empty state
 * ("not configured") rather than zeros that look like data.
 */
import type { Handler } from 'hono'
import type { CompiledPolicy } from '../policy/compile.ts'
import { all, num, usd } from './db.ts'
import { filtersSchema, parseQuery, whereOf } from './query.ts'
import type { ExperimentsResponse, GuardrailsResponse, Outcome } from './responses.ts'
import type { AdminEnv } from './types.ts'

/** Whether any project (or route) of the policy has one of these sections. */
function configures(policy: CompiledPolicy, where: 'projects' | 'models', keys: readonly string[]): boolean {
  return Object.values(policy[where]).some((entry) => keys.some((k) => k in (entry as object)))
}

export function experiments(policy: CompiledPolicy, now: () => number = Date.now): Handler<AdminEnv> {
  return async function experimentsHandler(c) {
    const filters = parseQuery(c, filtersSchema, now())
    const where = whereOf(filters, 'rollups')
    const rows = await all<{ variant: string; model: string; requests: number; errors: number; latency: number; cost: number | null; unpriced: number }>(
      c.env.DB,
      `SELECT variant, model, SUM(requests) AS requests, SUM(errors) AS errors, SUM(latency_ms_sum) AS latency,
              SUM(cost_usd) AS cost, SUM(unpriced) AS unpriced
       FROM usage_rollup_minute WHERE ${where.sql} AND variant != '' GROUP BY variant, model ORDER BY variant, model`,
      where.params,
    )
    return c.json<ExperimentsResponse>({
      range: { from: filters.from, to: filters.to },
      configured: configures(policy, 'models', ['variants', 'experiment']),
      variants: rows.map((r) => ({
        variant: r.variant,
        model: r.model,
        requests: num(r.requests),
        errors: num(r.errors),
        error_rate: num(r.requests) > 0 ? num(r.errors) / num(r.requests) : null,
        mean_latency_ms: num(r.requests) > 0 ? num(r.latency) / num(r.requests) : null,
        cost_usd: usd(r.cost),
        unpriced_requests: num(r.unpriced),
      })),
    })
  }
}

export function guardrails(policy: CompiledPolicy, now: () => number = Date.now): Handler<AdminEnv> {
  return async function guardrailsHandler(c) {
    const filters = parseQuery(c, filtersSchema, now())
    const where = whereOf(filters, 'events')
    const [rules, pii] = await Promise.all([
      outcomeCounts(c.env.DB, 'rule_id', where),
      all<{ kind: string; n: number }>(
        c.env.DB,
        `SELECT j.value AS kind, COUNT(*) AS n FROM usage_events, json_each(usage_events.pii) AS j
         WHERE ${where.sql} AND usage_events.pii IS NOT NULL GROUP BY j.value ORDER BY n DESC`,
        where.params,
      ),
    ])
    return c.json<GuardrailsResponse>({
      range: { from: filters.from, to: filters.to },
      rules: { configured: configures(policy, 'projects', ['rules']), outcomes: rules },
      pii: { configured: configures(policy, 'projects', ['pii']), kinds: pii.map((p) => ({ kind: p.kind, requests: p.n })) },
    })
  }
}

/** How many events carry each value of an outcome field, and how many of those were refused. */
export async function outcomeCounts(
  db: D1Database,
  column: 'budget' | 'rate_limit' | 'rule_id',
  where: { sql: string; params: (string | number)[] },
): Promise<Outcome[]> {
  const rows = await all<{ value: string; n: number; blocked: number }>(
    db,
    `SELECT ${column} AS value, COUNT(*) AS n, SUM(status >= 400) AS blocked FROM usage_events
     WHERE ${where.sql} AND ${column} IS NOT NULL GROUP BY ${column} ORDER BY n DESC LIMIT 100`,
    where.params,
  )
  return rows.map((r) => ({ value: r.value, requests: r.n, blocked: num(r.blocked) }))
}
