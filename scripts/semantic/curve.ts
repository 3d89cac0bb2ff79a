/**
 * Hit-rate / false-hit-rate curves: for a score per pair and a threshold, how many true
 * paraphrases are served from the cache and how many different questions are wrongly served.
 */
import type { Source } from './dataset.ts'

export interface Scored {
  score: number
  label: 0 | 1
  source: Source
}

export interface Point {
  threshold: number
  /** Share of Quora positives (label 1) at or above the threshold. */
  qqpHit: number
  /** Share of the technical paraphrase pairs (all positives) at or above the threshold. */
  paraphraseHit: number
  /** Share of Quora negatives (label 0) at or above the threshold. */
  falseHit: number
  falseHits: number
  negatives: number
}

export function pointAt(rows: readonly Scored[], threshold: number): Point {
  const share = (keep: (r: Scored) => boolean): [number, number] => {
    const group = rows.filter(keep)
    const above = group.filter((r) => r.score >= threshold).length
    return [group.length === 0 ? 0 : above / group.length, above]
  }
  const [qqpHit] = share((r) => r.source === 'qqp' && r.label === 1)
  const [paraphraseHit] = share((r) => r.source === 'paraphrase')
  const [falseHit, falseHits] = share((r) => r.label === 0)
  return { threshold, qqpHit, paraphraseHit, falseHit, falseHits, negatives: rows.filter((r) => r.label === 0).length }
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

const pct = (x: number): string => `${(100 * x).toFixed(1).padStart(5)} %`

export function formatTable(title: string, points: readonly Point[], digits = 3): string {
  const lines = [title, '  threshold   QQP hit   tech-paraphrase hit   QQP false hit']
  for (const p of points) {
    lines.push(
      `  ${p.threshold.toFixed(digits).padStart(9)}   ${pct(p.qqpHit)}   ${pct(p.paraphraseHit).padStart(19)}   ${pct(p.falseHit)} (${p.falseHits}/${p.negatives})`,
    )
  }
  return lines.join('\n')
}
