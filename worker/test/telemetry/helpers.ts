/**
 * Shared by the telemetry and admin API tests: a valid usage event with overrides, a unique project
 * name per test (the D1 database is shared with every other test file's background telemetry), and
 * reads of what landed in D1 and Postgres.
 */
import { env } from 'cloudflare:workers'
import postgres from 'postgres'
import type { GatewayEnv } from '../../src/env.ts'
import { EVENT_VERSION, type UsageEvent } from '../../src/telemetry/event.ts'
import { openSocket } from '../../src/telemetry/pg-socket.ts'

export const genv = env as unknown as GatewayEnv

/** A project name no other test uses: every query a test makes filters on it. */
export const uniqueProject = (): string => `p-${crypto.randomUUID().slice(0, 8)}`

export function sampleEvent(overrides: Partial<UsageEvent> = {}): UsageEvent {
  return {
    v: EVENT_VERSION,
    request_id: crypto.randomUUID(),
    ts: Date.now(),
    project: 'test',
    key_id: 'k1',
    session: null,
    user_id: null,
    endpoint: 'chat',
    model_requested: 'gpt-4o-mini',
    model_served: 'gpt-4o-mini',
    provider: 'openai',
    variant: null,
    stream: false,
    cache: 'MISS',
    similarity: null,
    status: 200,
    error_code: null,
    completed: true,
    attempts: 1,
    latency_ms: 12.5,
    upstream_ms: 10,
    ttfb_ms: 12.5,
    input_tokens: 100,
    output_tokens: 20,
    cached_tokens: 0,
    reasoning_tokens: 0,
    cost_usd: 0.000027,
    cost_saved_usd: null,
    price_status: 'priced',
    rule_id: null,
    pii: null,
    budget: null,
    rate_limit: null,
    policy_hash: 'a'.repeat(64),
    attempts_detail: [{ provider: 'openai', model: 'gpt-4o-mini', status: 200, ms: 10 }],
    prompt: null,
    answer: null,
    ...overrides,
  }
}

export async function d1Events(project: string): Promise<Record<string, unknown>[]> {
  const { results } = await genv.DB.prepare('SELECT * FROM usage_events WHERE project = ? ORDER BY ts, request_id').bind(project).all()
  return results
}

export async function d1Rollups(project: string): Promise<Record<string, unknown>[]> {
  const { results } = await genv.DB.prepare('SELECT * FROM usage_rollup_minute WHERE project = ? ORDER BY minute, model, cache').bind(project).all()
  return results
}

export async function d1DeadLetters(ids: string[]): Promise<Record<string, unknown>[]> {
  const { results } = await genv.DB.prepare(`SELECT * FROM telemetry_dead_letters WHERE id IN (${ids.map(() => '?').join(',')}) ORDER BY id`)
    .bind(...ids)
    .all()
  return results
}

/** Rows in the run's own Postgres database, through the same Hyperdrive binding the consumer uses. */
export async function postgresEvents(project: string): Promise<Record<string, unknown>[]> {
  const options = { max: 1, fetch_types: false, prepare: false, idle_timeout: 1, ssl: false, socket: openSocket }
  const sql = postgres(genv.HYPERDRIVE.connectionString, options)
  try {
    return await sql.unsafe('SELECT request_id, project, cost_usd::float8 AS cost_usd, stream, pii, ts FROM watchllm.usage_events WHERE project = $1 ORDER BY ts, request_id', [project])
  } finally {
    await sql.end({ timeout: 1 })
  }
}

/** A D1Database whose every call fails, as when D1 is unavailable. */
export function failingD1(): D1Database {
  const fail = () => Promise.reject(new Error('D1_ERROR: simulated outage'))
  const statement = { bind: () => statement, run: fail, all: fail, first: fail, raw: fail }
  return { prepare: () => statement, batch: fail, exec: fail, dump: fail, withSession: () => ({}) } as unknown as D1Database
}

/** A Queue whose sends fail, as when the Queue is unavailable. */
export function failingQueue(): Queue {
  const fail = () => Promise.reject(new Error('Queue send failed: simulated outage'))
  return { send: fail, sendBatch: fail, metrics: fail } as unknown as Queue
}

/** Postgres that is down: nothing listens on port 1. */
export const downPostgres = { connectionString: 'postgres://postgres@127.0.0.1:1/none' } as unknown as Hyperdrive
