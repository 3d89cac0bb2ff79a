/**
 * The vector index behind the semantic cache, one interface for Vectorize (production, metadata
 * filter on `context`) and the D1 store (small deployments, local runs). An index only finds
 * candidates inside one context; their question and answer are then read from `semantic_entries`
 * (entries.ts), where expired rows are never returned.
 */

/** One cached (context, question) → answer, as written after a complete 2xx answer. */
export interface SemanticEntry {
  /** sha256(context \0 question): re-asking the same question replaces the entry. */
  id: string
  context: string
  /** Embedder identity, e.g. `workers-ai:@cf/baai/bge-base-en-v1.5` (also hashed into `context`). */
  embedder: string
  /** Unit-length embedding of `question`. */
  vector: Float32Array
  question: string
  /** The stored-answer encoding (cache/stored-answer.ts). */
  answer: string
  createdAt: number
  expiresAt: number
}

export interface IndexMatch {
  id: string
  /** Cosine similarity as the index computes it (approximate for the D1 index). */
  score: number
}

export interface VectorIndex {
  readonly kind: 'd1' | 'vectorize'
  /** The `topK` entries of `context` nearest to `vector`, best first, each scoring ≥ `minScore`. */
  query(vector: Float32Array, context: string, topK: number, minScore: number): Promise<IndexMatch[]>
  /** Stores the entry (its row in D1 and, for Vectorize, its vector). */
  upsert(entry: SemanticEntry): Promise<void>
}
