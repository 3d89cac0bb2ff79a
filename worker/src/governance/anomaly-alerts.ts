/**
 * Anomalies a ledger flagged, recorded and announced. Each becomes one row in D1's `anomalies`
 * (what the admin lists) whose primary key is the anomaly's id — its project, scope, subject and
 * window — so a repeated report inserts nothing, and only the request that inserted the row posts
 * the project's alerts webhook (`alert` and `block`; `flag` only records). Failed posts are retried
 * by the cron, as budget alerts are. Also the words a blocked request's 429 uses.
 */
import type { GatewayEnv } from '../env.ts'
import type { CompiledPolicy } from '../policy/compile.ts'
import type { ProjectPolicy } from '../policy/schema.ts'
import { anomalyId, type AnomalyReport } from './anomaly.ts'
import { claimNew, finish, reclaim, retryable } from './dispatch.ts'
import type { Scope } from './protocol.ts'
import { postWebhook, type WebhookMessage } from './webhook.ts'
import { own } from '../lib/own.ts'

export interface FlaggedAnomaly {
  scope: Scope
  subject: string
  report: AnomalyReport & { requestId?: string }
}

interface AnomalyRow {
  id: string
  ts: number
  project: string
  scope: string
  subject: string
  metric: string
  window_start: number
  window_ms: number
  window_amount: number
  baseline_ms: number
  baseline_amount: number
  ratio: number
  threshold: number
  action: string
  cooldown_until: number
  request_id: string | null
}

export async function recordAnomaly(env: GatewayEnv, projectName: string, project: ProjectPolicy, { scope, subject, report: r }: FlaggedAnomaly): Promise<void> {
  const webhook = r.action === 'flag' ? undefined : project.alerts?.webhook
  const row: AnomalyRow & Record<string, string | number | null> = {
    id: anomalyId(projectName, scope, subject, r.windowStart),
    ts: r.at,
    project: projectName,
    scope,
    subject,
    metric: r.metric,
    window_start: r.windowStart,
    window_ms: Math.round(r.windowMs),
    window_amount: r.windowAmount,
    baseline_ms: Math.round(r.baselineMs),
    baseline_amount: r.baselineAmount,
    ratio: r.ratio,
    threshold: r.threshold,
    action: r.action,
    cooldown_until: r.until,
    request_id: r.requestId ?? null,
    status: webhook ? 'sending' : 'recorded',
    attempts: webhook ? 1 : 0,
    claimed_at: webhook ? r.at : null,
  }
  if (!(await claimNew(env.DB, 'anomalies', row)) || !webhook) return
  await finish(env.DB, 'anomalies', row.id, await postWebhook(env, webhook, anomalyMessage(row), r.at), r.at)
}

/** Posts again the anomaly alerts whose delivery failed (run by the cron, a bounded batch each time). */
export async function retryAnomalyAlerts(env: GatewayEnv, policy: CompiledPolicy, now: number): Promise<number> {
  let sent = 0
  for (const id of await retryable(env.DB, 'anomalies', now)) {
    const row = await env.DB.prepare('SELECT * FROM anomalies WHERE id = ?').bind(id).first<AnomalyRow>()
    const webhook = row ? own(policy.projects, row.project)?.alerts?.webhook : undefined
    if (!row || !webhook || !(await reclaim(env.DB, 'anomalies', id, now))) continue
    const delivery = await postWebhook(env, webhook, anomalyMessage(row), now)
    await finish(env.DB, 'anomalies', id, delivery, now)
    if (delivery.ok) sent++
  }
  return sent
}

export function anomalyMessage(row: AnomalyRow): WebhookMessage {
  const who = `${row.scope} ${row.subject} (project ${row.project})`
  const what = row.metric === 'usd' ? 'spend' : 'token use'
  const blocked = row.action === 'block' ? ` Its requests are refused until ${clock(row.cooldown_until)}.` : ''
  return {
    type: 'anomaly.detected',
    id: row.id,
    text:
      `WatchLLM: unusual ${what} on ${who}: ${amount(row.metric, row.window_amount)} in the last ${span(row.window_ms)}, ` +
      `${times(row.ratio)} its rate over the ${span(row.baseline_ms)} before (${amount(row.metric, row.baseline_amount)}; policy: ${times(row.threshold)}).${blocked}`,
    data: {
      project: row.project,
      scope: row.scope,
      subject: row.subject,
      metric: row.metric,
      window_start: new Date(row.window_start).toISOString(),
      window_seconds: Math.round(row.window_ms / 1000),
      window_amount: row.window_amount,
      baseline_seconds: Math.round(row.baseline_ms / 1000),
      baseline_amount: row.baseline_amount,
      ratio: Number(row.ratio.toFixed(3)),
      threshold: row.threshold,
      action: row.action,
      until: new Date(row.cooldown_until).toISOString(),
      request_id: row.request_id,
    },
  }
}

/** The 429 a blocked scope's requests get. */
export function anomalyBlockedMessage(scope: Scope, subject: string, r: AnomalyReport): string {
  const what = r.metric === 'usd' ? 'spend' : 'token use'
  return (
    `Unusual ${what} on ${scope} ${subject}: ${times(r.ratio)} its usual rate (the last ${span(r.windowMs)} against the ${span(r.baselineMs)} before; ` +
    `policy: ${times(r.threshold)}). Requests from this ${scope} are refused until ${new Date(r.until).toISOString()}.`
  )
}

const times = (ratio: number): string => `${ratio >= 100 ? Math.round(ratio) : Number(ratio.toFixed(1))}×`
const clock = (ms: number): string => `${new Date(ms).toISOString().slice(0, 19).replace('T', ' ')} UTC`

function amount(metric: string, n: number): string {
  if (metric !== 'usd') return `${Math.round(n).toLocaleString('en-US')} tokens`
  return `$${n >= 1 ? n.toFixed(2) : n.toPrecision(3)}`
}

/** 20 s, 15 min, 1.5 h. */
export function span(ms: number): string {
  if (ms < 120_000) return `${Math.round(ms / 1000)} s`
  if (ms < 7_200_000) return `${Math.round(ms / 60_000)} min`
  return `${Number((ms / 3_600_000).toFixed(1))} h`
}
