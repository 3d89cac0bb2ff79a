/**
 * `semantic_entries` in D1 (migrations/d1/0002_semantic_cache.sql): the durable copy of every
 * semantic-cache entry — exact vector, int8 sketch, question and answer — whichever index finds
 * it. Reads never return a row at or past its `expires_at`.
 */
import { blobBytes, sketchFromText, sketchOf, sketchText, type Sketch, vectorBytes, vectorFromBytes } from './quantize.ts'
import type { SemanticEntry } from './vector-index.ts'

/** A stored entry as a lookup needs it. */
export interface CachedEntry {
  id: string
  vector: Float32Array
  question: string
  answer: string
}

/** A row as a mirror sync needs it. */
export interface SketchRow {
  seq: number
  id: string
  sketch: Sketch
  expiresAt: number
}

/** Expired rows deleted per write, so the table shrinks without a cron. */
const SWEEP_BATCH = 50

export class SemanticEntries {
  private readonly db: D1Database

  constructor(db: D1Database) {
    this.db = db
  }

  /**
   * Inserts or replaces the entry. Also deletes a few expired rows and returns their ids, so an
   * index holding its own copies (Vectorize) can drop them too.
   */
  async put(entry: SemanticEntry, now: number): Promise<{ swept: string[] }> {
    const [, swept] = await this.db.batch<{ id: string }>([
      this.db
        .prepare(
          `INSERT OR REPLACE INTO semantic_entries (id, context, embedder, vector, sketch, question, answer, created_at, expires_at)
           VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)`,
        )
        .bind(
          entry.id,
          entry.context,
          entry.embedder,
          vectorBytes(entry.vector),
          sketchText(sketchOf(entry.vector)),
          entry.question,
          entry.answer,
          entry.createdAt,
          entry.expiresAt,
        ),
      this.db
        .prepare('DELETE FROM semantic_entries WHERE seq IN (SELECT seq FROM semantic_entries WHERE expires_at <= ?1 LIMIT ?2) RETURNING id')
        .bind(now, SWEEP_BATCH),
    ])
    return { swept: (swept?.results ?? []).map((r) => r.id) }
  }

  /**
   * The unexpired entries among `ids` that belong to `context` (order not kept). The context is
   * checked here again: an index that returned another context's id (a filter bug, a metadata
   * index missing in Vectorize) must never make another tenant's answer a candidate.
   */
  async read(ids: readonly string[], context: string, now: number): Promise<CachedEntry[]> {
    if (ids.length === 0) return []
    const marks = ids.map((_, i) => `?${i + 3}`).join(',')
    const { results } = await this.db
      .prepare(`SELECT id, vector, question, answer FROM semantic_entries WHERE expires_at > ?1 AND context = ?2 AND id IN (${marks})`)
      .bind(now, context, ...ids)
      .all<{ id: string; vector: unknown; question: string; answer: string }>()
    const out: CachedEntry[] = []
    for (const row of results) {
      const bytes = blobBytes(row.vector)
      if (bytes) out.push({ id: row.id, vector: vectorFromBytes(bytes), question: row.question, answer: row.answer })
    }
    return out
  }

  /** Up to `limit` unexpired rows of `context` after `afterSeq`, in `seq` order. */
  async sketchesAfter(context: string, afterSeq: number, now: number, limit: number, dims: number): Promise<{ rows: SketchRow[]; lastSeq: number; read: number }> {
    const { results } = await this.db
      .prepare(
        'SELECT seq, id, sketch, expires_at FROM semantic_entries WHERE context = ?1 AND seq > ?2 AND expires_at > ?3 ORDER BY seq LIMIT ?4',
      )
      .bind(context, afterSeq, now, limit)
      .all<{ seq: number; id: string; sketch: string; expires_at: number }>()
    const rows: SketchRow[] = []
    let lastSeq = afterSeq
    for (const row of results) {
      lastSeq = Math.max(lastSeq, row.seq)
      const sketch = typeof row.sketch === 'string' ? sketchFromText(row.sketch, dims) : undefined
      if (sketch) rows.push({ seq: row.seq, id: row.id, sketch, expiresAt: row.expires_at })
    }
    return { rows, lastSeq, read: results.length }
  }
}
