/**
 * The word-difference model: which words only one prompt of a pair has, and how much that
 * matters. Words like best/why/how/not/years/between recur across questions, so a weight learned
 * per word (on train's pairs, scripts/semantic/word-model.ts) tells the second stage of the
 * decision (pair-model.ts) what a cosine and counts of unmatched words cannot: "girlfriend" for
 * "wife" changes the question, "good" added to "best" does not. The words both prompts share are
 * weighed too. Words outside the fitted vocabulary fall into a bucket by shape (has a digit,
 * short, …), so an unseen rare word still weighs as rare words did. Pure; the vocabulary index is
 * built once per params.
 *
 * @example
 * const [margin, worst, best] = wordDifferenceFeatures(params, pairWordKeys(analyse(query), analyse(cached)))
 */
import type { AnalysedText } from './text.ts'

/** What the second stage reads from this model, in this order. */
export const WORD_DIFFERENCE_FEATURES = ['wordDifferenceMargin', 'worstDifferingWord', 'bestDifferingWord'] as const

export interface WordDifferenceParams {
  /** The vocabulary, space-separated, in weight order (tokens never hold a space). */
  words: string
  weights: readonly number[]
  bias: number
}

/** Buckets for words outside the vocabulary; their names cannot be tokens (a token has no ':'). */
export const SHAPE_BUCKETS = ['other:digit', 'other:short', 'other:mid', 'other:long', 'other:verylong'] as const

const DIGIT = /\d/

/** The bucket of a word outside the vocabulary. */
export function shapeOf(word: string): (typeof SHAPE_BUCKETS)[number] {
  if (DIGIT.test(word)) return 'other:digit'
  if (word.length <= 3) return 'other:short'
  if (word.length <= 6) return 'other:mid'
  if (word.length <= 9) return 'other:long'
  return 'other:verylong'
}

/**
 * The pair's word keys: `d:<token>` for each token only one side has, `s:<token>` for each token
 * both have (which words a question is about: some topics are reworded far more than others).
 */
export function pairWordKeys(a: AnalysedText, b: AnalysedText): string[] {
  const sa = new Set(a.tokens)
  const sb = new Set(b.tokens)
  const keys: string[] = []
  for (const t of sa) keys.push(sb.has(t) ? `s:${t}` : `d:${t}`)
  for (const t of sb) if (!sa.has(t)) keys.push(`d:${t}`)
  return keys
}

const indexes = new WeakMap<WordDifferenceParams, ReadonlyMap<string, number>>()

function indexOf(params: WordDifferenceParams): ReadonlyMap<string, number> {
  let index = indexes.get(params)
  if (!index) {
    index = new Map(params.words.split(' ').map((w, i) => [w, i]))
    indexes.set(params, index)
  }
  return index
}

/** The weight index of a key: its own, else its shape bucket's (-1 when neither was fitted). */
export function weightIndex(index: ReadonlyMap<string, number>, key: string): number {
  return index.get(key) ?? index.get(`${key.slice(0, 2)}${shapeOf(key.slice(2))}`) ?? -1
}

/**
 * [the model's log-odds that the pair asks the same question given only its words, the most
 * negative differing word's weight (0 when none), the most positive one's (0 when none)].
 */
export function wordDifferenceFeatures(params: WordDifferenceParams, keys: readonly string[]): number[] {
  const index = indexOf(params)
  let margin = params.bias
  let worst = 0
  let best = 0
  for (const key of keys) {
    const at = weightIndex(index, key)
    if (at < 0) continue
    const w = params.weights[at] ?? 0
    margin += w
    if (key.startsWith('d:')) {
      worst = Math.min(worst, w)
      best = Math.max(best, w)
    }
  }
  return [margin, worst, best]
}
