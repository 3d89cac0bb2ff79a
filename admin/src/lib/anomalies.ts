/**
 * The Budgets & alerts page's list of anomalies: per key or session, the window judged against its
 * baseline, the measured growth against the policy's ratio, when, what was done (with `block`:
 * until when) and how the alert was delivered. Built from text only (dom.ts).
 */
import type { BudgetsResponse } from './api.ts'
import { emptyState, h, table } from './dom.ts'
import { count, usd, when } from './format.ts'

type Anomaly = BudgetsResponse['anomalies']['list'][number]

const amount = (a: Anomaly, n: number) => (a.metric === 'usd' ? usd(n) : `${count(Math.round(n))} tokens`)

/** 20 s, 15 min, 1.5 h: the server's own wording for windows. */
export function span(ms: number): string {
  if (ms < 120_000) return `${Math.round(ms / 1000)} s`
  if (ms < 7_200_000) return `${Math.round(ms / 60_000)} min`
  return `${Number((ms / 3_600_000).toFixed(1))} h`
}

const times = (ratio: number) => `${ratio >= 100 ? Math.round(ratio) : Number(ratio.toFixed(1))}×`

function action(a: Anomaly): HTMLElement {
  if (a.action === 'block') return h('span', { class: 'badge bad' }, `blocked until ${when(a.until)}`)
  return h('span', { class: `badge ${a.action === 'alert' ? 'warn' : ''}` }, a.action === 'alert' ? 'alerted' : 'flagged')
}

function delivery(a: Anomaly): HTMLElement | string {
  if (a.status === 'recorded') return a.action === 'flag' ? '—' : 'no webhook'
  return h('span', { class: `badge ${a.status === 'sent' ? 'good' : a.status === 'failed' ? 'bad' : ''}` }, a.attempts > 1 ? `${a.status} (${a.attempts} tries)` : a.status)
}

export function anomaliesView(view: BudgetsResponse['anomalies']): HTMLElement {
  if (view.list.length === 0)
    return view.configured
      ? emptyState('No anomalies in this range', 'A key or session whose spend grows past its policy’s ratio over its own recent rate is listed here (and flagged in its usage event).')
      : emptyState('Anomaly detection not configured', 'Declare projects.<name>.anomaly (metric, scopes, window and baseline, ratio, action) to flag, announce or block sudden growth per key or session.')
  return table(
    [
      { label: 'When', value: (a: Anomaly) => (a.request_id ? h('a', { href: `/request?id=${encodeURIComponent(a.request_id)}` }, when(a.ts)) : when(a.ts)) },
      { label: 'Project', value: (a) => a.project },
      { label: 'Scope', value: (a) => `${a.scope} ${a.subject}` },
      { label: 'Window', value: (a) => `${amount(a, a.window_amount)} in ${span(a.window_ms)} vs ${amount(a, a.baseline_amount)} in the ${span(a.baseline_ms)} before` },
      { label: 'Growth', value: (a) => h('span', { 'data-ratio': a.ratio }, `${times(a.ratio)} (policy ${times(a.threshold)})`), numeric: true },
      { label: 'Action', value: action },
      { label: 'Alert', value: delivery },
    ],
    view.list,
    { testId: 'anomalies-table' },
  )
}
