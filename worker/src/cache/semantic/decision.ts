/**
 * The semantic-cache decision: may the answer cached for `cached` be served for `query`? A cosine
 * alone cannot tell "capital of France" from "capital of Spain" (USE-lite: ~0.97), so the decision
 *
 *  1. refuses a pair whose cosine is below the model's gate, a side longer than the analysed
 *     bound, or a conflict that train data showed to be a safe outright refusal (conflicts.ts);
 *  2. scores the rest with the fitted model for this embedder (pair-model.ts): a network over the
 *     embedding pair and lexical features, read again by boosted trees, for an embedder it was
 *     fitted on, else a lexical model whose calibration does not depend on the embedder.
 *
 * `score` is the model's probability that both prompts ask the same question (0 when refused); a
 * hit needs `score >= threshold`. Pure: no I/O; weights, word lists and regexes built once per isolate.
 *
 * @example
 * const d = decideSemanticHit({ query: 'What is the capital of Spain?', cached: 'What is the capital of France?', cosine: 0.97, embedder: 'workers-ai:@cf/baai/bge-base-en-v1.5' })
 * d.hit // false
 */
import { conflictsOf, type Conflict } from './conflicts.ts'
import { lexicalFeatures } from './features.ts'
import { LEXICAL_MODEL, NETWORK_MODEL } from './pair-model-params.ts'
import { lexicalScore, matchesFeatures, networkScore, type ModelParams } from './pair-model.ts'
import { analyse, MAX_ANALYSED_CHARS, type AnalysedText } from './text.ts'

export type SemanticRefusal = Conflict | 'cosine_below_minimum' | 'text_too_long' | 'params_mismatch'

/** The lowest cosine any model scores: the vector index need not return candidates below it. */
export const MIN_COSINE = Math.min(NETWORK_MODEL.gate, LEXICAL_MODEL.gate)

export interface PairToDecide {
  query: string
  cached: string
  /** Cosine of the two prompts' embeddings. */
  cosine: number
  /** Which model made the vectors (embedder id): picks the fitted model. */
  embedder: string
  /** The unit vectors, for an embedder with a fitted network; without them the lexical model scores. */
  queryVector?: Float32Array
  cachedVector?: Float32Array
}

export interface SemanticDecision {
  hit: boolean
  /** P(same question) in [0, 1] under the fitted model; 0 when the pair was refused. */
  score: number
  cosine: number
  /** The threshold `score` was compared with. */
  threshold: number
  /** Why the pair was refused before scoring, or null. */
  refusal: SemanticRefusal | null
  model: ModelParams['kind']
}

export interface DecisionOptions {
  /** Threshold on `score`; defaults to the model's shipped threshold (defaultThreshold). */
  threshold?: number
}

// Generated params that do not fit this code's features must never produce hits.
const MATCHES: ReadonlyMap<ModelParams, boolean> = new Map([NETWORK_MODEL, LEXICAL_MODEL].map((m) => [m, matchesFeatures(m)]))
const REFUSING: ReadonlyMap<ModelParams, ReadonlySet<Conflict>> = new Map([NETWORK_MODEL, LEXICAL_MODEL].map((m) => [m, new Set(m.refusing)]))

/** The model that scores pairs for this embedder: the network it was fitted on, else the lexical one. */
export function modelFor(embedder: string, dims?: number): ModelParams {
  return NETWORK_MODEL.embedders.includes(embedder) && (dims === undefined || dims === NETWORK_MODEL.dims) ? NETWORK_MODEL : LEXICAL_MODEL
}

/** The shipped (conservative) threshold for this embedder's model, before any online labels. */
export function defaultThreshold(embedder: string): number {
  return modelFor(embedder).threshold
}

export function decideSemanticHit(pair: PairToDecide, opts: DecisionOptions = {}): SemanticDecision {
  const vectors = pair.queryVector && pair.cachedVector && pair.queryVector.length === pair.cachedVector.length ? [pair.queryVector, pair.cachedVector] as const : undefined
  const model = vectors ? modelFor(pair.embedder, vectors[0].length) : LEXICAL_MODEL
  const threshold = opts.threshold ?? model.threshold
  const { cosine } = pair
  const refuse = (refusal: SemanticRefusal): SemanticDecision => ({ hit: false, score: 0, cosine, threshold, refusal, model: model.kind })
  if (!MATCHES.get(model)) return refuse('params_mismatch')
  if (!(cosine >= model.gate)) return refuse('cosine_below_minimum')
  if (pair.query.length > MAX_ANALYSED_CHARS || pair.cached.length > MAX_ANALYSED_CHARS) return refuse('text_too_long')
  const a = analyse(pair.query)
  const b = analyse(pair.cached)
  // Found once: the refusal, the same-words check and the lexical features all read them.
  const conflicts = conflictsOf(a, b)
  const refusing = REFUSING.get(model)
  for (const conflict of conflicts) if (refusing?.has(conflict)) return refuse(conflict)
  // The same words in the same order ask the same question, whatever a model fitted on rewordings
  // says — unless something the tokens leave out differs ("2 + 2" / "2 - 2": another operator).
  if (sameWords(a, b, conflicts)) return { hit: 1 >= threshold, score: 1, cosine, threshold, refusal: null, model: model.kind }
  const lexical = lexicalFeatures(a, b, conflicts)
  const score = model.kind === 'network' && vectors ? networkScore(model, vectors[0], vectors[1], cosine, lexical) : model.kind === 'lexical' ? lexicalScore(model, lexical) : 0
  return { hit: score >= threshold, score, cosine, threshold, refusal: null, model: model.kind }
}

/** The same tokens in the same order and no conflict at all: served at score 1 (the fit counts it so too). */
export function sameWords(a: AnalysedText, b: AnalysedText, conflicts: ReadonlySet<Conflict> = conflictsOf(a, b)): boolean {
  return a.tokens.length === b.tokens.length && a.tokens.every((t, i) => t === b.tokens[i]) && conflicts.size === 0
}

/**
 * The threshold after a per-request override: a request may ask for stricter matching,
 * never looser, so the result is the larger of the two (a non-finite request is ignored).
 */
export function tightenThreshold(base: number, requested: number | undefined): number {
  if (requested === undefined || !Number.isFinite(requested)) return base
  return Math.min(1, Math.max(base, requested))
}
