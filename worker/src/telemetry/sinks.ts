/**
 * Where events are stored: always D1 (what the admin reads); Postgres too when a Hyperdrive binding
 * is configured and not switched off (`TELEMETRY_POSTGRES=off`, e.g. `npm start` with no local
 * Postgres). Both writes are idempotent, so a batch that failed on one side is simply retried whole.
 */
import { secretOf, type GatewayEnv } from '../env.ts'
import { writeEventsToD1 } from './d1-writer.ts'
import type { UsageEvent } from './event.ts'
import type { PostgresTarget } from './postgres-writer.ts'

export interface Sinks {
  d1: D1Database
  postgres?: PostgresTarget
}

export function sinksOf(env: GatewayEnv): Sinks {
  const hyperdrive = (env as { HYPERDRIVE?: Hyperdrive }).HYPERDRIVE
  const postgresOn = hyperdrive?.connectionString && secretOf(env, 'TELEMETRY_POSTGRES') !== 'off'
  return postgresOn ? { d1: env.DB, postgres: { connectionString: hyperdrive.connectionString } } : { d1: env.DB }
}

/** Telemetry as a whole can be switched off (`WATCHLLM_TELEMETRY=off`): the bench's baseline. */
export function telemetryEnabled(env: GatewayEnv): boolean {
  return secretOf(env, 'WATCHLLM_TELEMETRY') !== 'off'
}

export class SinkError extends Error {
  override readonly name = 'SinkError'
  readonly failed: ('d1' | 'postgres')[]

  constructor(failed: ('d1' | 'postgres')[], causes: unknown[]) {
    super(`telemetry write failed: ${failed.join(', ')}: ${causes.map((c) => (c instanceof Error ? c.message : String(c))).join('; ')}`, { cause: causes })
    this.failed = failed
  }
}

/** Writes to every sink at once; throws a SinkError naming each one that failed. */
export async function writeEvents(sinks: Sinks, events: readonly UsageEvent[]): Promise<void> {
  const writes: [('d1' | 'postgres'), Promise<void>][] = [['d1', writeEventsToD1(sinks.d1, events)]]
  // The driver loads only where Postgres is configured: not part of the request path's startup.
  const postgres = sinks.postgres
  if (postgres) writes.push(['postgres', import('./postgres-writer.ts').then((m) => m.writeEventsToPostgres(postgres, events))])
  const results = await Promise.allSettled(writes.map(([, p]) => p))
  const failed = writes.flatMap(([name], i) => (results[i]!.status === 'rejected' ? [name] : []))
  if (failed.length > 0)
    throw new SinkError(failed, results.flatMap((r) => (r.status === 'rejected' ? [r.reason] : [])))
}
