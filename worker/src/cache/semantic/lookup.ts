/**
 * One semantic lookup: candidates from the vector index (same context only), their rows from D1,
 * an exact cosine against each stored vector, then the decision (decision.ts) on the texts. The
 * best-scoring hit wins; no hit, no answer. Expired entries never come back from `entries.read`.
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
  /** The stored-answer encoding. */
  answer: string
  decision: SemanticDecision
}

export interface LookupInput {
  vector: Float32Array
  context: string
  question: string
  threshold: number
  now: number
}

export async function findSemanticHit(index: VectorIndex, entries: SemanticEntries, input: LookupInput): Promise<SemanticHit | undefined> {
  const matches = await index.query(input.vector, input.context, CANDIDATES, MIN_COSINE - INDEX_MARGIN)
  if (matches.length === 0) return undefined
  const rows = await entries.read(
    matches.map((m) => m.id),
    input.now,
  )
  let best: SemanticHit | undefined
  for (const row of rows) {
    const decision = decideSemanticHit(input.question, row.question, dot(input.vector, row.vector), { threshold: input.threshold })
    if (decision.hit && (!best || decision.score > best.decision.score)) best = { id: row.id, answer: row.answer, decision }
  }
  return best
}
