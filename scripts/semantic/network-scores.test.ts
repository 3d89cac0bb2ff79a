import { mkdtemp, readdir, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { nestedNetworkScores, type NetworkSettings } from './network-scores.ts'
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
})
