/**
 * One scope's counters (a project, a key or a session): its rate-limit buckets and its budgets,
 * with reserve-then-settle. Pure logic over an in-memory state; the Durable Object around it
 * (durable/scope-ledger.ts) persists every change it is told about and serialises the calls,
 * which is what makes admission atomic.
 *
 * - admit: rate buckets first (nothing is taken if either refuses), then budgets: a `downgrade`
 *   budget that the request would overrun switches the alias; a `block` budget refuses unless the
 *   request's worst case fits in what is neither spent nor reserved. A stream needs only room for
 *   its prompt: it is cut at the cap. The admitted request holds a reservation that expires.
 * - settle: the reservation becomes the request's real cost; the token bucket is corrected.
 * - release: a request refused elsewhere (another scope) gives everything back.
 */
import type { Actual, AdmitAnswer, AdmitCall, BudgetSpec, BudgetView, Crossing, ScopeView } from './protocol.ts'
import { adjust, snapshot, take, type BucketSpec, type BucketState } from './token-bucket.ts'

export interface BudgetState {
  period: string
  used: number
  /** The highest threshold announced this period. */
  alerted: number
}

export interface Reservation {
  /** Per budget name: the amount held, in the budget's unit, and the period it was held in. */
  held: Record<string, { amount: number; period: string }>
  rateTokens: number
  expires: number
}

export interface LedgerState {
  buckets: { requests?: BucketState; tokens?: BucketState }
  budgets: Map<string, BudgetState>
  reservations: Map<string, Reservation>
}

/** Storage keys the Durable Object persists: `bucket:<kind>`, `budget:<name>`, `res:<id>`. */
export type Persist = (key: string, value: BucketState | BudgetState | Reservation | undefined) => void

export const emptyState = (): LedgerState => ({ buckets: {}, budgets: new Map(), reservations: new Map() })

export function periodOf(period: BudgetSpec['period'], now: number): { key: string; end: number | null } {
  if (period === 'session') return { key: 'session', end: null }
  const d = new Date(now)
  const [y, m, day] = [d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate()]
  return period === 'day'
    ? { key: d.toISOString().slice(0, 10), end: Date.UTC(y, m, day + 1) }
    : { key: d.toISOString().slice(0, 7), end: Date.UTC(y, m + 1, 1) }
}

export class Ledger {
  readonly state: LedgerState
  private readonly persist: Persist

  constructor(state: LedgerState, persist: Persist) {
    this.state = state
    this.persist = persist
  }

  admit(call: AdmitCall, now: number): AdmitAnswer {
    this.sweep(now)
    const answer: AdmitAnswer = { rate: {}, alias: call.alias, headroom: {}, crossings: [] }

    // Rate limits: both buckets must hold the request before either is taken from.
    const taken: { kind: 'requests' | 'tokens'; spec: BucketSpec; state: BucketState }[] = []
    for (const [kind, amount] of [['requests', 1], ['tokens', call.rate?.tokenCost ?? 0]] as const) {
      const spec = call.rate?.[kind]
      if (!spec) continue
      const result = take(spec, this.state.buckets[kind], now, amount)
      if (!result.ok) {
        answer.rate.limited ??= { kind, retryAfterMs: result.retryAfterMs }
        answer.rate[kind] = snapshot(spec, this.state.buckets[kind], now)
      } else taken.push({ kind, spec, state: result.state })
    }
    if (answer.rate.limited) {
      for (const t of taken) answer.rate[t.kind] = snapshot(t.spec, this.state.buckets[t.kind], now)
      return answer
    }

    // Budgets: downgrades first (they choose the alias), then the hard caps at that alias's cost.
    const current = call.budgets.map((spec) => ({ spec, budget: this.budget(spec, now), reserved: this.reserved(spec, now) }))
    for (const { spec, budget, reserved } of current) {
      if (spec.action !== 'downgrade' || !spec.downgradeTo || answer.alias === spec.downgradeTo || !call.costs[spec.downgradeTo]) continue
      const cost = call.costs[answer.alias]
      if (cost && budget.used + reserved + cost.full[spec.unit] > spec.limit) {
        answer.alias = spec.downgradeTo
        answer.downgradedBy = spec.name
        this.announceRefusal(spec, budget, answer.crossings, now)
      }
    }
    const cost = call.costs[answer.alias]
    const held: Reservation['held'] = {}
    for (const { spec, budget, reserved } of current) {
      const full = cost?.full[spec.unit] ?? 0
      if (spec.action === 'downgrade') {
        held[spec.name] = { amount: full, period: budget.period }
        continue
      }
      const room = spec.limit - budget.used - reserved
      const fits = full <= room || (call.stream && (cost?.prompt[spec.unit] ?? 0) < room)
      if (!fits) {
        this.announceRefusal(spec, budget, answer.crossings, now)
        answer.blocked = { budget: spec.name, unit: spec.unit, used: budget.used, limit: spec.limit, periodEnd: periodOf(spec.period, now).end }
        return answer
      }
      held[spec.name] = { amount: Math.min(full, room), period: budget.period }
      const tightest = answer.headroom[spec.unit]
      if (!tightest || room < tightest.amount) answer.headroom[spec.unit] = { budget: spec.name, amount: room }
    }

    for (const t of taken) {
      this.state.buckets[t.kind] = t.state
      this.persist(`bucket:${t.kind}`, t.state)
      answer.rate[t.kind] = snapshot(t.spec, t.state, now)
    }
    if (call.budgets.length > 0 || taken.some((t) => t.kind === 'tokens')) {
      const reservation: Reservation = { held, rateTokens: call.rate?.tokens ? call.rate.tokenCost : 0, expires: now + call.ttlMs }
      this.state.reservations.set(call.id, reservation)
      this.persist(`res:${call.id}`, reservation)
    }
    return answer
  }

