/**
 * The semantic-cache decision: may the answer cached for `cached` be served for `query`,
 * given the cosine similarity of their embeddings? A cosine alone cannot tell "capital of
 * France" from "capital of Spain" (USE-lite: ~0.97), so the decision
 *
 *  1. refuses any pair with a conflict (another number, entity, negation, opposite word,
 *     swapped roles, … — see conflicts.ts) or a cosine below MIN_COSINE, then
 *  2. scores the rest with a logistic model over cosine and lexical features, fitted on
 *     the dev half of the evaluation data (scripts/semantic/fit.ts → decision-params.ts).
 *
 * `score` is the model's probability that both prompts ask the same question (0 when
 * refused); a hit needs `score >= threshold`. Pure: no I/O, no Node APIs, word lists and
 * regexes built once per isolate.
 *
 * @example
 * const d = decideSemanticHit('What is the capital of Spain?', 'What is the capital of France?', 0.97)
 * d.hit // false — d.conflict === 'entity_differs'
 */
import { conflictOf, type Conflict } from './conflicts.ts'
import { DECISION_PARAMS } from './decision-params.ts'
import { featuresOf } from './features.ts'
import { matchesFeatures, probability } from './model.ts'
import { analyse } from './text.ts'

/**
 * The shipped threshold on `score`: the lowest that kept false hits ≤ 1 % on the fit split's
 * Quora negatives (out-of-fold). A per-request header may only raise it (tightenThreshold).
 */
export const DEFAULT_SEMANTIC_THRESHOLD: number = DECISION_PARAMS.threshold

/** Below this cosine no lexical evidence makes a hit: the model was not fitted to rescue such pairs. */
export const MIN_COSINE = 0.8

export type SemanticRefusal = Conflict | 'cosine_below_minimum' | 'params_mismatch'

export interface SemanticDecision {
  hit: boolean
  /** P(same question) in [0, 1] under the fitted model; 0 when the pair was refused. */
  score: number
  cosine: number
  /** The threshold `score` was compared with. */
  threshold: number
  /** Why the pair was refused before scoring, or null. */
  refusal: SemanticRefusal | null
}

export interface DecisionOptions {
  /** Threshold on `score`; defaults to DEFAULT_SEMANTIC_THRESHOLD. */
  threshold?: number
}

// Generated params that do not fit this code's features must never produce hits.
const PARAMS_MATCH = matchesFeatures(DECISION_PARAMS)

export function decideSemanticHit(query: string, cached: string, cosine: number, opts: DecisionOptions = {}): SemanticDecision {
  const threshold = opts.threshold ?? DEFAULT_SEMANTIC_THRESHOLD
  const refuse = (refusal: SemanticRefusal): SemanticDecision => ({ hit: false, score: 0, cosine, threshold, refusal })
  if (!PARAMS_MATCH) return refuse('params_mismatch')
  if (!(cosine >= MIN_COSINE)) return refuse('cosine_below_minimum')
  const a = analyse(query)
  const b = analyse(cached)
  const conflict = conflictOf(a, b)
  if (conflict !== null) return refuse(conflict)
  const score = probability(featuresOf(a, b, cosine), DECISION_PARAMS)
  return { hit: score >= threshold, score, cosine, threshold, refusal: null }
}

/**
 * The threshold after a per-request override: a request may ask for stricter matching,
 * never looser, so the result is the larger of the two (a non-finite request is ignored).
 */
export function tightenThreshold(base: number, requested: number | undefined): number {
  if (requested === undefined || !Number.isFinite(requested)) return base
  return Math.min(1, Math.max(base, requested))
}
