/**
 * `GET /admin/api/guardrails` (`/experiments` is experiments.ts, `/budgets` budgets.ts): what rules
 * and PII guards did, from the events' outcome fields. Each answer says whether the
 * deployed policy configures the feature at all, so the admin site shows an honest empty state
 * ("not configured") rather than zeros that look like data.
 */
import type { Handler } from 'hono'
import type { CompiledPolicy } from '../policy/compile.ts'
import { all, num } from './db.ts'
import { filtersSchema, parseQuery, whereOf } from './query.ts'
import type { GuardrailsResponse, Outcome } from './responses.ts'
import type { AdminEnv } from './types.ts'

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

export { experiments } from './experiments.ts'
