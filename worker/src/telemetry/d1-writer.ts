/**
 * Writes usage events to D1 in batches: one statement per chunk of events, the chunk bound as a
 * single JSON parameter and unpacked by SQLite's `json_each` (D1 allows 100 parameters per
 * statement, and one statement per row would be slow). The insert is idempotent on request_id and
 * the rollup trigger (migrations/d1) fires only for rows actually inserted, so a redelivered batch
 * changes nothing. `db.batch` runs all chunks in one transaction.
 */
import type { UsageEvent } from './event.ts'

/** Event field → column, in table order; JSON fields are stored as JSON text. */
export const eventColumns = [
  'request_id', 'v', 'ts', 'project', 'key_id', 'session', 'user_id', 'endpoint', 'model_requested',
  'model_served', 'provider', 'variant', 'stream', 'cache', 'similarity', 'status', 'error_code',
  'completed', 'attempts', 'latency_ms', 'upstream_ms', 'ttfb_ms', 'input_tokens', 'output_tokens',
  'cached_tokens', 'reasoning_tokens', 'cost_usd', 'cost_saved_usd', 'price_status', 'rule_id', 'pii',
  'budget', 'rate_limit', 'policy_hash', 'attempts_detail', 'prompt', 'answer',
  'experiment', 'pii_counts', 'rules',
  'cache_write_tokens', 'cache_write_1h_tokens', 'client_request_id',
  'anomaly_id', 'anomaly_ratio',
  'lookup_budget_stage',
] as const satisfies readonly (keyof UsageEvent)[]

const jsonColumns = new Set<string>(['pii', 'attempts_detail', 'pii_counts', 'rules'])

const extract = (column: string) =>
  jsonColumns.has(column) ? `json_extract(value, '$.${column}')` : `value ->> '$.${column}'`

/** `WHERE true` lets SQLite parse the upsert clause after a SELECT. */
const INSERT_EVENTS = `INSERT INTO usage_events (${eventColumns.join(', ')})
SELECT ${eventColumns.map(extract).join(', ')} FROM json_each(?1) WHERE true
ON CONFLICT (request_id) DO NOTHING`

const INSERT_DEAD_LETTERS = `INSERT INTO telemetry_dead_letters (id, ts, dead_at, attempts, reason, event)
SELECT value ->> '$.id', value ->> '$.ts', value ->> '$.dead_at', value ->> '$.attempts', value ->> '$.reason', value ->> '$.event'
FROM json_each(?1) WHERE true
ON CONFLICT (id) DO UPDATE SET dead_at = excluded.dead_at, attempts = excluded.attempts, reason = excluded.reason`

/** D1 binds strings up to ~2 MB; chunks stay well below. */
const MAX_CHUNK_CHARS = 512 * 1024

export async function writeEventsToD1(db: D1Database, events: readonly UsageEvent[]): Promise<void> {
  if (events.length === 0) return
  await db.batch(chunkJson(events).map((json) => db.prepare(INSERT_EVENTS).bind(json)))
}

export interface DeadLetter {
  /** The request id, or the queue message id when the body was unreadable. */
  id: string
  ts: number
  dead_at: number
  attempts: number
  reason: 'retries_exhausted' | 'invalid_event'
  /** The message body as JSON text, for replay. */
  event: string
}

/** Dead letters are recorded together with whatever events are still valid, in one transaction. */
export async function writeDeadLettersToD1(db: D1Database, letters: readonly DeadLetter[], events: readonly UsageEvent[] = []): Promise<void> {
  const statements = [
    ...chunkJson(letters).map((json) => db.prepare(INSERT_DEAD_LETTERS).bind(json)),
    ...chunkJson(events).map((json) => db.prepare(INSERT_EVENTS).bind(json)),
  ]
  if (statements.length > 0) await db.batch(statements)
}

/** JSON arrays of the items, each under MAX_CHUNK_CHARS (a single huge item still goes alone). */
function chunkJson(items: readonly unknown[]): string[] {
  const chunks: string[] = []
  let parts: string[] = []
  let size = 2
  for (const item of items) {
    const json = JSON.stringify(item)
    if (parts.length > 0 && size + json.length + 1 > MAX_CHUNK_CHARS) {
      chunks.push(`[${parts.join(',')}]`)
      parts = []
      size = 2
    }
    parts.push(json)
    size += json.length + 1
  }
  if (parts.length > 0) chunks.push(`[${parts.join(',')}]`)
  return chunks
}
