/**
 * Hit-rate / false-hit-rate curves with 95 % intervals: for a score per pair and a threshold,
 * how many true paraphrases are served from the cache (hit rate, over label-1 pairs) and how many
 * different questions are wrongly served (false-hit rate, over label-0 pairs).
 */
import { wilson, wilsonUpper, type Interval } from '../../worker/src/cache/semantic/confidence.ts'

export interface Scored {
  score: number
  label: 0 | 1
}

export interface Point {
  threshold: number
  hit: Interval
  hits: number
  positives: number
  falseHit: Interval
  falseHits: number
  negatives: number
}

export function pointAt(rows: readonly Scored[], threshold: number): Point {
  let hits = 0
  let positives = 0
  let falseHits = 0
  let negatives = 0
  for (const r of rows) {
    if (r.label === 1) {
      positives++
      if (r.score >= threshold) hits++
    } else {
      negatives++
      if (r.score >= threshold) falseHits++
    }
  }
  return { threshold, hit: wilson(hits, positives), hits, positives, falseHit: wilson(falseHits, negatives), falseHits, negatives }
}

/**
 * The lowest threshold whose false-hit rate on these rows is ≤ maxRate: halfway between the
 * highest negative score that must be refused and the next one up, so ties are refused.
 */
export function thresholdForFalseHitRate(rows: readonly Scored[], maxRate: number): number {
  const negatives = rows
    .filter((r) => r.label === 0)
    .map((r) => r.score)
    .sort((a, b) => b - a)
  const allowed = Math.floor(maxRate * negatives.length)
  const refused = negatives[allowed]
  if (refused === undefined) return -Infinity
  let above = negatives[allowed - 1]
  // Tied scores cannot be split: refuse the whole tie.
  for (let k = allowed - 1; k >= 0 && negatives[k] === refused; k--) above = negatives[k - 1]
  return above === undefined ? refused + 1e-6 : (refused + above) / 2
}

/**
 * The lowest threshold whose false-hit rate on these rows has a one-sided upper Wilson bound
 * (at `confidence`) ≤ `bound`: the point estimate alone would ship a rate at the bound with even
 * odds of being over it on unseen pairs; the bound's margin shrinks as negatives grow.
 */
export function thresholdForBound(rows: readonly Scored[], bound: number, confidence = 0.95): { threshold: number; rate: number } {
  const n = rows.filter((r) => r.label === 0).length
  let allowed = Math.floor(bound * n)
  while (allowed > 0 && wilsonUpper(allowed, n, confidence) > bound) allowed--
  // (allowed + ½) / n: floor() of it gives back exactly `allowed`, whatever the float rounding.
  return { threshold: thresholdForFalseHitRate(rows, (allowed + 0.5) / n), rate: allowed / n }
}

export const pct = (x: number, digits = 1): string => `${(100 * x).toFixed(digits)} %`
export const ci = (i: Interval, digits = 1): string => `${pct(i.rate, digits)} [${(100 * i.low).toFixed(digits)}–${(100 * i.high).toFixed(digits)}]`

export function formatTable(title: string, points: readonly Point[], digits = 3): string {
  const lines = [title, '  threshold   hit rate (95 % CI)          false-hit rate (95 % CI)']
  for (const p of points) {
    lines.push(
      `  ${p.threshold.toFixed(digits).padStart(9)}   ${ci(p.hit).padEnd(20)} ${`${p.hits}/${p.positives}`.padStart(9)}   ${ci(p.falseHit, 2).padEnd(22)} ${p.falseHits}/${p.negatives}`,
    )
  }
  return lines.join('\n')
}
