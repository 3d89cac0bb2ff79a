import { describe, expect, it } from 'vitest'
import { normalQuantile, wilson, wilsonUpper } from './confidence.ts'

describe('confidence bounds', () => {
  it('the normal quantile matches the textbook values', () => {
    expect(normalQuantile(0.975)).toBeCloseTo(1.959964, 5)
    expect(normalQuantile(0.95)).toBeCloseTo(1.644854, 5)
    expect(normalQuantile(0.5)).toBeCloseTo(0, 9)
    expect(normalQuantile(0.001)).toBeCloseTo(-3.090232, 5)
  })

  it('a Wilson interval brackets the rate and narrows as labels grow', () => {
    const small = wilson(5, 100)
    const large = wilson(50, 1000)
    expect(small.low).toBeLessThan(0.05)
    expect(small.high).toBeGreaterThan(0.05)
    expect(large.high - large.low).toBeLessThan(small.high - small.low)
    // Reference values (Wilson 95 %, 5/100): 0.0215–0.1118.
    expect(small.low).toBeCloseTo(0.0215, 3)
    expect(small.high).toBeCloseTo(0.1118, 3)
  })

  it('with no errors the one-sided upper bound needs ~270 labels to fall under 1 %', () => {
    expect(wilsonUpper(0, 200)).toBeGreaterThan(0.01)
    expect(wilsonUpper(0, 300)).toBeLessThan(0.01)
    expect(wilsonUpper(0, 0)).toBe(1)
  })
})
