import { mkdtemp, readdir, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { LEXICAL_FEATURES } from '../../worker/src/cache/semantic/features.ts'
import { nestedNetworkScores, trainAndScore, type NetworkSettings } from './network-scores.ts'
import type { PreparedPair } from './prepare.ts'

const DIMS = 4
const settings: NetworkSettings = { hidden: 3, epochs: 2, seed: 5, dims: DIMS, folds: 3, lexical: ['x'] }
// 30 pairs in 3 folds; same-question pairs have close vectors.
const pairs: PreparedPair[] = Array.from({ length: 30 }, (_, i) => {
  const label = (i % 2) as 0 | 1
  const u = Float32Array.from({ length: DIMS }, (_, d) => Math.sin(i + d))
  const v = Float32Array.from(u, (x, d) => (label ? x : x + Math.cos(i * d)))
  return {
    cached: `c${i}`, query: `q${i}`, label, source: 'qqp', split: 'train', foldKey: i,
    queryVector: u, cachedVector: v, cosine: label ? 1 : 0.5, conflicts: new Set(), lexical: [label], sameWords: false,
  }
})
const dir = await mkdtemp(join(tmpdir(), 'network-scores-'))
afterAll(() => rm(dir, { recursive: true, force: true }))

describe('nestedNetworkScores', () => {
  it('scores every pair out of fold, and every pair outside fold k for fold k’s inner scores', async () => {
    const { net, inner } = await nestedNetworkScores(pairs, settings, () => undefined, dir)
    expect(inner).toHaveLength(3)
    pairs.forEach((p, i) => {
      expect(net[i]).toBeGreaterThan(0)
      inner.forEach((scores, k) => (p.foldKey % 3 === k ? expect(scores[i]).toBe(0) : expect(scores[i]).toBeGreaterThan(0)))
    })
  })

  it('gives each inner score from the network trained on neither fold k nor the pair’s own, one network serving both', async () => {
    const { net, inner } = await nestedNetworkScores(pairs, settings, () => undefined, dir)
    const fold = (p: PreparedPair) => p.foldKey % 3
    for (let k = 0; k < 3; k++) {
      const held = pairs.filter((p) => fold(p) === k)
      expect(trainAndScore(pairs.filter((p) => fold(p) !== k), held, settings)).toEqual(pairs.flatMap((p, i) => (fold(p) === k ? [net[i]] : [])))
      for (let j = 0; j < 3; j++) {
        if (j === k) continue
        const rows = pairs.filter((p) => fold(p) === j)
        const expected = trainAndScore(pairs.filter((p) => fold(p) !== j && fold(p) !== k), rows, settings)
        expect(pairs.flatMap((p, i) => (fold(p) === j ? [inner[k]![i]] : []))).toEqual(expected)
      }
    }
  })

  it('reads them back from the cache the second time, and recomputes when a setting changes', async () => {
    const lines: string[] = []
    const first = await nestedNetworkScores(pairs, settings, () => undefined, dir)
    const again = await nestedNetworkScores(pairs, settings, (line) => lines.push(line), dir)
    expect(lines.join('\n')).toContain('out-of-fold scores from')
    expect(Array.from(again.net)).toEqual(Array.from(first.net))
    expect(again.inner.map((s) => Array.from(s))).toEqual(first.inner.map((s) => Array.from(s)))
    await nestedNetworkScores(pairs, { ...settings, seed: 6 }, () => undefined, dir)
    expect(await readdir(dir)).toHaveLength(2)
  })

  it('trains on each training set’s implied pairs too when told to: other networks, another cache file', async () => {
    // Pairs sharing cached texts chain into groups, which imply pairs nobody labelled.
    // Implied pairs carry the real lexical features, so these pairs do too.
    const chained = pairs.map((p, i) => ({ ...p, cached: `c${i % 4}`, lexical: LEXICAL_FEATURES.map(() => p.label) }))
    const s = { ...settings, lexical: LEXICAL_FEATURES }
    const plain = await nestedNetworkScores(chained, s, () => undefined, dir)
    const augmented = await nestedNetworkScores(chained, { ...s, augment: 'transitive' }, () => undefined, dir)
    expect(await readdir(dir)).toHaveLength(4)
    expect(Array.from(augmented.net)).not.toEqual(Array.from(plain.net))
  })
})
