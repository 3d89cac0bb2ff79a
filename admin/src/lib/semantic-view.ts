/**
 * The Cache page's semantic-verification view: how often semantic answers were judged wrong at the
 * threshold in force (with the 95 % interval), the labels behind it, the threshold over time, and
 * the pairs judged wrong (only projects that log prompts ever store them).
 */
import type { SemanticScope, SemanticVerificationResponse } from './api.ts'
import { timeChart } from './charts.ts'
import { byId, emptyState, h, replace, table } from './dom.ts'
import { ago, count, pct, usd, usdShort } from './format.ts'
import { setStat } from './stats.ts'

export const semanticPanels = ['chart-threshold', 'semantic-scopes', 'semantic-wrong']
export const semanticStats = ['semantic-false-hit', 'semantic-labels', 'semantic-threshold', 'semantic-saved']

const interval = (s: SemanticScope): string =>
  s.false_hit_rate ? `${pct(s.false_hit_rate.rate, 2)} (95% CI ${pct(s.false_hit_rate.low, 2)}–${pct(s.false_hit_rate.high, 2)})` : '—'
const thresholdNote = (s: SemanticScope): string =>
  s.reason === 'certified' ? `certified: bound ≤ ${pct(s.max_false_hit_rate, 1)}` : s.reason === 'unsafe' ? 'paused: labels broke the bound' : 'conservative start (not enough labels yet)'
// The judge's own error: measured offline where labels exist (question pairs), and against an LLM judge online.
const judgeNote = (s: SemanticScope): string => {
  const parts = [s.judge]
  if (s.default_judge_agreement) parts.push(`default agrees ${pct(s.default_judge_agreement.rate, 0)} of ${count(s.default_judge_agreement.total)}`)
  if (s.default_judge_error) parts.push(`default judge on labelled question pairs: misses ${pct(s.default_judge_error.misses_wrong, 1)} of wrong, flags ${pct(s.default_judge_error.flags_right, 0)} of right`)
  return parts.join(' · ')
}

export function renderSemantic(v: SemanticVerificationResponse): void {
  // The headline is the scope with the most labels; the table lists every project and embedder.
  const main = [...v.scopes].sort((a, b) => b.labels.total - a.labels.total)[0]
  if (main) {
    const f = main.false_hit_rate
    setStat('semantic-false-hit', f ? pct(f.rate, 2) : '—', f ? `95% CI ${pct(f.low, 2)}–${pct(f.high, 2)} · ${count(f.labels)} labels at the threshold · ${main.project}` : 'no labels at the threshold yet', { raw: f ? f.rate : null, muted: !f })
    setStat('semantic-labels', count(main.labels.total), `${count(main.labels.sampled_hits)} re-asked hits · ${count(main.labels.near_misses)} near misses · judge ${main.judge}`, { raw: main.labels.total })
    setStat('semantic-threshold', main.threshold.toFixed(3), thresholdNote(main), { raw: main.threshold })
  } else {
    setStat('semantic-false-hit', '—', 'no verdicts yet', { raw: null, muted: true })
    setStat('semantic-labels', '0', 'verification labels hits and near misses after they are answered', { raw: 0, muted: true })
    setStat('semantic-threshold', '—', 'the conservative start holds', { raw: null, muted: true })
  }
  setStat('semantic-saved', usdShort(v.semantic_saved_usd), `${count(v.semantic_hits)} semantic hits in range`, { raw: v.semantic_saved_usd })

  if (v.history.length === 0) replace(byId('chart-threshold'), emptyState('No threshold changes yet', 'Each project starts at a conservative threshold; it moves only when enough labels certify another, and every move is recorded.'))
  else {
    // A threshold holds until its next change: the last one is drawn on to the end of the range.
    const last = v.history.at(-1)
    const points = last && last.ts < v.range.to ? [...v.history, { ...last, ts: Math.min(v.range.to, Date.now()) }] : v.history
    timeChart(
      byId('chart-threshold'),
      points.map((p) => p.ts),
      [
        { label: 'Threshold in force', color: '--chart-1', values: points.map((p) => p.threshold), format: (x) => x.toFixed(2) },
        { label: 'False-hit upper bound', color: '--chart-3', values: points.map((p) => p.upper), format: (x) => pct(x, 1), right: true },
      ],
    )
  }

  replace(
    byId('semantic-scopes'),
    v.scopes.length === 0
      ? emptyState('No verification yet', 'Sampled semantic hits and near misses are judged after they are answered; their verdicts appear here.')
      : table(
          [
            { label: 'Project', value: (s) => s.project },
            { label: 'Embedder', value: (s) => s.embedder },
            { label: 'Threshold', value: (s) => h('span', { title: thresholdNote(s) }, `${s.threshold.toFixed(3)}${s.certified ? '' : ' (start)'}`), numeric: true },
            { label: 'False-hit rate (95% CI)', value: interval, numeric: true },
            { label: 'Bound', value: (s) => pct(s.max_false_hit_rate, 1), numeric: true },
            { label: 'Labels', value: (s) => `${count(s.labels.total)} (${count(s.labels.wrong)} wrong)`, numeric: true },
            { label: 'Judge', value: judgeNote },
            { label: 'Verification cost', value: (s) => usd(s.verification_cost_usd), numeric: true },
          ],
          v.scopes,
          { testId: 'semantic-scopes-table' },
        ),
  )

  replace(
    byId('semantic-wrong'),
    v.wrong_pairs.length === 0
      ? emptyState('No wrong pairs to show', 'Pairs judged wrong are listed only for projects that log prompts (telemetry.log_prompts), redacted.')
      : table(
          [
            { label: 'When', value: (p) => ago(p.ts) },
            { label: 'Project', value: (p) => p.project },
            { label: 'Asked', value: (p) => p.question },
            { label: 'Cached', value: (p) => p.cached_question },
            { label: 'Score', value: (p) => p.score.toFixed(3), numeric: true },
            { label: 'Was', value: (p) => (p.source === 'sampled_hit' ? 'served' : 'near miss (not served)') },
          ],
          v.wrong_pairs,
          { testId: 'semantic-wrong-table' },
        ),
  )
}
