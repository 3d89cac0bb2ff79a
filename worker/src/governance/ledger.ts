/**
 * One scope's counters (a project, a key or a session): its rate-limit buckets and its budgets,
 * with reserve-then-settle. Pure logic over an in-memory state; the Durable Object around it
 * (durable/scope-ledger.ts) persists every change it is told about and serialises the calls,
 * which is what makes every grant atomic.
 *
 * - lease: judges one request — rate buckets first (nothing is taken if either refuses), then
 *   budgets: a `downgrade` budget the request would overrun switches the alias; a `block` budget
 *   refuses unless the request's worst case fits in what is neither spent nor reserved (a stream
 *   needs only room for its prompt: it is cut at the cap). An admitted request is held, plus a
 *   `share` of what is left for the isolate's next requests — all one reservation that expires.
 * - settle: a request's holding becomes its real cost; the token bucket is corrected.
 * - release: an isolate gives back what it did not use (or what a refused request held).
 * - anomalies (key and session scopes that declare them): settlements feed the scope's spend
 *   buckets (anomaly.ts); a `block` anomaly in force refuses the lease before anything is taken.
 */
import { AnomalyMeter, type AnomalyMeta, type AnomalySpec, type AnomalyState, type Bucket } from './anomaly.ts'
import type { Actual, AdmitAnswer, BudgetSpec, BudgetView, Crossing, Holding, LeaseCall, ScopeView, SettleAnswer } from './protocol.ts'
import type { Settlement } from './settle-batch.ts'
import { adjust, levelAt, snapshot, take, type BucketSpec, type BucketState } from './token-bucket.ts'
import { own } from '../lib/own.ts'

export interface BudgetState {
  period: string
  used: number
  /** The highest threshold announced this period. */
  alerted: number
}

export interface Reservation {
  /** Per budget name: the amount still held (requests in flight + unused share) and the period it was held in. */
  held: Record<string, { amount: number; period: string }>
  /** Rate tokens and requests taken under this lease that may still be given back. */
  rateTokens: number
  requests: number
  expires: number
}

export interface LedgerState {
  buckets: { requests?: BucketState; tokens?: BucketState }
  budgets: Map<string, BudgetState>
  reservations: Map<string, Reservation>
  anomaly?: AnomalyState
}

/** Storage keys the Durable Object persists: `bucket:<kind>`, `budget:<name>`, `res:<id>`, `anomaly`, `anom:<index>`. */
export type Persist = (key: string, value: BucketState | BudgetState | Reservation | AnomalyMeta | Bucket | undefined) => void

export const emptyState = (): LedgerState => ({ buckets: {}, budgets: new Map(), reservations: new Map() })
export const noHolding = (): Holding => ({ requests: 0, tokens: 0, budgets: {} })

