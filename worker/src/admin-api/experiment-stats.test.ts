import { describe, expect, it } from 'vitest'
import { mannWhitney, meanInterval, quantileRanks, twoProportionZ, welch, wilson } from './experiment-stats.ts'

const moments = (xs: number[]) => ({ n: xs.length, sum: xs.reduce((a, b) => a + b, 0), sumSq: xs.reduce((a, b) => a + b * b, 0) })

describe('experiment statistics (reference values from scipy.stats 1.x)', () => {
  it('Wilson interval: 81 of 263 → [0.255289, 0.366210]', () => {
    const i = wilson(81, 263)
    expect(i.value).toBeCloseTo(0.308, 3)
    expect(i.low).toBeCloseTo(0.255289, 5)
    expect(i.high).toBeCloseTo(0.36621, 5)
    expect(wilson(0, 10)).toMatchObject({ value: 0, low: 0 })
    expect(wilson(0, 0).value).toBeNull()
  })

  it('t interval of a mean: 1..10 → [3.33415, 7.66585]', () => {
    const i = meanInterval(moments([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]))
    expect(i.value).toBe(5.5)
    expect(i.low).toBeCloseTo(3.334149, 5)
    expect(i.high).toBeCloseTo(7.665851, 5)
  })

  it('percentile ranks: the median of 100 values lies between the 40th and 61st with 95 % confidence', () => {
    expect(quantileRanks(100, 0.5)).toEqual({ point: 50, low: 40, high: 61 })
    expect(quantileRanks(1, 0.95)).toEqual({ point: 1, low: 1, high: 1 })
  })

  it("two-proportion z: 45/100 vs 60/100 → p = 0.03367; Welch's t → scipy's ttest_ind(equal_var=False)", () => {
    expect(twoProportionZ(45, 100, 60, 100)!.p).toBeCloseTo(0.033672, 5)
    const a = moments([27.5, 21.0, 19.0, 23.6, 17.0, 17.9, 16.9, 20.1, 21.9, 22.6, 23.1, 19.6, 19.0, 21.7, 21.4])
    const b = moments([27.1, 22.0, 20.8, 23.4, 23.4, 23.5, 25.8, 22.0, 24.8, 20.2, 21.9, 22.1, 22.9, 20.5, 24.4])
    const r = welch(a, b)!
    expect(r.p).toBeCloseTo(0.021378, 5)
    expect(r.difference).toBeCloseTo(2.166667, 5)
  })

  it('Mann–Whitney U → scipy mannwhitneyu(method="asymptotic"): separated samples p = 0.000183, interleaved p = 0.7337', () => {
    // Challenger holds ranks 11..20 of 20 → rank sum 155.
    expect(mannWhitney(10, 10, 155, 10)!.p).toBeCloseTo(0.00018267, 6)
    // Alternating ranks: challenger holds 2, 4, …, 20 → rank sum 110.
    expect(mannWhitney(10, 10, 110, 1)!.p).toBeCloseTo(0.73373, 4)
  })
})
