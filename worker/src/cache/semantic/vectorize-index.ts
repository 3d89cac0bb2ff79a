/**
 * The Vectorize vector index (production): vectors live in the `VECTORS` index with metadata
 * `{ context, expires_at }` and are queried with a metadata filter on `context`, so the index
 * needs a metadata index on that property (`wrangler vectorize create-metadata-index
 * watchllm-semantic --property-name context --type string`). The row in D1 is written first:
 * a vector is never findable without its answer, and expired entries are never served (D1 decides).
 * Vectors of expired rows are deleted as each write sweeps them from D1. Vectorize is eventually
 * consistent: a new entry becomes findable a few seconds after it is written.
 *
 * @example
 * const index = vectorizeIndex(env.VECTORS, entries, Date.now)
 */
import type { SemanticEntries } from './entries.ts'
import type { IndexMatch, SemanticEntry, VectorIndex } from './vector-index.ts'

export function vectorizeIndex(vectors: VectorizeIndex, entries: SemanticEntries, now: () => number): VectorIndex {
  return {
    kind: 'vectorize',
    async query(vector: Float32Array, context: string, topK: number, minScore: number): Promise<IndexMatch[]> {
      const result = await vectors.query(vector, { topK, filter: { context }, returnValues: false, returnMetadata: 'none' })
      return result.matches.filter((m) => m.score >= minScore).map((m) => ({ id: m.id, score: m.score }))
    },
    async upsert(entry: SemanticEntry): Promise<void> {
      const { swept } = await entries.put(entry, now())
      await vectors.upsert([{ id: entry.id, values: entry.vector, metadata: { context: entry.context, expires_at: entry.expiresAt } }])
      // Expired rows just deleted from D1 leave Vectorize too, so they stop taking topK places.
      if (swept.length > 0) await vectors.deleteByIds(swept)
    },
  }
}
