/**
 * Confidence bounds on a rate: Wilson score intervals, used offline (`npm run eval:semantic`
 * reports every hit and false-hit rate with its 95 % interval) and online (the threshold in force
 * is the lowest whose upper bound on the false-hit rate stays under the project's maximum).
 * Wilson rather than the normal approximation: it stays inside [0, 1] and is sane at 0 errors
 * (upper ≈ 2.7 / n one-sided at 95 %, close to the exact "rule of three").
 */

export interface Interval {
  rate: number
  low: number
  high: number
}

/**
 * Two-sided Wilson interval for `k` events in `n` trials at `confidence` (e.g. 0.95). `n` may be
 * fractional: an effective sample size for weighted labels.
 */
export function wilson(k: number, n: number, confidence = 0.95): Interval {
  if (!(n > 0)) return { rate: 0, low: 0, high: 1 }
  return wilsonAt(k / n, n, normalQuantile(1 - (1 - confidence) / 2))
}

/** One-sided upper Wilson bound: the rate is below it with probability `confidence`. */
export function wilsonUpper(k: number, n: number, confidence = 0.95): number {
  if (!(n > 0)) return 1
  return wilsonAt(k / n, n, normalQuantile(confidence)).high
}

function wilsonAt(p: number, n: number, z: number): Interval {
  const rate = Math.min(1, Math.max(0, p))
  const z2 = z * z
  const centre = (rate + z2 / (2 * n)) / (1 + z2 / n)
  const half = (z / (1 + z2 / n)) * Math.sqrt((rate * (1 - rate)) / n + z2 / (4 * n * n))
  return { rate, low: Math.max(0, centre - half), high: Math.min(1, centre + half) }
}

/** Inverse of the standard normal CDF (Acklam's rational approximation, |error| < 1.2e-9). */
export function normalQuantile(p: number): number {
  if (p <= 0) return -Infinity
  if (p >= 1) return Infinity
  const a = [-39.69683028665376, 220.9460984245205, -275.9285104469687, 138.357751867269, -30.66479806614716, 2.506628277459239]
  const b = [-54.47609879822406, 161.5858368580409, -155.6989798598866, 66.80131188771972, -13.28068155288572]
  const c = [-0.007784894002430293, -0.3223964580411365, -2.400758277161838, -2.549732539343734, 4.374664141464968, 2.938163982698783]
  const d = [0.007784695709041462, 0.3224671290700398, 2.445134137142996, 3.754408661907416]
  const poly = (k: readonly number[], x: number) => k.reduce((s, v) => s * x + v, 0)
  const low = 0.02425
  if (p < low) {
    const q = Math.sqrt(-2 * Math.log(p))
    return poly(c, q) / (poly(d, q) * q + 1)
  }
  if (p > 1 - low) {
    const q = Math.sqrt(-2 * Math.log(1 - p))
    return -poly(c, q) / (poly(d, q) * q + 1)
  }
  const q = p - 0.5
  const r = q * q
  return (poly(a, r) * q) / (poly(b, r) * r + 1)
}
