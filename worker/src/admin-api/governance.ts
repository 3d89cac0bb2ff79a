/**
 * `GET /admin/api/budgets`, `/guardrails` (and `/experiments`, in experiments.ts): what budgets and
 * rate limits, and rules/PII guards did, from the events' outcome fields. Each answer says whether the
 * deployed policy configures the feature at all, so the admin site shows an honest empty state
 * ("not configured") rather than zeros that look like data.
 */
import type { Handler } from 'hono'
import type { CompiledPolicy } from '../policy/compile.ts'
import { all, num } from './db.ts'
import { filtersSchema, parseQuery, whereOf } from './query.ts'
import type { BudgetsResponse, GuardrailsResponse, Outcome } from './responses.ts'
import type { AdminEnv } from './types.ts'

/** Whether any project (or route) of the policy has one of these sections. */
function configures(policy: CompiledPolicy, where: 'projects' | 'models', keys: readonly string[]): boolean {
  return Object.values(policy[where]).some((entry) => keys.some((k) => k in (entry as object)))
}

export function budgets(policy: CompiledPolicy, now: () => number = Date.now): Handler<AdminEnv> {
  return async function budgetsHandler(c) {
    const filters = parseQuery(c, filtersSchema, now())
    const where = whereOf(filters, 'events')
    const [budget, rate] = await Promise.all([
      outcomeCounts(c.env.DB, 'budget', where),
      outcomeCounts(c.env.DB, 'rate_limit', where),
    ])
    return c.json<BudgetsResponse>({
      range: { from: filters.from, to: filters.to },
      budgets: { configured: configures(policy, 'projects', ['budgets', 'budget']), outcomes: budget },
      rate_limits: { configured: configures(policy, 'projects', ['limits', 'rate_limits']), outcomes: rate },
    })
  }
}

export function guardrails(policy: CompiledPolicy, now: () => number = Date.now): Handler<AdminEnv> {
  const rulesConfigured = Object.values(policy.projects).some((p) => p.rules.length > 0)
  const piiConfigured = Object.values(policy.projects).some((p) => p.pii !== undefined)
  return async function guardrailsHandler(c) {
    const filters = parseQuery(c, filtersSchema, now())
    const where = whereOf(filters, 'events')
    const [rules, pii] = await Promise.all([
      all<{ id: string; action: string; n: number }>(
        c.env.DB,
        `SELECT j.value ->> '$.id' AS id, j.value ->> '$.action' AS action, COUNT(*) AS n
         FROM usage_events, json_each(usage_events.rules) AS j
         WHERE ${where.sql} AND usage_events.rules IS NOT NULL GROUP BY 1, 2 ORDER BY n DESC LIMIT 200`,
        where.params,
      ),
      all<{ kind: string; n: number; found: number; blocked: number }>(
        c.env.DB,
        `SELECT j.key AS kind, COUNT(*) AS n, SUM(j.value) AS found, SUM(usage_events.error_code = 'pii_blocked') AS blocked
         FROM usage_events, json_each(usage_events.pii_counts) AS j
         WHERE ${where.sql} AND usage_events.pii_counts IS NOT NULL GROUP BY j.key ORDER BY n DESC`,
        where.params,
      ),
    ])
    return c.json<GuardrailsResponse>({
      range: { from: filters.from, to: filters.to },
      rules: { configured: rulesConfigured, hits: rules.map((r) => ({ id: r.id, action: r.action, requests: num(r.n) })) },
      pii: { configured: piiConfigured, kinds: pii.map((p) => ({ kind: p.kind, requests: num(p.n), values: num(p.found), blocked: num(p.blocked) })) },
    })
  }
}

async function outcomeCounts(
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

export { experiments } from './experiments.ts'
