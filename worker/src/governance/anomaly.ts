/**
 * Anomaly detection for one scope (a key or a session), kept by the scope's ledger beside its
 * budgets, from the spend it already settles: no extra call on the request path.
 *
 * Each settled request adds its USD and tokens to a time bucket a quarter of the policy's window
 * wide. At settlement the rolling window (the current bucket and the three before it) is compared
 * with the trailing baseline just before it, as rates — each divided by the time it really covers,
 * so a scope younger than the baseline is judged on the history it has. Past the policy's ratio the
 * scope is flagged once per cooldown; with `block`, its requests are refused until the cooldown
 * ends. Nothing is judged while the baseline holds less than `minBaseline` (a new key is not
 * "infinite growth"). Buckets older than window + baseline are deleted: at most
 * 4 × (1 + MAX_BASELINE_WINDOWS) per scope.
 */
import { sha256Hex } from '../lib/hash.ts'
import type { Actual } from './protocol.ts'

export interface AnomalySpec {
  metric: 'usd' | 'tokens'
  windowMs: number
  baselineMs: number
  /** Flag at (window rate / baseline rate) ≥ ratio. */
  ratio: number
  minBaseline: number
  action: 'flag' | 'alert' | 'block'
  cooldownMs: number
}

/** What a ledger reports when it flags a scope: what the event, the alert and the admin show. */
export interface AnomalyReport {
  metric: AnomalySpec['metric']
  action: AnomalySpec['action']
  /** When it was flagged; until when the scope is not flagged again (with `block`: refused). */
  at: number
  until: number
  /** The window judged: where it starts (the anomaly's identity), the time it covered, what it held. */
  windowStart: number
  windowMs: number
  windowAmount: number
  /** The baseline before it: the time it covered (≤ the policy's, for a young scope) and what it held. */
  baselineMs: number
  baselineAmount: number
  /** The measured growth, and the policy's ratio it reached. */
  ratio: number
  threshold: number
}

/** USD and tokens settled within one bucket. */
export type Bucket = [usd: number, tokens: number]

/** Stored under `anomaly`: everything but the buckets (each under `anom:<index>`). */
export interface AnomalyMeta {
  /** Bucket width (ms), a quarter of the window: a policy that changes the window starts afresh. */
  width: number
  /** The first bucket this scope ever spent in: how much baseline it really has. */
  since: number | null
  last?: AnomalyReport
}

export interface AnomalyState {
  meta: AnomalyMeta
  buckets: Map<number, Bucket>
}

export type AnomalyPersist = (key: string, value: AnomalyMeta | Bucket | undefined) => void

const BUCKETS_PER_WINDOW = 4

/** A scope's state from its stored entries (`anomaly`, `anom:<index>`). */
export function restoreAnomaly(meta: AnomalyMeta | undefined, buckets: [string, Bucket][]): AnomalyState | undefined {
  if (!meta) return undefined
  return { meta, buckets: new Map(buckets.map(([key, bucket]) => [Number(key.slice('anom:'.length)), bucket])) }
}

export class AnomalyMeter {
  private state: AnomalyState | undefined
  private readonly persist: AnomalyPersist
  private prunedAt = Number.NaN

  constructor(state: AnomalyState | undefined, persist: AnomalyPersist) {
    this.state = state
    this.persist = persist
  }

  /** Adds one settled request; returns the anomaly when this request is the one that crossed the ratio. */
  record(spec: AnomalySpec, actual: Actual, now: number): AnomalyReport | undefined {
    const usd = actual.usd ?? 0
    if (actual.tokens <= 0 && usd <= 0) return undefined // a cache hit or an error: nothing spent
    const s = this.stateFor(spec)
    const width = s.meta.width
    const current = Math.floor(now / width)
    const bucket = s.buckets.get(current) ?? [0, 0]
    bucket[0] += usd
    bucket[1] += actual.tokens
    s.buckets.set(current, bucket)
    this.persist(`anom:${current}`, bucket)
    if (s.meta.since === null) {
      s.meta.since = current
      this.persist('anomaly', s.meta)
    }
    if (this.prunedAt !== current) this.prune(s, current - BUCKETS_PER_WINDOW + 1 - Math.ceil(spec.baselineMs / width))
    this.prunedAt = current

    if ((spec.metric === 'usd' ? usd : actual.tokens) <= 0) return undefined
    if (s.meta.last && now < s.meta.last.until) return undefined
    const judged = judge(s, spec, current, now)
    if (!judged || judged.ratio < spec.ratio) return undefined
    s.meta.last = { metric: spec.metric, action: spec.action, at: now, until: now + spec.cooldownMs, threshold: spec.ratio, ...judged }
    this.persist('anomaly', s.meta)
    return s.meta.last
  }

  /** The anomaly that blocks this scope now, if the policy blocks and one does. */
  blocking(spec: AnomalySpec, now: number): AnomalyReport | undefined {
    const last = this.state?.meta.last
    return spec.action === 'block' && last?.action === 'block' && now < last.until ? last : undefined
  }

  private stateFor(spec: AnomalySpec): AnomalyState {
    const width = spec.windowMs / BUCKETS_PER_WINDOW
    if (this.state?.meta.width === width) return this.state
    // A new window length: the old buckets measure something else.
    for (const index of this.state?.buckets.keys() ?? []) this.persist(`anom:${index}`, undefined)
    this.state = { meta: { width, since: null, ...(this.state?.meta.last ? { last: this.state.meta.last } : {}) }, buckets: new Map() }
    this.persist('anomaly', this.state.meta)
    return this.state
  }

  private prune(s: AnomalyState, oldest: number): void {
    for (const index of s.buckets.keys())
      if (index < oldest) {
        s.buckets.delete(index)
        this.persist(`anom:${index}`, undefined)
      }
  }
}

/** The window's rate against the baseline's, or undefined while there is too little baseline to judge. */
function judge(s: AnomalyState, spec: AnomalySpec, current: number, now: number): Omit<AnomalyReport, 'metric' | 'action' | 'at' | 'until' | 'threshold'> | undefined {
  const width = s.meta.width
  const first = current - BUCKETS_PER_WINDOW + 1
  const baselineFirst = Math.max(first - Math.ceil(spec.baselineMs / width), s.meta.since ?? first)
  if (baselineFirst >= first) return undefined // no history before the window
  const unit = spec.metric === 'usd' ? 0 : 1
  let windowAmount = 0
  let baselineAmount = 0
  for (const [index, bucket] of s.buckets) {
    if (index >= first) windowAmount += bucket[unit]
    else if (index >= baselineFirst) baselineAmount += bucket[unit]
  }
  if (baselineAmount <= 0 || baselineAmount < spec.minBaseline) return undefined
  const windowStart = first * width
  const windowMs = now - windowStart
  const baselineMs = (first - baselineFirst) * width
  return { windowStart, windowMs, windowAmount, baselineMs, baselineAmount, ratio: windowAmount / windowMs / (baselineAmount / baselineMs) }
}

/** A stable id for one scope's anomaly: the same window of the same scope is one anomaly (the alert's idempotency key). */
export function anomalyId(project: string, scope: string, subject: string, windowStart: number): string {
  return `anom_${sha256Hex(`${project}|${scope}|${subject}|${windowStart}`).slice(0, 24)}`
}
