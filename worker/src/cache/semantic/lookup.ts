/**
 * One semantic lookup: candidates from the vector index (same context only), their rows from D1
 * (re-checked against the context: isolation never rests on the index's filter alone), an exact
 * cosine against each stored vector, then the decision (decision.ts) on the texts and vectors.
 * The best-scoring hit wins; the best candidate either way is returned too, so a near miss can be
 * labelled later. Expired entries never come back from `entries.read`.
 */
import { decideSemanticHit, MIN_COSINE, type SemanticDecision } from './decision.ts'
import type { SemanticEntries } from './entries.ts'
import { dot } from './quantize.ts'
import type { VectorIndex } from './vector-index.ts'

/** Candidates re-scored per lookup: the decision is cheap, the D1 read is one query either way. */
export const CANDIDATES = 4
/** Index scores may be approximate (int8): admit a little below MIN_COSINE, then score exactly. */
const INDEX_MARGIN = 0.02

export interface SemanticHit {
  id: string
  /** The cached prompt (last user message). */
  question: string
  /** The stored-answer encoding. */
  answer: string
  decision: SemanticDecision
}

export interface LookupResult {
  /** The best candidate the decision accepted. */
  hit?: SemanticHit
  /** The best-scoring candidate not refused outright, hit or not. */
  best?: SemanticHit
}

export interface LookupInput {
  vector: Float32Array
  context: string
  question: string
  /** The embedder's id: picks the decision's fitted model. */
  embedder: string
  threshold: number
  now: number
}

export async function findSemanticHit(index: VectorIndex, entries: SemanticEntries, input: LookupInput): Promise<LookupResult> {
  const matches = await index.query(input.vector, input.context, CANDIDATES, MIN_COSINE - INDEX_MARGIN)
  if (matches.length === 0) return {}
  const rows = await entries.read(
    matches.map((m) => m.id),
    input.context,
    input.now,
  )
  const result: LookupResult = {}
  for (const row of rows) {
    const decision = decideSemanticHit(
      { query: input.question, cached: row.question, cosine: dot(input.vector, row.vector), embedder: input.embedder, queryVector: input.vector, cachedVector: row.vector },
      { threshold: input.threshold },
    )
    if (decision.refusal !== null) continue
    const candidate = { id: row.id, question: row.question, answer: row.answer, decision }
    if (!result.best || decision.score > result.best.decision.score) result.best = candidate
    if (decision.hit && (!result.hit || decision.score > result.hit.decision.score)) result.hit = candidate
  }
  return result
}
