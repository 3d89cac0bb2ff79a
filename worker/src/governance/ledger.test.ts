import { describe, expect, it } from 'vitest'
import { emptyState, Ledger, periodOf } from './ledger.ts'
import type { BudgetSpec, Cost, Holding, LeaseCall } from './protocol.ts'

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
// share 0: each call judges one request and leases nothing more (the lease tests set a share).
const call = (id: string, budgets: BudgetSpec[], extra: Partial<LeaseCall> = {}): LeaseCall => ({
  id,
  returning: [],
  budgets,
  alias: 'big',
  costs: { big: cost(1, 0.2), small: cost(0.1, 0.02) },
  stream: false,
  ttlMs: 60_000,
  share: 0,
  ...extra,
})
const holding = (budgets: Record<string, number>, requests = 0, tokens = 0): Holding => ({ requests, tokens, budgets })
const spent = (usd: number) => ({ usd, tokens: 10, rateTokens: 10 })

function ledger() {
  const writes = new Map<string, unknown>()
  const l = new Ledger(emptyState(), (key, value) => (value === undefined ? writes.delete(key) : writes.set(key, value)))
  return { l, writes }
}

describe('scope ledger: reserve, then settle', () => {
  it('admits while the worst case fits in what is neither spent nor reserved, then refuses naming the budget', () => {
    const { l } = ledger()
    const budgets = [usd('daily', 2.5)]
    expect(l.lease(call('a', budgets), T0).blocked).toBeUndefined()
    expect(l.lease(call('b', budgets), T0).blocked).toBeUndefined()
    expect(l.lease(call('c', budgets), T0).blocked).toEqual({ budget: 'daily', unit: 'usd', used: 0, reserved: 2, need: 1, limit: 2.5, periodEnd: Date.UTC(2026, 4, 15) })
  })

  it('settles to the real cost, freeing what the reservation held beyond it', () => {
    const { l } = ledger()
    const budgets = [usd('daily', 2.5)]
    l.lease(call('a', budgets), T0)
    l.lease(call('b', budgets), T0)
    l.settle('a', holding({ daily: 1 }, 0), spent(0.1), budgets, undefined, T0)
    expect(l.lease(call('c', budgets), T0).blocked).toBeUndefined()
    expect(l.view(budgets, undefined, T0).budgets[0]).toMatchObject({ used: 0.1, reserved: 2 })
  })

  it('admits a stream with room only for its prompt (it is cut at the cap) and reports that room', () => {
    const { l } = ledger()
    const budgets = [usd('daily', 0.5)]
    expect(l.lease(call('json', budgets), T0).blocked?.budget).toBe('daily')
    const stream = l.lease(call('stream', budgets, { stream: true }), T0)
    expect(stream.blocked).toBeUndefined()
    expect(stream.room).toEqual({ daily: 0.5 })
    expect(stream.held.budgets).toEqual({ daily: 0.5 })
    // It holds everything that was left: the next request finds no room.
    expect(l.lease(call('next', budgets, { stream: true }), T0).blocked?.budget).toBe('daily')
  })

  it('drops a reservation that was never settled once it expires (a dead isolate does not leak budget)', () => {
    const { l, writes } = ledger()
    const budgets = [usd('daily', 1)]
    l.lease(call('lost', budgets, { ttlMs: 1000 }), T0)
    expect(writes.has('res:lost')).toBe(true)
    expect(l.lease(call('b', budgets), T0 + 999).blocked?.budget).toBe('daily')
    expect(l.lease(call('c', budgets), T0 + 1000).blocked).toBeUndefined()
    expect(writes.has('res:lost')).toBe(false)
  })

  it('starts a new day at UTC midnight', () => {
    const { l } = ledger()
    const budgets = [usd('daily', 1)]
    l.lease(call('a', budgets), T0)
    l.settle('a', holding({ daily: 1 }), spent(1), budgets, undefined, T0)
    expect(l.lease(call('b', budgets), T0).blocked?.budget).toBe('daily')
    expect(l.lease(call('c', budgets), T0 + DAY).blocked).toBeUndefined()
    expect(periodOf('month', T0)).toEqual({ key: '2026-05', end: Date.UTC(2026, 5, 1) })
    expect(periodOf('session', T0)).toEqual({ key: 'session', end: null })
  })

  it('announces each threshold once per period as spend crosses it (only the highest when one request jumps several)', () => {
    const { l } = ledger()
    const budgets = [usd('daily', 10)]
    const spend = (id: string, amount: number) => {
      l.lease(call(id, budgets), T0)
      return l.settle(id, holding({ daily: 1 }), spent(amount), budgets, undefined, T0).map((c) => c.threshold)
    }
    expect(spend('a', 4)).toEqual([])
    expect(spend('b', 4.5)).toEqual([80])
    expect(spend('c', 0.5)).toEqual([])
    expect(spend('d', 0.5)).toEqual([])
    expect(l.lease(call('e', budgets), T0).crossings).toEqual([
      { budget: 'daily', threshold: 100, period: '2026-05-14', periodEnd: Date.UTC(2026, 4, 15), unit: 'usd', used: 9.5, limit: 10, refusing: true },
    ])
    expect(l.lease(call('f', budgets), T0).crossings).toEqual([])
  })

  it('a downgrade budget switches to its alias once the request would overrun it, and never blocks', () => {
    const { l } = ledger()
    const budgets = [usd('soft', 1.5, { action: 'downgrade', downgradeTo: 'small' }), usd('hard', 1.25)]
    expect(l.lease(call('a', budgets), T0)).toMatchObject({ alias: 'big' })
    const second = l.lease(call('b', budgets), T0)
    // The hard cap is judged at the cheaper alias's cost: 1 + 0.1 fits in 1.25.
    expect(second).toMatchObject({ alias: 'small', downgradedBy: 'soft' })
    expect(second.blocked).toBeUndefined()
  })

  it('counts tokens for a token budget', () => {
    const { l } = ledger()
    const budgets: BudgetSpec[] = [{ name: 'session', period: 'session', unit: 'tokens', limit: 250, action: 'block', thresholds: [100] }]
    expect(l.lease(call('a', budgets), T0).blocked).toBeUndefined()
    expect(l.lease(call('b', budgets), T0).blocked).toBeUndefined()
    expect(l.lease(call('c', budgets), T0).blocked).toMatchObject({ budget: 'session', unit: 'tokens' })
  })
})

