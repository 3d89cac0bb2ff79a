/**
 * The Experiments page's view of one experiment: variants side by side, one row per metric, each
 * cell the estimate with its 95 % interval and — for a challenger — how it compares with the control
 * (the test's p-value, and whether the difference is significant). Built from text only (dom.ts).
 */
import type { ExperimentsResponse } from './api.ts'
import { h } from './dom.ts'
import { count, ms, pct, usd } from './format.ts'

type Report = ExperimentsResponse['experiments'][number]
type Variant = Report['variants'][number]
type Interval = Variant['error_rate']
type Metric = Report['comparisons'][number]['metric']

interface Row {
  label: string
  metric?: Metric
  cell: (v: Variant) => { value: string; interval?: string; raw: number | null }
}

const range = (i: Interval, f: (x: number) => string) => (i.low === null || i.high === null ? undefined : `${f(i.low)} – ${f(i.high)}`)
const score = (x: number) => x.toFixed(2)

const rows: Row[] = [
  { label: 'Requests', cell: (v) => ({ value: count(v.requests), raw: v.requests }) },
  { label: 'Error rate', metric: 'error_rate', cell: (v) => ({ value: pct(v.error_rate.value), interval: range(v.error_rate, (x) => pct(x)), raw: v.error_rate.value }) },
  { label: 'Latency p50', metric: 'latency', cell: (v) => ({ value: ms(v.latency_p50_ms.value), interval: range(v.latency_p50_ms, ms), raw: v.latency_p50_ms.value }) },
  { label: 'Latency p95', cell: (v) => ({ value: ms(v.latency_p95_ms.value), interval: range(v.latency_p95_ms, ms), raw: v.latency_p95_ms.value }) },
  {
    label: 'Cost / request',
    metric: 'cost',
    cell: (v) => ({ value: v.cost_per_request_usd.value === null ? '—' : usd(v.cost_per_request_usd.value), interval: range(v.cost_per_request_usd, (x) => usd(Math.max(0, x))), raw: v.cost_per_request_usd.value }),
  },
  { label: 'Cache hit rate', cell: (v) => ({ value: pct(v.cache_hit_rate.value), interval: range(v.cache_hit_rate, (x) => pct(x)), raw: v.cache_hit_rate.value }) },
  {
    label: 'Mean feedback',
    metric: 'feedback',
    cell: (v) => ({ value: v.feedback_mean.value === null ? '—' : `${score(v.feedback_mean.value)} (${count(v.feedback_count)})`, interval: range(v.feedback_mean, score), raw: v.feedback_mean.value }),
  },
]

const statusBadge: Record<Report['status'], string> = { active: 'good', paused: 'warn', ended: '', removed: 'warn' }

function comparison(report: Report, variant: Variant, metric: Metric | undefined): HTMLElement | null {
  if (!metric || variant.id === report.variants[0]?.id) return null
  const c = report.comparisons.find((x) => x.variant === variant.id && x.metric === metric)
  if (!c) return null
  if (c.p_value === null) return h('div', { class: 'cmp muted', title: c.note ?? '' }, 'not enough data')
  const p = c.p_value < 0.0001 ? c.p_value.toExponential(1) : c.p_value.toFixed(3)
  const kind = c.direction === 'better' ? 'good' : c.direction === 'worse' ? 'bad' : ''
  const word = c.direction === 'no_difference' ? 'n.s.' : c.direction
  return h('div', { class: 'cmp' }, h('span', { class: `badge ${kind}`, title: `${c.test}: p = ${p} (α = ${report.alpha.toFixed(4)})` }, `${word} · p ${p}`))
}

export function experimentView(report: Report): HTMLElement {
  const head = h(
    'div',
    { class: 'exp-head' },
    h('h3', { class: 'mono' }, report.id),
    h('span', { class: `badge ${statusBadge[report.status]}` }, report.status),
    h('span', { class: 'badge' }, `sticky: ${report.sticky ?? '—'}`),
    h('span', { class: 'badge accent' }, `decides on ${report.metric.replace('_', ' ')}`),
    report.description ? h('span', { class: 'exp-desc' }, report.description) : null,
  )
  const verdict = h('p', { class: `notice ${report.winner ? '' : 'info'}`, 'data-verdict': '', 'data-winner': report.winner?.variant ?? '' }, report.winner ? `Winner: ${report.verdict}` : report.verdict)
  const table = h(
    'div',
    { class: 'table-wrap' },
    h(
      'table',
      { 'data-testid': `experiment-${report.id}` },
      h(
        'thead',
        {},
        h(
          'tr',
          {},
          h('th', {}, 'Metric'),
          ...report.variants.map((v, i) =>
            h(
              'th',
              { class: 'num' },
              `${v.id}${i === 0 && v.id !== 'control' ? ' (control)' : ''}`,
              h('div', { class: 'sub' }, [v.weight === null ? null : `${v.weight}%`, v.routes_to].filter(Boolean).join(' → ')),
              v.params ? h('div', { class: 'sub' }, Object.entries(v.params).map(([k, x]) => `${k} ${JSON.stringify(x)}`).join(', ')) : null,
            ),
          ),
        ),
      ),
      h(
        'tbody',
        {},
        ...rows.map((row) =>
          h(
            'tr',
            {},
            h('td', {}, row.label),
            ...report.variants.map((v) => {
              const cell = row.cell(v)
              return h(
                'td',
                { class: 'num', 'data-variant': v.id, 'data-metric': row.label, 'data-raw': cell.raw === null ? '' : String(cell.raw) },
                cell.value,
                cell.interval ? h('div', { class: 'sub' }, `95% ${cell.interval}`) : null,
                comparison(report, v, row.metric),
              )
            }),
          ),
        ),
      ),
    ),
  )
  return h('article', { class: 'experiment', 'data-experiment': report.id }, head, verdict, table)
}
