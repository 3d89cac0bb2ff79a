/**
 * The Worker's `scheduled` handler (the cron triggers in wrangler.jsonc, hourly): posts the usage
 * reports that are due and retries alert deliveries (budget thresholds, anomalies) that failed. Everything it sends goes through
 * a D1 dispatch row first, so a trigger that fires twice, or two overlapping runs, send once.
 * It also deletes raw usage events past their project's retention (telemetry/retention.ts; in
 * Postgres only where a project asks, telemetry/postgres-retention.ts): a delete is idempotent, so
 * overlapping runs need no dispatch row.
 *
 * @example export default { fetch, queue, scheduled: scheduledWork(bundledPolicy) }
 */
import type { GatewayEnv } from '../env.ts'
import type { CompiledPolicy } from '../policy/compile.ts'
import { retryAlerts } from './alerts.ts'
import { retryAnomalyAlerts } from './anomaly-alerts.ts'
import { sendReports } from './reports.ts'
import { pruneRawEvents, retentionOf, type RetentionResult } from '../telemetry/retention.ts'
import { postgresRetentionOf, prunePostgresEvents } from '../telemetry/postgres-retention.ts'

export function scheduledWork(policy: CompiledPolicy): ExportedHandlerScheduledHandler<Env> {
  return function scheduled(controller, env, ctx) {
    ctx.waitUntil(runScheduled(policy, env as GatewayEnv, controller.scheduledTime))
  }
}

export async function runScheduled(
  policy: CompiledPolicy,
  env: GatewayEnv,
  now: number,
): Promise<{ reports: number; alerts: number; retention: RetentionResult | undefined; postgresRetention: RetentionResult | undefined }> {
  const hyperdrive = (env as { HYPERDRIVE?: Hyperdrive }).HYPERDRIVE
  const [reports, budgetAlerts, anomalyAlerts, retention, postgresRetention] = await Promise.all([
    sendReports(env, policy, now),
    retryAlerts(env, policy, now),
    retryAnomalyAlerts(env, policy, now),
    // Reports read the raw events of the day or week just ended; retention (≥ 8 days) never reaches them.
    pruneRawEvents(env.DB, retentionOf(policy), now).catch((e: unknown) => {
      console.error(JSON.stringify({ scheduled: 'retention_failed', error: String(e) }))
      return undefined
    }),
    hyperdrive
      ? prunePostgresEvents({ connectionString: hyperdrive.connectionString }, postgresRetentionOf(policy), now).catch((e: unknown) => {
          console.error(JSON.stringify({ scheduled: 'postgres_retention_failed', error: String(e) }))
          return undefined
        })
      : undefined,
  ])
  const alerts = budgetAlerts + anomalyAlerts
  if (reports + alerts > 0) console.log(JSON.stringify({ scheduled: 'sent', reports, alerts }))
  const pruned = retention ? Object.values(retention.deleted).reduce((a, b) => a + b, 0) : 0
  const prunedPg = postgresRetention ? Object.values(postgresRetention.deleted).reduce((a, b) => a + b, 0) : 0
  if (pruned + prunedPg > 0)
    console.log(JSON.stringify({ scheduled: 'retention', deleted: pruned, postgres_deleted: prunedPg, more: (retention?.more ?? false) || (postgresRetention?.more ?? false) }))
  return { reports, alerts, retention, postgresRetention }
}
