import { describe, expect, it } from 'vitest'
import { boostedMargin } from '../../worker/src/cache/semantic/boosted-trees.ts'
import { fitBoostedTrees } from './boosting.ts'

/** A seeded generator: the fit itself has no randomness, the data here does. */
function seeded(seed: number): () => number {
  let s = seed
  return () => {
    s = (s * 1103515245 + 12345) % 2147483648
    return s / 2147483648
  }
}

// Label 1 exactly when both inputs are high: an interaction no single feature's threshold shows.
function interaction(n: number, seed: number) {
  const rand = seeded(seed)
  const rows = Array.from({ length: n }, () => [rand(), rand(), rand()])
  return { rows, labels: rows.map(([a = 0, b = 0]) => (a > 0.6 && b > 0.6 ? 1 : 0)) }
}

const OPTIONS = { iterations: 60, learningRate: 0.2, maxLeaves: 7, minSamplesLeaf: 10, l2: 1 }

describe('fitBoostedTrees', () => {
  it('learns an interaction of two features and ignores the noise feature', () => {
    const train = interaction(2000, 1)
    const model = fitBoostedTrees(train.rows, train.labels, OPTIONS)
    const test = interaction(1000, 2)
    const wrong = test.rows.filter((r, i) => (boostedMargin(model, r) > 0 ? 1 : 0) !== test.labels[i]).length
    expect(wrong / test.rows.length).toBeLessThan(0.03)
    const used = new Set(model.trees.flatMap((t) => t.feature.filter((f) => f >= 0)))
    expect(used.has(0) && used.has(1)).toBe(true)
  })

  it('starts from the labels’ log-odds and respects the leaf size and count bounds', () => {
    const { rows, labels } = interaction(500, 3)
    const model = fitBoostedTrees(rows, labels, OPTIONS)
    const p = labels.reduce<number>((s, y) => s + y, 0) / labels.length
    expect(model.base).toBeCloseTo(Math.log(p / (1 - p)), 10)
    for (const t of model.trees) expect(t.feature.filter((f) => f < 0).length).toBeLessThanOrEqual(OPTIONS.maxLeaves)
    const tiny = fitBoostedTrees(rows.slice(0, 15), labels.slice(0, 15), OPTIONS)
    // 15 rows cannot make two leaves of ≥ 10: every tree is a single leaf.
    for (const t of tiny.trees) expect(t.feature).toEqual([-1])
  })

  it('is deterministic', () => {
    const { rows, labels } = interaction(300, 4)
    expect(fitBoostedTrees(rows, labels, OPTIONS)).toEqual(fitBoostedTrees(rows, labels, OPTIONS))
  })
})
