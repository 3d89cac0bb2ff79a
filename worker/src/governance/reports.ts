/**
 * Scheduled usage reports: for each project that asks for them, the last complete day (and ISO
 * week, UTC) summed from D1 and posted to the project's alert webhook. `report_dispatches` is the
 * dispatch table: a report is sent only by whoever inserts its row, so a trigger that fires twice
 * sends once; and since each run looks at the *last complete* period, a run that was missed is
 * caught up by the next one — once (older periods missed in a longer outage are not back-filled).
 */
import type { GatewayEnv } from '../env.ts'
import type { CompiledPolicy } from '../policy/compile.ts'
import { claimNew, finish, reclaim } from './dispatch.ts'
import { postWebhook, type WebhookMessage } from './webhook.ts'

const DAY = 86_400_000

export interface ReportPeriod {
  kind: 'daily' | 'weekly'
  start: number
  end: number
  /** The period's first day, YYYY-MM-DD. */
  label: string
}

/** The last complete day and ISO week (Monday to Monday, UTC) before `now`. */
export function lastCompletePeriods(now: number, wanted: { daily: boolean; weekly: boolean }): ReportPeriod[] {
  const today = Math.floor(now / DAY) * DAY
  const out: ReportPeriod[] = []
  if (wanted.daily) out.push({ kind: 'daily', start: today - DAY, end: today, label: day(today - DAY) })
  if (wanted.weekly) {
    const monday = today - ((new Date(today).getUTCDay() + 6) % 7) * DAY
    out.push({ kind: 'weekly', start: monday - 7 * DAY, end: monday, label: day(monday - 7 * DAY) })
  }
  return out
}

export async function sendReports(env: GatewayEnv, policy: CompiledPolicy, now: number): Promise<number> {
  let sent = 0
  for (const [project, config] of Object.entries(policy.projects)) {
    const webhook = config.alerts?.webhook
    if (!webhook || !config.reports) continue
    for (const period of lastCompletePeriods(now, config.reports)) {
      const id = `${project}|${period.kind}|${period.label}`
      const row = { id, project, kind: period.kind, period_start: period.start, period_end: period.end, status: 'sending', attempts: 1, claimed_at: now }
      // A row that exists was sent (or is being sent) by another run; a failed one is retried (5 tries).
      if (!(await claimNew(env.DB, 'report_dispatches', row)) && !(await reclaim(env.DB, 'report_dispatches', id, now))) continue
      const message = reportMessage(id, project, period, await summarise(env.DB, project, period))
      const delivery = await postWebhook(env, webhook, message, now)
      await finish(env.DB, 'report_dispatches', id, delivery, now)
      if (delivery.ok) sent++
    }
  }
  return sent
}

export interface Summary {
  requests: number
  errors: number
  input_tokens: number
  output_tokens: number
  cost_usd: number
  cost_saved_usd: number
  hits: number
  misses: number
  top_models: { model: string; requests: number; cost_usd: number }[]
  rate_limited: number
  budget_refused: number
  stream_cuts: number
  alerts: number
}

export async function summarise(db: D1Database, project: string, period: ReportPeriod): Promise<Summary> {
  const range = [project, period.start, period.end]
  const [totals, models, outcomes, alerts] = await db.batch<Record<string, number | string | null>>([
    db
      .prepare(
        `SELECT SUM(requests) AS requests, SUM(errors) AS errors, SUM(input_tokens) AS input_tokens, SUM(output_tokens) AS output_tokens,
                SUM(cost_usd) AS cost_usd, SUM(cost_saved_usd) AS cost_saved_usd,
                SUM(CASE WHEN cache IN ('HIT', 'SEMANTIC') THEN requests ELSE 0 END) AS hits, SUM(CASE WHEN cache = 'MISS' THEN requests ELSE 0 END) AS misses
         FROM usage_rollup_minute WHERE project = ?1 AND minute >= ?2 AND minute < ?3`,
      )
      .bind(...range),
    db
      .prepare(
        `SELECT model, SUM(requests) AS requests, SUM(cost_usd) AS cost_usd FROM usage_rollup_minute
         WHERE project = ?1 AND minute >= ?2 AND minute < ?3 GROUP BY model ORDER BY cost_usd DESC, requests DESC LIMIT 3`,
      )
      .bind(...range),
    db
      .prepare(
        `SELECT SUM(rate_limit LIKE 'limited:%') AS rate_limited, SUM(budget LIKE 'exceeded:%') AS budget_refused,
                SUM(budget LIKE 'stream_cut:%') AS stream_cuts
         FROM usage_events WHERE project = ?1 AND ts >= ?2 AND ts < ?3`,
      )
      .bind(...range),
    db.prepare('SELECT COUNT(*) AS alerts FROM budget_alerts WHERE project = ?1 AND ts >= ?2 AND ts < ?3').bind(...range),
  ])
  const t = totals?.results[0] ?? {}
  const o = outcomes?.results[0] ?? {}
  const n = (v: unknown): number => (typeof v === 'number' && Number.isFinite(v) ? v : 0)
  return {
    requests: n(t.requests),
    errors: n(t.errors),
    input_tokens: n(t.input_tokens),
    output_tokens: n(t.output_tokens),
    cost_usd: Math.round(n(t.cost_usd) * 1e10) / 1e10,
    cost_saved_usd: Math.round(n(t.cost_saved_usd) * 1e10) / 1e10,
    hits: n(t.hits),
    misses: n(t.misses),
    top_models: (models?.results ?? []).map((m) => ({ model: String(m.model ?? ''), requests: n(m.requests), cost_usd: Math.round(n(m.cost_usd) * 1e10) / 1e10 })),
    rate_limited: n(o.rate_limited),
    budget_refused: n(o.budget_refused),
    stream_cuts: n(o.stream_cuts),
    alerts: n(alerts?.results[0]?.alerts),
  }
}

export function reportMessage(id: string, project: string, period: ReportPeriod, s: Summary): WebhookMessage {
  const when = period.kind === 'daily' ? period.label : `the week of ${period.label}`
  const hitRate = s.hits + s.misses > 0 ? `${((100 * s.hits) / (s.hits + s.misses)).toFixed(1)}%` : 'n/a'
  const models = s.top_models.map((m) => `${m.model || '—'} $${m.cost_usd.toFixed(4)}`).join(', ') || 'none'
  const text =
    `WatchLLM ${period.kind} report for ${project}, ${when} (UTC): ${s.requests} requests (${s.errors} errors), ` +
    `${s.input_tokens + s.output_tokens} tokens, $${s.cost_usd.toFixed(4)} spent, $${s.cost_saved_usd.toFixed(4)} saved by the cache (hit rate ${hitRate}). ` +
    `Top models: ${models}. Limits: ${s.rate_limited} rate-limited, ${s.budget_refused} refused by a budget, ${s.stream_cuts} streams cut, ${s.alerts} budget alerts.`
  return {
    type: 'usage.report',
    id,
    text,
    data: { project, kind: period.kind, period_start: new Date(period.start).toISOString(), period_end: new Date(period.end).toISOString(), ...s },
  }
}

const day = (ms: number): string => new Date(ms).toISOString().slice(0, 10)
