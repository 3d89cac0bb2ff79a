/**
 * The threshold in force, from labelled verdicts: the lowest threshold whose one-sided upper
 * confidence bound on the false-hit rate — the share of answers served at or above it that were
 * wrong — stays ≤ the project's `max_false_hit_rate`. Until enough labels certify one, the
 * conservative start holds; when the labels show the start itself is unsafe, semantic hits pause
 * (threshold 1) until near-miss labels certify a threshold again. Pure.
 *
 * Labels are weighted by the inverse of the chance the pair had to be labelled (a sampled hit at
 * rate r weighs 1/r, a near miss 1), so the estimate is of the traffic actually served; the bound
 * uses Kish's effective sample size of those weights.
 *
 * @example
 * thresholdInForce(verdicts, { start: 0.95, maxFalseHitRate: 0.01, minLabels: 100, confidence: 0.95 })
 * // → { threshold: 0.91, certified: true, labels: 412, rate: 0.002, upper: 0.0087, reason: 'certified' }
 */
import { wilsonUpper } from '../confidence.ts'

export interface LabelledScore {
  /** The decision's score for the pair. */
  score: number
  /** 1 / P(this pair was labelled). */
  weight: number
  /** The judge found the cached answer wrong for the question. */
  wrong: boolean
}

export interface ThresholdOptions {
  /** The conservative threshold that holds until labels certify another. */
  start: number
  maxFalseHitRate: number
  /** Labels at or above a threshold needed before it can be certified. */
  minLabels: number
  /** One-sided confidence of the upper bound, e.g. 0.95. */
  confidence: number
  /** Never certify below this score, however good the labels look. */
  floor?: number
}

export type ThresholdReason = 'start' | 'certified' | 'unsafe'

export interface ThresholdResult {
  threshold: number
  certified: boolean
  reason: ThresholdReason
  /** Labels at or above the threshold (or at or above the start when none is certified). */
  labels: number
  /** Weighted false-hit rate among them, and its upper bound. */
  rate: number
  upper: number
}

/** Candidate thresholds are label scores rounded down to this grid: fewer looks, less optimism. */
const GRID = 0.005

export function thresholdInForce(verdicts: readonly LabelledScore[], o: ThresholdOptions): ThresholdResult {
  const floor = o.floor ?? 0
  const sorted = verdicts.filter((v) => Number.isFinite(v.score) && v.weight > 0).sort((a, b) => b.score - a.score)
  let wrong = 0
  let total = 0
  let squares = 0
  let count = 0
  let best: ThresholdResult | undefined
  let atStart: ThresholdResult | undefined
  for (let i = 0; i < sorted.length; i++) {
    const v = sorted[i]!
    wrong += v.wrong ? v.weight : 0
    total += v.weight
    squares += v.weight * v.weight
    count++
    const next = sorted[i + 1]
    // Evaluate once per grid cell, after its last label: the bound covers every label ≥ the cut.
    const cut = Math.floor(v.score / GRID) * GRID
    if (next && next.score >= cut) continue
    const effective = (total * total) / squares
    const rate = wrong / total
    const upper = wilsonUpper(rate * effective, effective, o.confidence)
    const here: ThresholdResult = { threshold: round(Math.max(cut, floor)), certified: true, reason: 'certified', labels: count, rate, upper }
    if (cut >= o.start) atStart = { ...here, threshold: o.start }
    if (cut < floor) break
    if (count >= o.minLabels && upper <= o.maxFalseHitRate) best = here
  }
  if (best) return best
  const start: ThresholdResult = atStart
    ? { ...atStart, certified: false, reason: 'start' }
    : { threshold: o.start, certified: false, reason: 'start', labels: 0, rate: 0, upper: 1 }
  // Enough labels above the start, and even their point estimate breaks the bound: stop serving.
  if (start.labels >= o.minLabels && start.rate > o.maxFalseHitRate) return { ...start, threshold: 1, reason: 'unsafe' }
  return start
}

function round(x: number): number {
  return Math.round(x * 1e4) / 1e4
}
