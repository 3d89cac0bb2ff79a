import { describe, expect, it } from 'vitest'
import { emptyState, Ledger, periodOf } from './ledger.ts'
import type { AdmitCall, BudgetSpec, Cost } from './protocol.ts'

const DAY = 86_400_000
const T0 = Date.UTC(2026, 4, 14, 12) // 2026-05-14 12:00 UTC

const usd = (name: string, limit: number, extra: Partial<BudgetSpec> = {}): BudgetSpec => ({
  name,
  period: 'day',
  unit: 'usd',
  limit,
  action: 'block',
  thresholds: [50, 80, 100],
  ...extra,
})
const cost = (full: number, prompt: number, tokens = 100, promptTokens = 40): Cost => ({ full: { usd: full, tokens }, prompt: { usd: prompt, tokens: promptTokens } })
const call = (id: string, budgets: BudgetSpec[], extra: Partial<AdmitCall> = {}): AdmitCall => ({
  id,
  budgets,
  alias: 'big',
  costs: { big: cost(1, 0.2), small: cost(0.1, 0.02) },
  stream: false,
  ttlMs: 60_000,
  ...extra,
})

function ledger() {
  const writes = new Map<string, unknown>()
  const l = new Ledger(emptyState(), (key, value) => (value === undefined ? writes.delete(key) : writes.set(key, value)))
  return { l, writes }
}

describe('scope ledger: reserve, then settle', () => {
  it('admits while the worst case fits in what is neither spent nor reserved, then refuses naming the budget', () => {
    const { l } = ledger()
    const budgets = [usd('daily', 2.5)]
    expect(l.admit(call('a', budgets), T0).blocked).toBeUndefined()
    expect(l.admit(call('b', budgets), T0).blocked).toBeUndefined()
    const third = l.admit(call('c', budgets), T0)
    expect(third.blocked).toEqual({ budget: 'daily', unit: 'usd', used: 0, limit: 2.5, periodEnd: Date.UTC(2026, 4, 15) })
  })

  it('settles to the real cost, freeing what the reservation held beyond it', () => {
    const { l } = ledger()
    const budgets = [usd('daily', 2.5)]
    l.admit(call('a', budgets), T0)
    l.admit(call('b', budgets), T0)
    l.settle('a', { usd: 0.1, tokens: 50, rateTokens: 50 }, budgets, undefined, T0)
    expect(l.admit(call('c', budgets), T0).blocked).toBeUndefined()
    expect(l.view(budgets, undefined, T0).budgets[0]).toMatchObject({ used: 0.1, reserved: 2 })
  })

  it('admits a stream with room only for its prompt (it is cut at the cap) and reports that room', () => {
    const { l } = ledger()
    const budgets = [usd('daily', 0.5)]
    const json = l.admit(call('json', budgets), T0)
    expect(json.blocked?.budget).toBe('daily')
    const stream = l.admit(call('stream', budgets, { stream: true }), T0)
    expect(stream.blocked).toBeUndefined()
    expect(stream.headroom.usd).toEqual({ budget: 'daily', amount: 0.5 })
    // It holds everything that was left: the next request finds no room.
    expect(l.admit(call('next', budgets, { stream: true }), T0).blocked?.budget).toBe('daily')
  })

  it('drops a reservation that was never settled once it expires (a dead isolate does not leak budget)', () => {
    const { l, writes } = ledger()
    const budgets = [usd('daily', 1)]
    l.admit(call('lost', budgets, { ttlMs: 1000 }), T0)
    expect(writes.has('res:lost')).toBe(true)
    expect(l.admit(call('b', budgets), T0 + 999).blocked?.budget).toBe('daily')
    expect(l.admit(call('c', budgets), T0 + 1000).blocked).toBeUndefined()
    expect(writes.has('res:lost')).toBe(false)
  })

  it('starts a new day at UTC midnight', () => {
    const { l } = ledger()
    const budgets = [usd('daily', 1)]
    l.admit(call('a', budgets), T0)
    l.settle('a', { usd: 1, tokens: 10, rateTokens: 10 }, budgets, undefined, T0)
    expect(l.admit(call('b', budgets), T0).blocked?.budget).toBe('daily')
    expect(l.admit(call('c', budgets), T0 + DAY).blocked).toBeUndefined()
    expect(periodOf('month', T0)).toEqual({ key: '2026-05', end: Date.UTC(2026, 5, 1) })
    expect(periodOf('session', T0)).toEqual({ key: 'session', end: null })
  })

  it('announces each threshold once per period, in order, as spend crosses it', () => {
    const { l } = ledger()
    const budgets = [usd('daily', 10)]
    const spend = (id: string, amount: number) => {
      l.admit(call(id, budgets), T0)
      return l.settle(id, { usd: amount, tokens: 1, rateTokens: 1 }, budgets, undefined, T0).map((c) => c.threshold)
    }
    expect(spend('a', 4)).toEqual([])
    expect(spend('b', 4.5)).toEqual([50, 80])
    expect(spend('c', 0.5)).toEqual([])
    expect(spend('d', 0.5)).toEqual([])
    expect(l.admit(call('e', budgets), T0).crossings).toEqual([
      { budget: 'daily', threshold: 100, period: '2026-05-14', periodEnd: Date.UTC(2026, 4, 15), unit: 'usd', used: 9.5, limit: 10, refusing: true },
    ])
    expect(l.admit(call('f', budgets), T0).crossings).toEqual([])
  })

  it('a downgrade budget switches to its alias once the request would overrun it, and never blocks', () => {
    const { l } = ledger()
    const budgets = [usd('soft', 1.5, { action: 'downgrade', downgradeTo: 'small' }), usd('hard', 1.25)]
    const first = l.admit(call('a', budgets), T0)
    expect(first).toMatchObject({ alias: 'big' })
    const second = l.admit(call('b', budgets), T0)
    // The hard cap is judged at the cheaper alias's cost: 1 + 0.1 fits in 1.25.
    expect(second).toMatchObject({ alias: 'small', downgradedBy: 'soft' })
    expect(second.blocked).toBeUndefined()
  })

  it('counts tokens for a token budget', () => {
    const { l } = ledger()
    const budgets: BudgetSpec[] = [{ name: 'session', period: 'session', unit: 'tokens', limit: 250, action: 'block', thresholds: [100] }]
    expect(l.admit(call('a', budgets), T0).blocked).toBeUndefined()
    expect(l.admit(call('b', budgets), T0).blocked).toBeUndefined()
    expect(l.admit(call('c', budgets), T0).blocked).toMatchObject({ budget: 'session', unit: 'tokens' })
  })
})

