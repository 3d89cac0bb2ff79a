import { describe, expect, it } from 'vitest'
import type { PreparedPair } from './prepare.ts'
import { nestedTreeScores, servedScore } from './recipe.ts'

const pair = (i: number, o: Partial<PreparedPair> = {}): PreparedPair => ({
  query: `q${i}`, cached: `c${i}`, label: (i % 2) as 0 | 1, source: 'qqp', split: 'train', foldKey: i,
  queryVector: new Float32Array(), cachedVector: new Float32Array(), cosine: 0.9, conflicts: new Set(), lexical: [i % 3], sameWords: false, ...o,
})

describe('servedScore', () => {
  it('serves the model’s score, 0 under the gate or on a refusing conflict, 1 for the same words', () => {
    const refusing = new Set(['negation_differs'] as const)
    expect(servedScore(pair(1), 0.42, refusing)).toBe(0.42)
    expect(servedScore(pair(1, { cosine: 0.7 }), 0.42, refusing)).toBe(0)
    expect(servedScore(pair(1, { conflicts: new Set(['negation_differs']) }), 0.42, refusing)).toBe(0)
    expect(servedScore(pair(1, { conflicts: new Set(['number_differs']) }), 0.42, refusing)).toBe(0.42)
    expect(servedScore(pair(1, { sameWords: true }), 0.42, refusing)).toBe(1)
    expect(servedScore(pair(1, { sameWords: true, cosine: 0.5 }), 0.42, refusing)).toBe(0)
  })
})

describe('nestedTreeScores', () => {
  const pairs = Array.from({ length: 300 }, (_, i) => pair(i))
  const folds = 3
  const net = Float64Array.from(pairs, (p, i) => (p.label ? 0.6 : 0.4) + ((i * 7) % 10) / 100)
  const inner = Array.from({ length: folds }, (_, k) => Float64Array.from(pairs, (p, i) => (p.foldKey % folds === k ? 0 : net[i]!)))
  const stack = { iterations: 5, learningRate: 0.3, maxLeaves: 3, minSamplesLeaf: 5, l2: 1 }

  it('scores fold k with trees that never learnt from fold k, nor from the outer networks’ scores', () => {
    const base = nestedTreeScores(pairs, { net, inner }, { stack })
    // Other folds' outer scores are what fold k's trees would leak from: changing them changes nothing in fold k.
    const otherNet = Float64Array.from(net, (x, i) => (pairs[i]!.foldKey % folds === 0 ? x : 1 - x))
    const again = nestedTreeScores(pairs, { net: otherNet, inner }, { stack })
    pairs.forEach((p, i) => {
      if (p.foldKey % folds === 0) expect(again[i]).toBe(base[i])
    })
    // Fold k's own inner scores are never read either.
    const otherInner = inner.map((s, k) => Float64Array.from(s, (x, i) => (pairs[i]!.foldKey % folds === k ? 0.99 : x)))
    expect(Array.from(nestedTreeScores(pairs, { net, inner: otherInner }, { stack }))).toEqual(Array.from(base))
    // And the scores follow the labels the inner scores carry.
    const mean = (label: number) => pairs.reduce((s, p, i) => s + (p.label === label ? base[i]! : 0), 0) / 150
    expect(mean(1)).toBeGreaterThan(mean(0))
  })

  it('reads fold k through rowFor(k) when a variant adds inputs', () => {
    const seen = new Set<string>()
    nestedTreeScores(pairs, { net, inner }, { stack, rowFor: (k) => (i, p, side) => (seen.add(`${k}:${side}`), [p, pairs[i]!.lexical[0]!]) })
    expect([...seen].sort()).toEqual(['0:test', '0:train', '1:test', '1:train', '2:test', '2:train'])
  })
})