  /** The request's real cost replaces its reservation; returns the thresholds it crossed. */
  settle(id: string, actual: Actual, budgets: BudgetSpec[], tokens: BucketSpec | undefined, now: number): Crossing[] {
    const reservation = this.take(id)
    if (tokens && reservation && reservation.rateTokens !== actual.rateTokens)
      this.setBucket('tokens', adjust(tokens, this.state.buckets.tokens, now, reservation.rateTokens - actual.rateTokens))
    else if (tokens && !reservation && actual.rateTokens > 0)
      this.setBucket('tokens', adjust(tokens, this.state.buckets.tokens, now, -actual.rateTokens))
    const crossings: Crossing[] = []
    for (const spec of budgets) {
      const budget = this.budget(spec, now)
      const spent = spec.unit === 'tokens' ? actual.tokens : (actual.usd ?? reservation?.held[spec.name]?.amount ?? 0)
      if (spent <= 0) continue
      const before = budget.used
      budget.used += spent
      for (const threshold of spec.thresholds) {
        const line = (spec.limit * threshold) / 100
        if (threshold > budget.alerted && before < line && budget.used >= line) {
          crossings.push(this.crossing(spec, budget, threshold, false, now))
          budget.alerted = threshold
        }
      }
      this.persist(`budget:${spec.name}`, budget)
    }
    return crossings
  }

  /** A request refused by another scope: its reservation and rate consumption go back. */
  release(id: string, rate: AdmitCall['rate'], now: number): void {
    const reservation = this.take(id)
    if (!reservation) return
    if (rate?.requests) this.setBucket('requests', adjust(rate.requests, this.state.buckets.requests, now, 1))
    if (rate?.tokens && reservation.rateTokens > 0) this.setBucket('tokens', adjust(rate.tokens, this.state.buckets.tokens, now, reservation.rateTokens))
  }

  view(budgets: BudgetSpec[], rate: AdmitCall['rate'], now: number): ScopeView {
    this.sweep(now)
    const out: ScopeView = { budgets: [] }
    if (rate?.requests) out.requests = snapshot(rate.requests, this.state.buckets.requests, now)
    if (rate?.tokens) out.tokens = snapshot(rate.tokens, this.state.buckets.tokens, now)
    for (const spec of budgets) {
      const { key, end } = periodOf(spec.period, now)
      const stored = this.state.budgets.get(spec.name)
      const view: BudgetView = {
        name: spec.name,
        period: key,
        periodEnd: end,
        unit: spec.unit,
        limit: spec.limit,
        used: stored?.period === key ? stored.used : 0,
        reserved: this.reserved(spec, now),
        action: spec.action,
      }
      out.budgets.push(view)
    }
    return out
  }

  /** Drops reservations whose request never settled (an isolate that died): budgets must not leak. */
  sweep(now: number): void {
    for (const [id, r] of this.state.reservations)
      if (r.expires <= now) {
        this.state.reservations.delete(id)
        this.persist(`res:${id}`, undefined)
      }
  }

  private budget(spec: BudgetSpec, now: number): BudgetState {
    const { key } = periodOf(spec.period, now)
    let budget = this.state.budgets.get(spec.name)
    if (!budget || budget.period !== key) {
      budget = { period: key, used: 0, alerted: 0 }
      this.state.budgets.set(spec.name, budget)
    }
    return budget
  }

  private reserved(spec: BudgetSpec, now: number): number {
    const { key } = periodOf(spec.period, now)
    let sum = 0
    for (const r of this.state.reservations.values()) {
      const held = r.held[spec.name]
      if (held && held.period === key) sum += held.amount
    }
    return sum
  }

  private announceRefusal(spec: BudgetSpec, budget: BudgetState, crossings: Crossing[], now: number): void {
    const top = spec.thresholds[spec.thresholds.length - 1]
    if (top === undefined || budget.alerted >= top) return
    budget.alerted = top
    this.persist(`budget:${spec.name}`, budget)
    crossings.push(this.crossing(spec, budget, top, true, now))
  }

  private crossing(spec: BudgetSpec, budget: BudgetState, threshold: number, refusing: boolean, now: number): Crossing {
    return { budget: spec.name, threshold, period: budget.period, periodEnd: periodOf(spec.period, now).end, unit: spec.unit, used: budget.used, limit: spec.limit, refusing }
  }

  private take(id: string): Reservation | undefined {
    const reservation = this.state.reservations.get(id)
    if (reservation) {
      this.state.reservations.delete(id)
      this.persist(`res:${id}`, undefined)
    }
    return reservation
  }

  private setBucket(kind: 'requests' | 'tokens', state: BucketState): void {
    this.state.buckets[kind] = state
    this.persist(`bucket:${kind}`, state)
  }
}
