/**
 * Lab: a learned word-difference model. The words only one side of a pair has (normalised
 * tokens from text.ts), as a sparse bag over a vocabulary of the training fold's frequent
 * difference words plus "other" buckets by shape, with logistic weights: how much what differs
 * matters. Fitted in-fold only.
 */
import { sigmoid } from '../../../worker/src/cache/semantic/pair-model.ts'
import type { AnalysedText } from '../../../worker/src/cache/semantic/text.ts'

export interface WordModel {
  vocabulary: Map<string, number>
  weights: Float64Array
  bias: number
}

export interface WordOptions {
  minCount: number
  lambda: number
  epochs: number
  /** Also a bag of the shared words (topic), not only the differing ones. */
  shared?: boolean
}

const SHAPES = ['other:digit', 'other:short', 'other:mid', 'other:long', 'other:verylong'] as const

function shapeOf(w: string): string {
  if (/\d/.test(w)) return 'other:digit'
  if (w.length <= 3) return 'other:short'
  if (w.length <= 6) return 'other:mid'
  if (w.length <= 9) return 'other:long'
  return 'other:verylong'
}

/** The keys of one pair: each word only one side has ("d:"), optionally each shared word ("s:"). */
export function pairKeys(a: AnalysedText, b: AnalysedText, shared = false): string[] {
  const sa = new Set(a.tokens)
  const sb = new Set(b.tokens)
  const keys: string[] = []
  for (const t of sa) if (!sb.has(t)) keys.push(`d:${t}`)
  for (const t of sb) if (!sa.has(t)) keys.push(`d:${t}`)
  if (shared) for (const t of sa) if (sb.has(t)) keys.push(`s:${t}`)
  return keys
}

function indexOf(vocabulary: Map<string, number>, key: string): number {
  const at = vocabulary.get(key)
  if (at !== undefined) return at
  return vocabulary.get(`${key.slice(0, 2)}${shapeOf(key.slice(2))}`) ?? -1
}

export function fitWordModel(keys: readonly string[][], labels: ArrayLike<number>, o: WordOptions): WordModel {
  const counts = new Map<string, number>()
  for (const ks of keys) for (const k of ks) counts.set(k, (counts.get(k) ?? 0) + 1)
  const vocabulary = new Map<string, number>()
  for (const prefix of ['d:', 's:']) for (const s of SHAPES) vocabulary.set(`${prefix}${s}`, vocabulary.size)
  for (const [k, c] of [...counts].sort((x, y) => (x[0] < y[0] ? -1 : 1))) if (c >= o.minCount) vocabulary.set(k, vocabulary.size)
  const rows = keys.map((ks) => Int32Array.from(ks.map((k) => indexOf(vocabulary, k)).filter((i) => i >= 0)))
  const n = rows.length
  const weights = new Float64Array(vocabulary.size)
  let bias = 0
  // Full-batch gradient descent with Adam: deterministic, and the problem is small.
  const m = new Float64Array(vocabulary.size + 1)
  const v = new Float64Array(vocabulary.size + 1)
  const g = new Float64Array(vocabulary.size + 1)
  const lr = 0.05
  for (let t = 1; t <= o.epochs; t++) {
    g.fill(0)
    for (let i = 0; i < n; i++) {
      let z = bias
      for (const j of rows[i]!) z += weights[j]!
      const r = sigmoid(z) - labels[i]!
      for (const j of rows[i]!) g[j] = g[j]! + r / n
      g[vocabulary.size] = g[vocabulary.size]! + r / n
    }
    for (let j = 0; j < vocabulary.size; j++) g[j] = g[j]! + (o.lambda / n) * weights[j]!
    for (let j = 0; j <= vocabulary.size; j++) {
      m[j] = 0.9 * m[j]! + 0.1 * g[j]!
      v[j] = 0.999 * v[j]! + 0.001 * g[j]! * g[j]!
      const step = (lr * (m[j]! / (1 - 0.9 ** t))) / (Math.sqrt(v[j]! / (1 - 0.999 ** t)) + 1e-8)
      if (j === vocabulary.size) bias -= step
      else weights[j] = weights[j]! - step
    }
  }
  return { vocabulary, weights, bias }
}

/** [margin, the most negative word weight (0 when none), the most positive] for one pair. */
export function wordFeatures(model: WordModel, keys: readonly string[]): number[] {
  let z = model.bias
  let low = 0
  let high = 0
  for (const k of keys) {
    const j = indexOf(model.vocabulary, k)
    if (j < 0) continue
    const w = model.weights[j]!
    z += w
    if (k.startsWith('d:')) {
      low = Math.min(low, w)
      high = Math.max(high, w)
    }
  }
  return [z, low, high]
}

/**
 * The average of several word models as one: a key one model lacks weighs, in that model, what its
 * shape bucket weighs (as scoring would), so the average's margin is the mean of their margins.
 */
export function averageWordModels(models: readonly WordModel[]): WordModel {
  const keys = new Set<string>()
  for (const m of models) for (const k of m.vocabulary.keys()) keys.add(k)
  const vocabulary = new Map([...keys].sort().map((k, i) => [k, i]))
  const weights = new Float64Array(vocabulary.size)
  for (const [k, i] of vocabulary) {
    let sum = 0
    for (const m of models) {
      const j = indexOf(m.vocabulary, k)
      sum += j < 0 ? 0 : m.weights[j]!
    }
    weights[i] = sum / models.length
  }
  return { vocabulary, weights, bias: models.reduce((s, m) => s + m.bias, 0) / models.length }
}