describe('scope ledger: rate limits', () => {
  const rate = { requests: { limit: 2, windowMs: 60_000 }, tokens: { limit: 1000, windowMs: 60_000 }, tokenCost: 400 }

  it('refuses when either bucket is short, and takes from neither', () => {
    const { l } = ledger()
    expect(l.lease(call('a', [], { rate }), T0).rate.limited).toBeUndefined()
    expect(l.lease(call('b', [], { rate }), T0).rate.limited).toBeUndefined()
    const third = l.lease(call('c', [], { rate: { ...rate, tokenCost: 10 } }), T0)
    expect(third.rate.limited).toEqual({ kind: 'requests', retryAfterMs: 30_000 })
    expect(third.rate.tokens).toEqual({ limit: 1000, remaining: 200, resetMs: 48_000 })
  })

  it('a request refused elsewhere gives its requests and tokens back', () => {
    const { l } = ledger()
    l.lease(call('a', [], { rate }), T0)
    l.release('a', holding({}, 1, 400), rate, T0)
    expect(l.view([], rate, T0)).toMatchObject({ requests: { remaining: 2 }, tokens: { remaining: 1000 } })
  })

  it('settling corrects the token estimate with the reported usage', () => {
    const { l } = ledger()
    l.lease(call('a', [], { rate }), T0)
    expect(l.view([], rate, T0).tokens?.remaining).toBe(600)
    l.settle('a', holding({}, 1, 400), { usd: 0, tokens: 150, rateTokens: 150 }, [], rate.tokens, T0)
    expect(l.view([], rate, T0).tokens?.remaining).toBe(850)
  })
})

