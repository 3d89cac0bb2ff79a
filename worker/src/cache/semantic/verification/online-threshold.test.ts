import { describe, expect, it } from 'vitest'
import { thresholdInForce, type LabelledScore } from './online-threshold.ts'

const options = { start: 0.95, maxFalseHitRate: 0.01, minLabels: 100, confidence: 0.95 }
/** `n` labels spread evenly over [from, to), every `wrongEvery`-th one wrong (0: none). */
const spread = (n: number, from: number, to: number, wrongEvery = 0, weight = 1): LabelledScore[] =>
  Array.from({ length: n }, (_, i) => ({ score: from + ((to - from) * i) / n, weight, wrong: wrongEvery > 0 && i % wrongEvery === 0 }))

describe('thresholdInForce', () => {
  it('with no labels, or too few, the conservative start holds', () => {
    expect(thresholdInForce([], options)).toMatchObject({ threshold: 0.95, certified: false, reason: 'start' })
    expect(thresholdInForce(spread(50, 0.8, 1), options)).toMatchObject({ threshold: 0.95, certified: false })
  })

  it('enough clean labels certify the lowest threshold they cover', () => {
    const result = thresholdInForce(spread(600, 0.8, 1), options)
    expect(result.certified).toBe(true)
    expect(result.threshold).toBeLessThan(0.95)
    expect(result.threshold).toBeGreaterThanOrEqual(0.8)
    expect(result.upper).toBeLessThanOrEqual(0.01)
    expect(result.labels).toBeGreaterThanOrEqual(100)
  })

  it('stops where wrong answers start: the bound covers everything at or above the threshold', () => {
    // Clean above 0.9, one in five wrong in [0.8, 0.9).
    const labels = [...spread(600, 0.9, 1), ...spread(300, 0.8, 0.9, 5)]
    const result = thresholdInForce(labels, options)
    expect(result.threshold).toBeGreaterThanOrEqual(0.895)
    const below = labels.filter((l) => l.score >= result.threshold)
    expect(below.filter((l) => l.wrong).length / below.length).toBeLessThanOrEqual(0.01)
  })

  it('a sampled hit weighs 1 / sample rate: few wrong hits sampled at 5 % weigh like many', () => {
    const clean = spread(2000, 0.9, 1)
    const wrongHits = spread(5, 0.95, 1, 1, 20) // 5 wrong hits sampled at 5 % ≈ 100 wrong served
    expect(thresholdInForce(clean, options).certified).toBe(true)
    expect(thresholdInForce([...clean, ...wrongHits], options).upper).toBeGreaterThan(0.01)
  })

  it('when the labels show the start itself breaks the bound, semantic hits pause (threshold 1)', () => {
    expect(thresholdInForce(spread(300, 0.95, 1, 10), options)).toMatchObject({ threshold: 1, certified: false, reason: 'unsafe' })
  })

  it('never certifies below the floor', () => {
    expect(thresholdInForce(spread(3000, 0.3, 1), { ...options, floor: 0.6 }).threshold).toBeGreaterThanOrEqual(0.6)
  })
})