describe('scope ledger: rate limits', () => {
  const rate = { requests: { limit: 2, windowMs: 60_000 }, tokens: { limit: 1000, windowMs: 60_000 }, tokenCost: 400 }

  it('refuses when either bucket is short, and takes from neither', () => {
    const { l } = ledger()
    expect(l.admit(call('a', [], { rate }), T0).rate.limited).toBeUndefined()
    expect(l.admit(call('b', [], { rate }), T0).rate.limited).toBeUndefined()
    const third = l.admit(call('c', [], { rate: { ...rate, tokenCost: 10 } }), T0)
    expect(third.rate.limited).toEqual({ kind: 'requests', retryAfterMs: 30_000 })
    expect(third.rate.tokens).toEqual({ limit: 1000, remaining: 200, resetMs: 48_000 })
  })

  it('a request refused elsewhere gives its requests and tokens back', () => {
    const { l } = ledger()
    l.admit(call('a', [], { rate }), T0)
    l.release('a', rate, T0)
    expect(l.view([], rate, T0)).toMatchObject({ requests: { remaining: 2 }, tokens: { remaining: 1000 } })
  })

  it('settling corrects the token estimate with the reported usage', () => {
    const { l } = ledger()
    l.admit(call('a', [], { rate }), T0)
    expect(l.view([], rate, T0).tokens?.remaining).toBe(600)
    l.settle('a', { usd: 0, tokens: 150, rateTokens: 150 }, [], rate.tokens, T0)
    expect(l.view([], rate, T0).tokens?.remaining).toBe(850)
  })
})
