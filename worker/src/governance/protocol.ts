/**
 * What the worker and a scope's Durable Object (`ScopeLedger`) say to each other: plain,
 * structured-clonable data. An isolate asks for a *lease* when its current one cannot cover a
 * request: the ledger judges that request (rate limits, budgets) and, if it is admitted, grants it
 * plus a share of what is left for the isolate's next requests, which are then admitted locally.
 * Each request `settle`s its real cost afterwards; an isolate `release`s what it no longer uses.
 * The worker sends the scope's limits with every call, so the object never needs the policy and a
 * policy change applies within one lease.
 */
import type { AnomalyReport, AnomalySpec } from './anomaly.ts'
import type { BucketSpec } from './token-bucket.ts'

export type Scope = 'project' | 'key' | 'session'
export type Unit = 'usd' | 'tokens'

export interface BudgetSpec {
  name: string
  period: 'day' | 'month' | 'session'
  unit: Unit
  limit: number
  action: 'block' | 'downgrade'
  downgradeTo?: string
  /** Percent thresholds announced once per period, ascending. */
  thresholds: number[]
}

/** What one request would spend, in both units. */
export interface Amount {
  usd: number
  tokens: number
}

/** A request's worst case (prompt estimate + max output) and its prompt part alone, at one alias. */
export interface Cost {
  full: Amount
  prompt: Amount
}

/** Amounts held for a request or a lease: rate-limit requests and tokens, and per budget name. */
export interface Holding {
  requests: number
  tokens: number
  budgets: Record<string, number>
}

export interface LeaseCall {
  /** The new lease's id (the reservation's name at the ledger). */
  id: string
  /** The isolate's retired leases on this scope and what of them went unused, given back. */
  returning: { id: string; unused: Holding }[]
  rate?: { requests?: BucketSpec; tokens?: BucketSpec; tokenCost: number }
  budgets: BudgetSpec[]
  /** The requested alias first; then each downgrade target the budgets may switch to. */
  alias: string
  costs: Record<string, Cost>
  /** A stream can be cut at the cap, so it is admitted with less headroom than its worst case. */
  stream: boolean
  ttlMs: number
  /** The fraction of what is left, beyond this request, the lease may take for later requests (0: none). */
  share: number
  /** The scope's anomaly detection (key and session scopes whose project declares it). */
  anomaly?: AnomalySpec
}

export interface RateSnapshot {
  limit: number
  remaining: number
  resetMs: number
}

export interface Crossing {
  budget: string
  threshold: number
  period: string
  periodEnd: number | null
  unit: Unit
  used: number
  limit: number
  /** The first refusal (or downgrade) of the period, rather than spend reaching the threshold. */
  refusing: boolean
}

export interface AdmitAnswer {
  /** What this request holds (settled later), and the rest of the lease for the isolate's next requests. */
  held: Holding
  extra: Holding
  /** Each block budget's room for this request (what was neither spent nor reserved): how far a stream may run. */
  room: Record<string, number>
  rate: {
    requests?: RateSnapshot
    tokens?: RateSnapshot
    /** Which bucket refused, and when to retry (null: the request is larger than the limit itself). */
    limited?: { kind: 'requests' | 'tokens'; retryAfterMs: number | null }
  }
  /** Set when a block budget refused: its name, state (spent, held by requests in flight), what the request needed, when its period ends. */
  blocked?: { budget: string; unit: Unit; used: number; reserved: number; need: number; limit: number; periodEnd: number | null }
  /** The alias to serve (a downgrade budget may have switched it) and which budget did. */
  alias: string
  downgradedBy?: string
  crossings: Crossing[]
  /** Set when an anomaly blocks the scope (policy `block`, within its cooldown): nothing was taken. */
  anomaly?: AnomalyReport
}

/** A batch's settlement: the thresholds it crossed, the anomaly a request in it tripped, and a block in force. */
export interface SettleAnswer {
  crossings: Crossing[]
  flagged?: AnomalyReport & { requestId?: string }
  blocking?: AnomalyReport
}

/** What the request really cost; usd null when it could not be priced (the reservation stands). */
export interface Actual {
  usd: number | null
  tokens: number
  /** Tokens for the rate limit (0 for a cache hit: no provider tokens used). */
  rateTokens: number
}

export interface BudgetView {
  name: string
  period: string
  periodEnd: number | null
  unit: Unit
  limit: number
  used: number
  reserved: number
  action: 'block' | 'downgrade'
}

export interface ScopeView {
  requests?: RateSnapshot
  tokens?: RateSnapshot
  budgets: BudgetView[]
}
