import { describe, expect, it } from 'vitest'
import { boostedMargin, type BoostedTrees } from './boosted-trees.ts'

// One stump on x[0] (≤ 0.5 → −1, else +2) and one tree two deep on x[1], then x[0].
const model: BoostedTrees = {
  base: 0.25,
  trees: [
    { feature: [0, -1, -1], threshold: [0.5, 0, 0], left: [1, 0, 0], right: [2, 0, 0], value: [0, -1, 2] },
    { feature: [1, -1, 0, -1, -1], threshold: [0, 0, 0.1, 0, 0], left: [1, 0, 3, 0, 0], right: [2, 0, 4, 0, 0], value: [0, 0.5, 0, -0.25, 0.75] },
  ],
}

describe('boostedMargin', () => {
  it('adds the base and the leaf each tree routes the row to', () => {
    expect(boostedMargin(model, [0, -1])).toBeCloseTo(0.25 - 1 + 0.5)
    expect(boostedMargin(model, [1, 1])).toBeCloseTo(0.25 + 2 + 0.75)
    expect(boostedMargin(model, [0.05, 1])).toBeCloseTo(0.25 - 1 - 0.25)
  })

  it('sends a value equal to the threshold left, as the fit binned it', () => {
    expect(boostedMargin(model, [0.5, 0])).toBeCloseTo(0.25 - 1 + 0.5)
  })

  it('stops on malformed params instead of looping (a node pointing back at the root)', () => {
    const cyclic: BoostedTrees = { base: 0, trees: [{ feature: [0, 0], threshold: [1, 1], left: [1, 0], right: [1, 0], value: [3, 4] }] }
    expect(Number.isFinite(boostedMargin(cyclic, [0]))).toBe(true)
  })
})
