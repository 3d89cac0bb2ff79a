/**
 * The statistics behind the admin's experiment comparison, pure and exact to their textbook
 * definitions (jStat supplies the Student t and normal distributions):
 *
 * - a rate (errors, cache hits): Wilson score interval; compared with the two-proportion z-test;
 * - a mean (cost per request, feedback score): Student t interval; compared with Welch's t-test;
 * - a percentile (latency p50, p95): distribution-free interval between two order statistics
 *   (binomial ranks, normal approximation); medians compared with the Mann–Whitney U test.
 *
 * All intervals and tests at 95 %; with several challengers, Bonferroni-corrected.
 */
import jstat from 'jstat'

const { jStat } = jstat
export const CONFIDENCE = 0.95
const Z = jStat.normal.inv(1 - (1 - CONFIDENCE) / 2, 0, 1)

export interface Interval {
  value: number | null
  low: number | null
  high: number | null
}

export const noInterval: Interval = { value: null, low: null, high: null }

export function wilson(successes: number, n: number): Interval {
  if (n <= 0) return noInterval
  const p = successes / n
  const denominator = 1 + (Z * Z) / n
  const centre = (p + (Z * Z) / (2 * n)) / denominator
  const half = (Z * Math.sqrt((p * (1 - p)) / n + (Z * Z) / (4 * n * n))) / denominator
  // At 0 or n successes the bound is exactly 0 or 1 (the formula's float noise aside).
  return { value: p, low: successes === 0 ? 0 : Math.max(0, centre - half), high: successes === n ? 1 : Math.min(1, centre + half) }
}

/** Sufficient statistics of a sample: count, sum, sum of squares. */
export interface Moments {
  n: number
  sum: number
  sumSq: number
}

const variance = (m: Moments): number => Math.max(0, (m.sumSq - (m.sum * m.sum) / m.n) / (m.n - 1))

export function meanInterval(m: Moments): Interval {
  if (m.n <= 0) return noInterval
  const mean = m.sum / m.n
  if (m.n < 2) return { value: mean, low: null, high: null }
  const half = jStat.studentt.inv(1 - (1 - CONFIDENCE) / 2, m.n - 1) * Math.sqrt(variance(m) / m.n)
  return { value: mean, low: mean - half, high: mean + half }
}

/**
 * The 1-based ranks of the order statistics that bound the `q` quantile of `n` values with 95 %
 * confidence (the number of values below the quantile is Binomial(n, q)), and the nearest rank.
 */
export function quantileRanks(n: number, q: number): { point: number; low: number; high: number } | undefined {
  if (n <= 0) return undefined
  const spread = Z * Math.sqrt(n * q * (1 - q))
  const clamp = (r: number) => Math.min(n, Math.max(1, r))
  return { point: clamp(Math.ceil(n * q)), low: clamp(Math.floor(n * q - spread)), high: clamp(Math.ceil(n * q + spread) + 1) }
}

export interface TestResult {
  test: string
  /** Two-sided. */
  p: number
  /** Challenger minus control, on the metric's own scale. */
  difference: number
}

export function twoProportionZ(x1: number, n1: number, x2: number, n2: number): TestResult | undefined {
  if (n1 <= 0 || n2 <= 0) return undefined
  const pooled = (x1 + x2) / (n1 + n2)
  const se = Math.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2))
  const difference = x2 / n2 - x1 / n1
  const p = se === 0 ? 1 : 2 * (1 - jStat.normal.cdf(Math.abs(difference) / se, 0, 1))
  return { test: 'two-proportion z-test', p, difference }
}

export function welch(a: Moments, b: Moments): TestResult | undefined {
  if (a.n < 2 || b.n < 2) return undefined
  const va = variance(a) / a.n
  const vb = variance(b) / b.n
  const difference = b.sum / b.n - a.sum / a.n
  if (va + vb === 0) return { test: "Welch's t-test", p: difference === 0 ? 1 : 0, difference }
  const t = difference / Math.sqrt(va + vb)
  const df = (va + vb) ** 2 / (va ** 2 / (a.n - 1) + vb ** 2 / (b.n - 1))
  return { test: "Welch's t-test", p: 2 * (1 - jStat.studentt.cdf(Math.abs(t), df)), difference }
}

/**
 * Mann–Whitney U from the challenger's rank sum in the pooled sample (ties at their average
 * rank), with the normal approximation and continuity correction; `difference` is the medians'.
 */
export function mannWhitney(n1: number, n2: number, rankSum2: number, medianDifference: number): TestResult | undefined {
  if (n1 < 1 || n2 < 1) return undefined
  const u = rankSum2 - (n2 * (n2 + 1)) / 2
  const mean = (n1 * n2) / 2
  const sd = Math.sqrt((n1 * n2 * (n1 + n2 + 1)) / 12)
  const z = Math.max(0, Math.abs(u - mean) - 0.5) / sd
  return { test: 'Mann–Whitney U test', p: 2 * (1 - jStat.normal.cdf(z, 0, 1)), difference: medianDifference }
}
