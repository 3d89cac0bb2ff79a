/**
 * The Worker's `scheduled` handler (the cron triggers in wrangler.jsonc, hourly): posts the usage
 * reports that are due and retries alert deliveries (budget thresholds, anomalies) that failed. Everything it sends goes through
 * a D1 dispatch row first, so a trigger that fires twice, or two overlapping runs, send once.
 *
 * @example export default { fetch, queue, scheduled: scheduledWork(bundledPolicy) }
 */
import type { GatewayEnv } from '../env.ts'
import type { CompiledPolicy } from '../policy/compile.ts'
import { retryAlerts } from './alerts.ts'
import { retryAnomalyAlerts } from './anomaly-alerts.ts'
import { sendReports } from './reports.ts'

export function scheduledWork(policy: CompiledPolicy): ExportedHandlerScheduledHandler<Env> {
  return function scheduled(controller, env, ctx) {
    ctx.waitUntil(runScheduled(policy, env as GatewayEnv, controller.scheduledTime))
  }
}

export async function runScheduled(policy: CompiledPolicy, env: GatewayEnv, now: number): Promise<{ reports: number; alerts: number }> {
  const [reports, budgetAlerts, anomalyAlerts] = await Promise.all([sendReports(env, policy, now), retryAlerts(env, policy, now), retryAnomalyAlerts(env, policy, now)])
  const alerts = budgetAlerts + anomalyAlerts
  if (reports + alerts > 0) console.log(JSON.stringify({ scheduled: 'sent', reports, alerts }))
  return { reports, alerts }
}
