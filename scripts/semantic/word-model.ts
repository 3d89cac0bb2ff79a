/**
 * Fits the word-difference model (worker/src/cache/semantic/word-differences.ts): L2 logistic
 * weights over a pair's word keys (each word only one side has, each word both share), on a
 * vocabulary of the keys seen at least `minCount` times in the rows it is fitted on, plus one
 * bucket per word shape for the rest. Full-batch Adam: deterministic, and the problem is small
 * (~8,000 weights, ~16,000 sparse rows). Weights are rounded as they will ship, so scores computed
 * with the returned params are the Worker's.
 */
import { sigmoid } from '../../worker/src/cache/semantic/pair-model.ts'
import { SHAPE_BUCKETS, weightIndex, type WordDifferenceParams } from '../../worker/src/cache/semantic/word-differences.ts'

export interface WordModelOptions {
  minCount: number
  /** L2 penalty on the weights (not the bias), in units of one pair's log-loss. */
  lambda: number
  iterations: number
}

export const WORD_MODEL_OPTIONS: WordModelOptions = { minCount: 3, lambda: 1, iterations: 300 }

export function fitWordModel(keys: readonly (readonly string[])[], labels: ArrayLike<number>, o: WordModelOptions = WORD_MODEL_OPTIONS): WordDifferenceParams {
  const counts = new Map<string, number>()
  for (const ks of keys) for (const k of ks) counts.set(k, (counts.get(k) ?? 0) + 1)
  const words: string[] = ['d:', 's:'].flatMap((prefix) => SHAPE_BUCKETS.map((s) => `${prefix}${s}`))
  for (const [k, c] of [...counts].sort((x, y) => (x[0] < y[0] ? -1 : 1))) if (c >= o.minCount) words.push(k)
  const index = new Map(words.map((w, i) => [w, i]))
  const rows = keys.map((ks) => Int32Array.from(ks.map((k) => weightIndex(index, k)).filter((i) => i >= 0)))
  const n = rows.length
  const d = words.length
  // Index d is the bias.
  const w = new Float64Array(d + 1)
  const m = new Float64Array(d + 1)
  const v = new Float64Array(d + 1)
  const g = new Float64Array(d + 1)
  const lr = 0.05
  for (let t = 1; t <= o.iterations; t++) {
    g.fill(0)
    for (let i = 0; i < n; i++) {
      let z = w[d]!
      for (const j of rows[i]!) z += w[j]!
      const r = (sigmoid(z) - labels[i]!) / n
      for (const j of rows[i]!) g[j] = g[j]! + r
      g[d] = g[d]! + r
    }
    for (let j = 0; j < d; j++) g[j] = g[j]! + (o.lambda / n) * w[j]!
    for (let j = 0; j <= d; j++) {
      m[j] = 0.9 * m[j]! + 0.1 * g[j]!
      v[j] = 0.999 * v[j]! + 0.001 * g[j]! * g[j]!
      w[j] = w[j]! - (lr * (m[j]! / (1 - 0.9 ** t))) / (Math.sqrt(v[j]! / (1 - 0.999 ** t)) + 1e-8)
    }
  }
  const round = (x: number) => Number(x.toPrecision(4))
  return { words: words.join(' '), weights: Array.from(w.subarray(0, d), round), bias: round(w[d]!) }
}
