/**
 * Measures what one usage event costs D1's storage, on the real schema and the real writer: applies
 * worker/migrations/d1 to a fresh SQLite file (D1 is SQLite), writes N events through
 * `writeEventsToD1` in the consumer's batches of 100, and reports bytes per event (file growth,
 * tables and indexes together) and SQLite's time per batch on this machine — the capacity model's
 * `d1BytesPerEvent` input comes from here. `npm run capacity -- --measure` prints it.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { DatabaseSync } from 'node:sqlite'
import { writeEventsToD1 } from '../../worker/src/telemetry/d1-writer.ts'
import type { UsageEvent } from '../../worker/src/telemetry/event.ts'

export interface EventCost {
  events: number
  bytesPerEvent: number
  msPerBatchOf100: number
  eventJsonBytes: number
}

/** A typical priced chat miss with one attempt and no prompt logging (the default). */
export function typicalEvent(i: number, ts: number): UsageEvent {
  return {
    v: 1, request_id: crypto.randomUUID(), ts, project: `project-${i % 3}`, key_id: `key-${i % 20}`, session: null, user_id: null,
    endpoint: 'chat', model_requested: 'gpt-4o-mini', model_served: 'gpt-4o-mini', provider: 'openai', variant: null, stream: i % 2 === 0,
    cache: 'MISS', similarity: null, status: 200, error_code: null, completed: true, attempts: 1, latency_ms: 812.41, upstream_ms: 640.2,
    ttfb_ms: 702.5, input_tokens: 412, output_tokens: 188, cached_tokens: 0, reasoning_tokens: 0, cost_usd: 0.0001746, cost_saved_usd: null,
    price_status: 'priced', rule_id: null, pii: null, budget: 'ok', rate_limit: 'ok', policy_hash: 'a'.repeat(64),
    attempts_detail: [{ provider: 'openai', model: 'gpt-4o-mini', status: 200, ms: 640.2 }], prompt: null, answer: null,
  }
}

/** Just enough of D1's binding over node:sqlite for the writer: prepare → bind → batch (one transaction). */
function d1Over(db: DatabaseSync): D1Database {
  const prepare = (sql: string) => ({ sql, params: [] as unknown[], bind(...p: unknown[]) { return { ...this, params: p } } })
  return {
    prepare,
    batch: async (statements: { sql: string; params: unknown[] }[]) => {
      db.exec('BEGIN')
      for (const s of statements) db.prepare(s.sql).run(...(s.params as string[]))
      db.exec('COMMIT')
      return []
    },
  } as unknown as D1Database
}

export async function measureEventCost(events = 20_000): Promise<EventCost> {
  const dir = mkdtempSync(join(tmpdir(), 'watchllm-capacity-'))
  try {
    const db = new DatabaseSync(join(dir, 'd1.sqlite'))
    const migrations = join(import.meta.dirname, '../../worker/migrations/d1')
    for (const file of readdirSync(migrations).filter((f) => f.endsWith('.sql')).sort()) db.exec(readFileSync(join(migrations, file), 'utf8'))
    const size = () => {
      const pages = db.prepare('PRAGMA page_count').get() as { page_count: number }
      const page = db.prepare('PRAGMA page_size').get() as { page_size: number }
      return pages.page_count * page.page_size
    }
    const d1 = d1Over(db)
    const before = size()
    const start = Date.UTC(2026, 0, 1)
    let ms = 0
    for (let i = 0; i < events; i += 100) {
      const batch = Array.from({ length: 100 }, (_, j) => typicalEvent(i + j, start + (i + j) * 100))
      const t = performance.now()
      await writeEventsToD1(d1, batch)
      ms += performance.now() - t
    }
    const grown = size() - before
    db.close()
    return { events, bytesPerEvent: Math.round(grown / events), msPerBatchOf100: Math.round((ms / (events / 100)) * 100) / 100, eventJsonBytes: JSON.stringify(typicalEvent(0, start)).length }
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}
