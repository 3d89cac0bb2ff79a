/**
 * Writes usage events to Postgres (Supabase through Hyperdrive; a local Postgres under `npm start`
 * and the tests) with the `postgres` driver. Like the D1 writer, a batch is one statement with one
 * JSON parameter (`jsonb_to_recordset`), idempotent on request_id, so a retried batch is harmless.
 * A client per batch, closed after it: Hyperdrive pools the real connections.
 */
import postgres from 'postgres'
import type { UsageEvent } from './event.ts'
import { openSocket } from './pg-socket.ts'

/** Column → Postgres type, as in migrations/postgres; ts arrives as ms since epoch. */
const columns: readonly [keyof UsageEvent, string][] = [
  ['request_id', 'text'], ['v', 'smallint'], ['ts', 'bigint'], ['project', 'text'], ['key_id', 'text'],
  ['session', 'text'], ['user_id', 'text'], ['endpoint', 'text'], ['model_requested', 'text'],
  ['model_served', 'text'], ['provider', 'text'], ['variant', 'text'], ['stream', 'boolean'], ['cache', 'text'],
  ['similarity', 'double precision'], ['status', 'smallint'], ['error_code', 'text'], ['completed', 'boolean'],
  ['attempts', 'smallint'], ['latency_ms', 'double precision'], ['upstream_ms', 'double precision'],
  ['ttfb_ms', 'double precision'], ['input_tokens', 'integer'], ['output_tokens', 'integer'],
  ['cached_tokens', 'integer'], ['reasoning_tokens', 'integer'], ['cost_usd', 'numeric'],
  ['cost_saved_usd', 'numeric'], ['price_status', 'text'], ['rule_id', 'text'], ['pii', 'jsonb'],
  ['budget', 'text'], ['rate_limit', 'text'], ['policy_hash', 'text'], ['attempts_detail', 'jsonb'],
  ['prompt', 'text'], ['answer', 'text'],
  ['experiment', 'text'], ['pii_counts', 'jsonb'], ['rules', 'jsonb'],
  ['cache_write_tokens', 'integer'], ['cache_write_1h_tokens', 'integer'], ['client_request_id', 'text'],
  ['anomaly_id', 'text'], ['anomaly_ratio', 'double precision'],
  ['lookup_budget_stage', 'text'],
]

const names = columns.map(([name]) => name)
const selected = names.map((n) => (n === 'ts' ? `to_timestamp(x.ts / 1000.0)` : `x.${n}`))
const INSERT = `INSERT INTO watchllm.usage_events (${names.join(', ')})
SELECT ${selected.join(', ')}
FROM jsonb_to_recordset($1::text::jsonb) AS x(${columns.map(([n, t]) => `${n} ${t}`).join(', ')})
ON CONFLICT (request_id) DO NOTHING`

/** Control characters and lone surrogates JSON allows but Postgres text and jsonb refuse. */
const unstorable = /\u0000|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g

/**
 * Postgres refuses NUL and unpaired surrogates in text (`unsupported Unicode escape sequence`): one
 * such client-supplied string (a model name, say) would fail its whole batch again and again. They
 * become U+FFFD, as a decoder would render them.
 */
const postgresSafe = (_key: string, value: unknown): unknown => (typeof value === 'string' ? value.replace(unstorable, '\ufffd') : value)

export interface PostgresTarget {
  connectionString: string
}

export async function writeEventsToPostgres(target: PostgresTarget, events: readonly UsageEvent[]): Promise<void> {
  if (events.length === 0) return
  const sql = openPostgres(target)
  try {
    await sql.unsafe(INSERT, [JSON.stringify(events, postgresSafe)])
  } finally {
    await sql.end({ timeout: 1 }).catch(() => undefined)
  }
}

/** A one-connection client for one job (a batch, a retention run); the caller ends it. */
export function openPostgres(target: PostgresTarget): postgres.Sql {
  const options = {
    max: 1,
    // Hyperdrive caches and pools; the driver need not look up types or keep connections.
    fetch_types: false,
    prepare: false,
    connect_timeout: 5,
    idle_timeout: 1,
    onnotice: () => undefined,
    ssl: false,
    // Not in the driver's type declarations, but supported: see pg-socket.ts for why.
    socket: openSocket,
  }
  return postgres(target.connectionString, options)
}