/** Below this a holding is spent (float sums of prices never land exactly on 0). */
const EPSILON = 1e-12

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
  private readonly anomalies: AnomalyMeter

  constructor(state: LedgerState, persist: Persist) {
    this.state = state
    this.persist = persist
    this.anomalies = new AnomalyMeter(state.anomaly, persist)
  }

  lease(call: LeaseCall, now: number): AdmitAnswer {
    this.sweep(now)
    for (const back of call.returning) this.release(back.id, back.unused, call.rate, now)
    const answer: AdmitAnswer = { held: noHolding(), extra: noHolding(), room: {}, rate: {}, alias: call.alias, crossings: [] }
    const blocked = call.anomaly && this.anomalies.blocking(call.anomaly, now)
    if (blocked) return { ...answer, anomaly: blocked }

    // Rate limits: both buckets must hold the request before either is taken from.
    const taken: { kind: 'requests' | 'tokens'; spec: BucketSpec; state: BucketState; amount: number }[] = []
    for (const [kind, amount] of [['requests', 1], ['tokens', call.rate?.tokenCost ?? 0]] as const) {
      const spec = call.rate?.[kind]
      if (!spec) continue
      const result = take(spec, this.state.buckets[kind], now, amount)
      if (!result.ok) {
        answer.rate.limited ??= { kind, retryAfterMs: result.retryAfterMs }
        answer.rate[kind] = snapshot(spec, this.state.buckets[kind], now)
      } else taken.push({ kind, spec, state: result.state, amount })
    }
    if (answer.rate.limited) {
      for (const t of taken) answer.rate[t.kind] = snapshot(t.spec, this.state.buckets[t.kind], now)
      return answer
    }

    // Budgets: downgrades first (they choose the alias), then the hard caps at that alias's cost.
    const current = call.budgets.map((spec) => ({ spec, budget: this.budget(spec, now), reserved: this.reserved(spec, now) }))
    for (const { spec, budget, reserved } of current) {
      if (spec.action !== 'downgrade' || !spec.downgradeTo || answer.alias === spec.downgradeTo || !own(call.costs, spec.downgradeTo)) continue
      const cost = own(call.costs, answer.alias)
      if (cost && budget.used + reserved + cost.full[spec.unit] > spec.limit) {
        answer.alias = spec.downgradeTo
        answer.downgradedBy = spec.name
        this.announceRefusal(spec, budget, answer.crossings, now)
      }
    }
    const cost = own(call.costs, answer.alias)
    for (const { spec, budget, reserved } of current) {
      const full = cost?.full[spec.unit] ?? 0
      const room = spec.limit - budget.used - reserved
      if (spec.action === 'downgrade') {
        answer.held.budgets[spec.name] = full
        // Once this budget has switched the alias, every request comes back here to be judged.
        answer.extra.budgets[spec.name] = answer.downgradedBy === spec.name ? 0 : Math.max(0, room - full) * call.share
        continue
      }
      const fits = full <= room || (call.stream && (cost?.prompt[spec.unit] ?? 0) < room)
      if (!fits) {
        this.announceRefusal(spec, budget, answer.crossings, now)
        const need = call.stream ? (cost?.prompt[spec.unit] ?? 0) : full
        answer.blocked = { budget: spec.name, unit: spec.unit, used: budget.used, reserved, need, limit: spec.limit, periodEnd: periodOf(spec.period, now).end }
        return answer
      }
      answer.room[spec.name] = room
      answer.held.budgets[spec.name] = Math.min(full, room)
      answer.extra.budgets[spec.name] = Math.max(0, room - full) * call.share
    }

    // Admitted: take the request, then the lease's share of what the buckets have left.
    for (const t of taken) {
      const extra = Math.floor(levelAt(t.spec, t.state, now) * call.share)
      this.setBucket(t.kind, extra > 0 ? adjust(t.spec, t.state, now, -extra) : t.state)
      answer.held[t.kind] = t.amount
      answer.extra[t.kind] = extra
      answer.rate[t.kind] = snapshot(t.spec, this.state.buckets[t.kind], now)
    }
    const held: Reservation['held'] = {}
    for (const { spec, budget } of current)
      held[spec.name] = { amount: (answer.held.budgets[spec.name] ?? 0) + (answer.extra.budgets[spec.name] ?? 0), period: budget.period }
    const reservation: Reservation = {
      held,
      rateTokens: answer.held.tokens + answer.extra.tokens,
      requests: answer.held.requests + answer.extra.requests,
      expires: now + call.ttlMs,
    }
    this.state.reservations.set(call.id, reservation)
    this.persist(`res:${call.id}`, reservation)
    return answer
  }

  /** A request's holding under lease `id` becomes its real cost; returns the thresholds it crossed. */
  settle(id: string, held: Holding, actual: Actual, budgets: BudgetSpec[], tokens: BucketSpec | undefined, now: number): Crossing[] {
    const reservation = this.state.reservations.get(id)
    if (reservation) this.drawDown(id, reservation, held)
    // The bucket gave the request its estimate; the provider's reported usage corrects it.
    if (tokens && held.tokens !== actual.rateTokens) this.setBucket('tokens', adjust(tokens, this.state.buckets.tokens, now, held.tokens - actual.rateTokens))
    const crossings: Crossing[] = []
    for (const spec of budgets) {
      const budget = this.budget(spec, now)
      const spent = spec.unit === 'tokens' ? actual.tokens : (actual.usd ?? held.budgets[spec.name] ?? 0)
      if (spent <= 0) continue
      const before = budget.used
      budget.used += spent
      // One request that jumps several thresholds announces only the highest it reached.
      let reached: number | undefined
      for (const threshold of spec.thresholds) {
        const line = (spec.limit * threshold) / 100
        if (threshold > budget.alerted && before < line && budget.used >= line) reached = threshold
      }
      if (reached !== undefined) {
        budget.alerted = reached
        crossings.push(this.crossing(spec, budget, reached, false, now))
      }
      this.persist(`budget:${spec.name}`, budget)
    }
    return crossings
  }

  /** A batch of settlements (one Durable Object call); each also feeds the scope's anomaly detection. */
  settleMany(items: Settlement[], budgets: BudgetSpec[], tokens: BucketSpec | undefined, anomaly: AnomalySpec | undefined, now: number): SettleAnswer {
    const answer: SettleAnswer = { crossings: [] }
    for (const i of items) {
      answer.crossings.push(...this.settle(i.leaseId, i.held, i.actual, budgets, tokens, now))
      const flagged = anomaly && this.anomalies.record(anomaly, i.actual, now)
      if (flagged) answer.flagged = { ...flagged, requestId: i.requestId }
    }
    const blocking = anomaly && this.anomalies.blocking(anomaly, now)
    if (blocking) answer.blocking = blocking
    return answer
  }

  /** Gives back what lease `id` holds but no request will use; its rate requests and tokens return to the buckets. */
  release(id: string, unused: Holding, rate: LeaseCall['rate'], now: number): void {
    const reservation = this.state.reservations.get(id)
    if (!reservation) return
    const requests = Math.min(unused.requests, reservation.requests)
    const tokens = Math.min(unused.tokens, reservation.rateTokens)
    if (rate?.requests && requests > 0) this.setBucket('requests', adjust(rate.requests, this.state.buckets.requests, now, requests))
    if (rate?.tokens && tokens > 0) this.setBucket('tokens', adjust(rate.tokens, this.state.buckets.tokens, now, tokens))
    this.drawDown(id, reservation, unused)
  }

  view(budgets: BudgetSpec[], rate: LeaseCall['rate'], now: number): ScopeView {
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

  /** Drops reservations past their expiry (an isolate that died with a lease): budgets must not leak. */
  sweep(now: number): void {
    for (const [id, r] of this.state.reservations)
      if (r.expires <= now) {
        this.state.reservations.delete(id)
        this.persist(`res:${id}`, undefined)
      }
  }

  private drawDown(id: string, reservation: Reservation, holding: Holding): void {
    for (const [name, amount] of Object.entries(holding.budgets)) {
      const held = reservation.held[name]
      if (held) held.amount = Math.max(0, held.amount - amount)
    }
    reservation.rateTokens = Math.max(0, reservation.rateTokens - holding.tokens)
    reservation.requests = Math.max(0, reservation.requests - holding.requests)
    const spent = reservation.requests === 0 && reservation.rateTokens <= 0 && Object.values(reservation.held).every((h) => h.amount <= EPSILON)
    if (spent) this.state.reservations.delete(id)
    this.persist(`res:${id}`, spent ? undefined : reservation)
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

  private setBucket(kind: 'requests' | 'tokens', state: BucketState): void {
    this.state.buckets[kind] = state
    this.persist(`bucket:${kind}`, state)
  }
}
