import { describe, expect, it } from 'vitest'
import { AnomalyMeter, anomalyId, restoreAnomaly, type AnomalyMeta, type AnomalySpec, type Bucket } from './anomaly.ts'
import { emptyState, Ledger } from './ledger.ts'

const MIN = 60_000
const T0 = Date.UTC(2026, 4, 14, 12) // on a bucket boundary for every width below

const spec = (extra: Partial<AnomalySpec> = {}): AnomalySpec => ({
  metric: 'tokens',
  windowMs: 4 * MIN, // buckets of one minute
  baselineMs: 20 * MIN,
  ratio: 4,
  minBaseline: 1_000,
  action: 'flag',
  cooldownMs: 10 * MIN,
  ...extra,
})
const tokens = (n: number, usd: number | null = n / 1e6) => ({ usd, tokens: n, rateTokens: n })

function meter() {
  const stored = new Map<string, unknown>()
  const m = new AnomalyMeter(undefined, (key, value) => (value === undefined ? stored.delete(key) : stored.set(key, structuredClone(value))))
  return { m, stored }
}

/** One request of `n` tokens every `everyMs` from `from` until `to` (exclusive); the last report. */
function steady(m: AnomalyMeter, s: AnomalySpec, n: number, from: number, to: number, everyMs: number) {
  const flagged = []
  for (let t = from; t < to; t += everyMs) {
    const r = m.record(s, tokens(n), t)
    if (r) flagged.push(r)
  }
  return flagged
}

describe('anomaly detection: growth of the rolling window against the trailing baseline', () => {
  it('flags a synthetic spike once, naming its window, its measured ratio and the policy ratio', () => {
    const { m } = meter()
    const s = spec()
    // 20 minutes at 1,000 tokens a minute, then 2,000 tokens a second.
    expect(steady(m, s, 500, T0, T0 + 20 * MIN, 30_000)).toEqual([])
    const spike = T0 + 20 * MIN
    const reports = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10].map((i) => m.record(s, tokens(2_000), spike + i * 1000))
    const flagged = reports.filter((r) => r !== undefined)
    expect(flagged).toHaveLength(1)
    const r = flagged[0]!
    // The window is the current minute and the three before it (3 min + 10 s judged): 3×1,000 + the spike so far.
    const at = reports.findIndex((x) => x !== undefined) + 1
    expect(r).toMatchObject({ metric: 'tokens', action: 'flag', at: spike + at * 1000, until: spike + at * 1000 + 10 * MIN, threshold: 4 })
    expect(r.windowStart).toBe(spike - 3 * MIN)
    expect(r.windowMs).toBe(3 * MIN + at * 1000)
    expect(r.windowAmount).toBe(3_000 + at * 2_000)
    expect(r.baselineMs).toBe(17 * MIN) // since T0: the scope's whole history before the window
    expect(r.baselineAmount).toBe(17_000)
    expect(r.ratio).toBeCloseTo(r.windowAmount / r.windowMs / (17_000 / (17 * MIN)), 9)
    expect(r.ratio).toBeGreaterThanOrEqual(4)
    // The request before it was below the ratio.
    expect(at).toBe(5)
    const before = (3_000 + (at - 1) * 2_000) / (3 * MIN + (at - 1) * 1000) / (1_000 / MIN)
    expect(before).toBeLessThan(4)
  })

  it('steady traffic, even bursty within a bucket, is never flagged', () => {
    const { m } = meter()
    const s = spec({ ratio: 2 })
    // An hour of 10 requests at the top of every minute (all within its first 10 s).
    const flagged = []
    for (let minute = 0; minute < 60; minute++)
      for (let i = 0; i < 10; i++) {
        const r = m.record(s, tokens(300), T0 + minute * MIN + i * 1000)
        if (r) flagged.push(r)
      }
    expect(flagged).toEqual([])
  })

  it('a cold scope is not judged: no baseline yet, or less than min_baseline of it', () => {
    const { m } = meter()
    const s = spec()
    // Brand new: a burst of 50 large requests in its first minute.
    expect(steady(m, s, 10_000, T0, T0 + MIN, 1_000)).toEqual([])
    const cold = meter()
    // Some baseline, but 900 tokens < min_baseline 1,000, then a burst: still not judged.
    expect(steady(cold.m, s, 300, T0, T0 + 3 * MIN, MIN)).toEqual([])
    expect(steady(cold.m, s, 5_000, T0 + 20 * MIN, T0 + 21 * MIN, 5_000)).toEqual([])
    // Once the baseline holds enough, the same burst is an anomaly.
    const warm = meter()
    expect(steady(warm.m, s, 400, T0, T0 + 3 * MIN, 20_000)).toEqual([])
    expect(steady(warm.m, s, 5_000, T0 + 6 * MIN, T0 + 7 * MIN, 5_000)).toHaveLength(1)
  })

  it('judges spend in USD when the metric says so (unpriced answers count nothing)', () => {
    const { m } = meter()
    const s = spec({ metric: 'usd', minBaseline: 0.01 })
    for (let t = T0; t < T0 + 10 * MIN; t += 30_000) expect(m.record(s, tokens(100, 0.001), t)).toBeUndefined()
    // Many tokens without a price: no USD growth.
    for (let i = 0; i < 30; i++) expect(m.record(s, tokens(100_000, null), T0 + 10 * MIN + i * 1000)).toBeUndefined()
    // Priced spend is: $0.056 in the window (3 min 31 s) against $0.014 in the 7 min before, 8×.
    const r = m.record(s, tokens(100, 0.05), T0 + 10 * MIN + 31_000)
    expect(r).toMatchObject({ metric: 'usd', windowAmount: expect.closeTo(0.056, 9), baselineAmount: expect.closeTo(0.014, 9), ratio: expect.closeTo(7.96, 2) })
  })

  it('blocks only when the policy blocks, until the cooldown ends, and flags again after it', () => {
    const { m } = meter()
    const s = spec({ action: 'block' })
    steady(m, s, 500, T0, T0 + 20 * MIN, 30_000)
    const spike = T0 + 20 * MIN
    const flagged = steady(m, s, 5_000, spike, spike + 10_000, 1000)
    expect(flagged).toHaveLength(1)
    const until = flagged[0]!.until
    expect(m.blocking(s, until - 1)).toBe(flagged[0])
    expect(m.blocking(spec({ action: 'flag' }), until - 1)).toBeUndefined()
    expect(m.blocking(s, until)).toBeUndefined()
    // Within the cooldown nothing new is flagged; after it, a spike on the new baseline is.
    expect(steady(m, s, 5_000, spike + 5 * MIN, spike + 6 * MIN, 1000)).toEqual([])
    steady(m, s, 2_000, until, until + 20 * MIN, 30_000)
    expect(steady(m, s, 50_000, until + 20 * MIN, until + 21 * MIN, 1000)).toHaveLength(1)
  })

  it('keeps its state bounded: buckets older than window + baseline are deleted', () => {
    const { m, stored } = meter()
    const s = spec()
    steady(m, s, 100, T0, T0 + 6 * 60 * MIN, 20_000) // six hours, three requests a minute
    const buckets = [...stored.keys()].filter((k) => k.startsWith('anom:'))
    expect(buckets.length).toBeLessThanOrEqual(4 + 20)
    expect(buckets.length).toBeGreaterThanOrEqual(20)
  })

  it('survives a restart from what it stored, and starts afresh when the window changes', () => {
    const { m, stored } = meter()
    const s = spec()
    steady(m, s, 500, T0, T0 + 20 * MIN, 30_000)
    const restored = restoreAnomaly(
      stored.get('anomaly') as AnomalyMeta,
      [...stored].filter(([k]) => k.startsWith('anom:')).map(([k, v]) => [k, v as Bucket]),
    )
    const again = new AnomalyMeter(restored, () => undefined)
    expect(steady(again, s, 5_000, T0 + 20 * MIN, T0 + 20 * MIN + 10_000, 1000)).toHaveLength(1)
    // A new window length: the old buckets are dropped, so the same burst has no baseline.
    const changed = new AnomalyMeter(restoreAnomaly(stored.get('anomaly') as AnomalyMeta, []), () => undefined)
    expect(steady(changed, spec({ windowMs: 8 * MIN, baselineMs: 40 * MIN }), 5_000, T0 + 20 * MIN, T0 + 20 * MIN + 10_000, 1000)).toEqual([])
  })

  it('one id per scope and window', () => {
    expect(anomalyId('p', 'key', 'k1', T0)).toMatch(/^anom_[0-9a-f]{24}$/)
    expect(anomalyId('p', 'key', 'k1', T0)).toBe(anomalyId('p', 'key', 'k1', T0))
    expect(anomalyId('p', 'key', 'k1', T0)).not.toBe(anomalyId('p', 'session', 'k1', T0))
  })
})