describe('scope ledger: leases for an isolate’s next requests', () => {
  it('grants the request plus a share of what is left, held as one reservation', () => {
    const { l } = ledger()
    const budgets = [usd('daily', 17)]
    const a = l.lease(call('lease-1', budgets, { share: 1 / 4 }), T0)
    expect(a.held.budgets).toEqual({ daily: 1 })
    expect(a.extra.budgets).toEqual({ daily: 4 }) // (17 − 1) ÷ 4
    expect(a.room).toEqual({ daily: 17 })
    expect(l.view(budgets, undefined, T0).budgets[0]).toMatchObject({ used: 0, reserved: 5 })
  })

  it('never grants more than is left, however many leases are asked for at once (exact across isolates)', () => {
    const { l } = ledger()
    const budgets = [usd('daily', 10)]
    let granted = 0
    let admitted = 0
    for (let i = 0; i < 100; i++) {
      const a = l.lease(call(`isolate-${i}`, budgets, { share: 1 / 2 }), T0)
      if (a.blocked) continue
      admitted++
      granted += a.held.budgets.daily! + a.extra.budgets.daily!
    }
    expect(granted).toBeLessThanOrEqual(10)
    expect(admitted).toBeGreaterThan(0)
    expect(admitted).toBeLessThanOrEqual(10)
  })

  it('settles each request against its lease, and takes back what the lease did not use', () => {
    const { l } = ledger()
    const budgets = [usd('daily', 17)]
    const rate = { requests: { limit: 100, windowMs: 60_000 }, tokenCost: 0 }
    l.lease(call('lease-1', budgets, { share: 1 / 4, rate }), T0)
    expect(l.view(budgets, rate, T0).requests?.remaining).toBe(75) // 1 taken + ⌊99 ÷ 4⌋ leased
    // Two requests ran under the lease (the one it was granted with, one drawn locally), each costing 0.5.
    l.settle('lease-1', holding({ daily: 1 }, 1), spent(0.5), budgets, undefined, T0)
    l.settle('lease-1', holding({ daily: 1 }, 1), spent(0.5), budgets, undefined, T0)
    expect(l.view(budgets, rate, T0).budgets[0]).toMatchObject({ used: 1, reserved: 3 })
    // The isolate retires the lease; its next call gives back the rest.
    const next = l.lease(call('lease-2', budgets, { returning: [{ id: 'lease-1', unused: holding({ daily: 3 }, 23) }], rate }), T0)
    expect(next.held.budgets.daily).toBe(1)
    expect(l.view(budgets, rate, T0).budgets[0]).toMatchObject({ used: 1, reserved: 1 })
    expect(l.view(budgets, rate, T0).requests?.remaining).toBe(97)
    expect(l.state.reservations.has('lease-1')).toBe(false)
  })

  it('an isolate that dies with a lease loses it when the reservation expires', () => {
    const { l } = ledger()
    const budgets = [usd('daily', 17)]
    l.lease(call('dead', budgets, { share: 1 / 2, ttlMs: 5_000 }), T0)
    expect(l.view(budgets, undefined, T0).budgets[0]?.reserved).toBe(9)
    expect(l.view(budgets, undefined, T0 + 5_000).budgets[0]?.reserved).toBe(0)
  })

  it('leases nothing beyond the request once a downgrade budget has switched it', () => {
    const { l } = ledger()
    const budgets = [usd('soft', 0.5, { action: 'downgrade', downgradeTo: 'small' })]
    expect(l.lease(call('x', budgets, { share: 1 / 2 }), T0)).toMatchObject({ alias: 'small', downgradedBy: 'soft', extra: { budgets: { soft: 0 } } })
  })
})
