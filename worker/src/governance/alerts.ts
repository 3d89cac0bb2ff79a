/**
 * Budget threshold alerts. The scope's ledger reports each threshold once per period (it runs one
 * call at a time); here each crossing becomes one row in D1's `budget_alerts` — the primary key is
 * (project, scope, subject, budget, period, threshold), so a repeated report inserts nothing — and
 * only the request that inserted the row posts the webhook. Without a webhook the crossing is
 * still recorded (`recorded`), so the admin site shows it. Failed posts are retried by the cron.
 */
import type { GatewayEnv } from '../env.ts'
import type { CompiledPolicy } from '../policy/compile.ts'
import type { ProjectPolicy } from '../policy/schema.ts'
import { claimNew, finish, reclaim, retryable } from './dispatch.ts'
import type { Crossing, Scope } from './protocol.ts'
import { postWebhook, type WebhookMessage } from './webhook.ts'
import { own } from '../lib/own.ts'

export interface ScopedCrossing {
  scope: Scope
  subject: string
  crossing: Crossing
}

export async function recordCrossings(env: GatewayEnv, projectName: string, project: ProjectPolicy, crossings: ScopedCrossing[], now: number = Date.now()): Promise<void> {
  const webhook = project.alerts?.webhook
  await Promise.all(
    crossings.map(async ({ scope, subject, crossing: x }) => {
      const id = [projectName, scope, subject, x.budget, x.period, x.threshold].join('|')
      const row = {
        id,
        ts: now,
        project: projectName,
        scope,
        subject,
        budget: x.budget,
        period: x.period,
        threshold: x.threshold,
        unit: x.unit,
        used: x.used,
        limit_value: x.limit,
        refusing: x.refusing ? 1 : 0,
        status: webhook ? 'sending' : 'recorded',
        attempts: webhook ? 1 : 0,
        claimed_at: webhook ? now : null,
      }
      if (!(await claimNew(env.DB, 'budget_alerts', row)) || !webhook) return
      await finish(env.DB, 'budget_alerts', id, await postWebhook(env, webhook, alertMessage(row), now), now)
    }),
  )
}

/** Posts again the alerts whose delivery failed (run by the cron, a bounded batch each time). */
export async function retryAlerts(env: GatewayEnv, policy: CompiledPolicy, now: number): Promise<number> {
  let sent = 0
  for (const id of await retryable(env.DB, 'budget_alerts', now)) {
    const row = await env.DB.prepare('SELECT * FROM budget_alerts WHERE id = ?').bind(id).first<AlertRow>()
    const webhook = row ? own(policy.projects, row.project)?.alerts?.webhook : undefined
    if (!row || !webhook || !(await reclaim(env.DB, 'budget_alerts', id, now))) continue
    const delivery = await postWebhook(env, webhook, alertMessage(row), now)
    await finish(env.DB, 'budget_alerts', id, delivery, now)
    if (delivery.ok) sent++
  }
  return sent
}

interface AlertRow {
  id: string
  project: string
  scope: string
  subject: string
  budget: string
  period: string
  threshold: number
  unit: string
  used: number
  limit_value: number
  refusing: number
}

export function alertMessage(row: AlertRow): WebhookMessage {
  const amount = (n: number) => (row.unit === 'usd' ? `$${round(n)}` : `${Math.round(n)} tokens`)
  const who = row.scope === 'project' ? `project ${row.project}` : `${row.scope} ${row.subject} (project ${row.project})`
  const when = row.period === 'session' ? 'this session' : row.period.length === 7 ? `month ${row.period}` : `day ${row.period}`
  const text = row.refusing
    ? `WatchLLM: budget \`${row.budget}\` of ${who} is at its cap for ${when}: ${amount(row.used)} of ${amount(row.limit_value)} spent, requests are being refused or downgraded.`
    : `WatchLLM: budget \`${row.budget}\` of ${who} crossed ${row.threshold}% for ${when}: ${amount(row.used)} of ${amount(row.limit_value)}.`
  return {
    type: 'budget.threshold',
    id: row.id,
    text,
    data: {
      project: row.project,
      scope: row.scope,
      subject: row.subject,
      budget: row.budget,
      period: row.period,
      threshold: row.threshold,
      unit: row.unit,
      used: row.used,
      limit: row.limit_value,
      refusing: row.refusing === 1,
    },
  }
}

const round = (usd: number): string => (usd >= 1 ? usd.toFixed(2) : usd.toPrecision(3))