describe('the scope ledger with anomaly detection', () => {
  const budgets = [{ name: 'daily', period: 'day' as const, unit: 'usd' as const, limit: 100, action: 'block' as const, thresholds: [50] }]
  const lease = (id: string, anomaly: AnomalySpec) =>
    ({ id, returning: [], budgets, alias: 'm', costs: { m: { full: { usd: 0.01, tokens: 10 }, prompt: { usd: 0, tokens: 5 } } }, stream: false, ttlMs: MIN, share: 0, anomaly })

  it('a settlement that trips a block names its request; the next lease is refused, taking nothing, until the cooldown ends', () => {
    const l = new Ledger(emptyState(), () => undefined)
    const s = spec({ action: 'block' })
    const settle = (requestId: string, n: number, now: number) => {
      l.lease(lease(requestId, s), now)
      return l.settleMany([{ leaseId: requestId, held: { requests: 0, tokens: 0, budgets: { daily: 0.01 } }, actual: tokens(n), requestId }], budgets, undefined, s, now)
    }
    for (let t = T0; t < T0 + 20 * MIN; t += 30_000) expect(settle(`r${t}`, 500, t).flagged).toBeUndefined()
    const spike = T0 + 20 * MIN
    const answers = [1, 2, 3, 4, 5].map((i) => settle(`spike${i}`, 5_000, spike + i * 1000))
    const tripped = answers.findIndex((a) => a.flagged)
    expect(answers[tripped]!.flagged).toMatchObject({ requestId: `spike${tripped + 1}`, action: 'block' })
    expect(answers[tripped]!.blocking).toBeDefined()
    const used = l.view(budgets, undefined, spike).budgets[0]!.used
    const refused = l.lease(lease('after', s), spike + 10_000)
    expect(refused.anomaly?.until).toBe(answers[tripped]!.flagged!.until)
    expect(refused.held).toEqual({ requests: 0, tokens: 0, budgets: {} })
    expect(l.view(budgets, undefined, spike + 10_000).budgets[0]).toMatchObject({ used, reserved: 0 })
    expect(l.lease(lease('later', s), refused.anomaly!.until).anomaly).toBeUndefined()
  })
})
