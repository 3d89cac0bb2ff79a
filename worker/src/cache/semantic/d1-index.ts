/**
 * The D1 vector index: `semantic_entries` is the durable store; each isolate keeps a bounded
 * mirror per context (context-mirror.ts) and brings it up to date incrementally
 * (`WHERE context = ? AND seq > ?`), at most once per `syncIntervalMs`. A lookup is a scan of the
 * mirror, not of D1, so 10k entries in one context cost well under a millisecond once loaded.
 * Entries written by this isolate enter its mirror at once; other isolates' within the interval.
 *
 * @example
 * const index = d1VectorIndex(env.DB, { mirrors, now: Date.now })
 * const matches = await index.query(vector, context, 4, 0.78)
 */
import type { MirrorRegistry } from './context-mirror.ts'
import type { SemanticEntries } from './entries.ts'
import { sketchOf } from './quantize.ts'
import type { IndexMatch, SemanticEntry, VectorIndex } from './vector-index.ts'

export interface D1IndexOptions {
  entries: SemanticEntries
  mirrors: MirrorRegistry
  now: () => number
  /** How stale a mirror may be before a lookup asks D1 for newer rows. */
  syncIntervalMs?: number
  /** Rows per sync query: a cold mirror of 10k rows loads in a few pages. */
  pageSize?: number
}

export const DEFAULT_SYNC_INTERVAL_MS = 1_000

export function d1VectorIndex(options: D1IndexOptions): VectorIndex {
  const { entries, mirrors, now } = options
  const interval = options.syncIntervalMs ?? DEFAULT_SYNC_INTERVAL_MS
  const pageSize = options.pageSize ?? 2_500

  async function sync(context: string, dims: number): Promise<void> {
    const mirror = mirrors.get(context, dims)
    if (now() - mirror.syncedAt < interval) return
    // Concurrent lookups of one context share one sync.
    mirror.syncing ??= (async () => {
      try {
        const startedAt = now()
        for (;;) {
          const page = await entries.sketchesAfter(context, mirror.lastSeq, startedAt, pageSize, dims)
          for (const row of page.rows) mirror.add(row.id, row.sketch, row.expiresAt)
          mirror.lastSeq = page.lastSeq
          if (page.read < pageSize) break
        }
        mirror.syncedAt = startedAt
      } finally {
        mirror.syncing = undefined
      }
    })()
    await mirror.syncing
  }

  return {
    kind: 'd1',
    async query(vector: Float32Array, context: string, topK: number, minScore: number): Promise<IndexMatch[]> {
      await sync(context, vector.length)
      return mirrors.get(context, vector.length).search(vector, now(), topK, minScore)
    },
    async upsert(entry: SemanticEntry): Promise<void> {
      await entries.put(entry, now())
      // Not `lastSeq`: rows other isolates wrote before this one are still to be synced.
      mirrors.peek(entry.context)?.add(entry.id, sketchOf(entry.vector), entry.expiresAt)
    },
  }
}
