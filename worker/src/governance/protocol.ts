/**
 * What the worker and a scope's Durable Object (`ScopeLedger`) say to each other: plain,
 * structured-clonable data. One `admit` per scope before the upstream call, one `settle` (or
 * `release`) after it. The worker sends the scope's limits with every call, so the object never
 * needs the policy and a policy change applies at the next request.
 */
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

export interface AdmitCall {
  /** The request id: the reservation's name. */
  id: string
  rate?: { requests?: BucketSpec; tokens?: BucketSpec; tokenCost: number }
  budgets: BudgetSpec[]
  /** The requested alias first; then each downgrade target the budgets may switch to. */
  alias: string
  costs: Record<string, Cost>
  /** A stream can be cut at the cap, so it is admitted with less headroom than its worst case. */
  stream: boolean
  ttlMs: number
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
  rate: {
    requests?: RateSnapshot
    tokens?: RateSnapshot
    /** Which bucket refused, and when to retry (null: the request is larger than the limit itself). */
    limited?: { kind: 'requests' | 'tokens'; retryAfterMs: number | null }
  }
  /** Set when a block budget refused: its name, state and when its period ends. */
  blocked?: { budget: string; unit: Unit; used: number; limit: number; periodEnd: number | null }
  /** The alias to serve (a downgrade budget may have switched it) and which budget did. */
  alias: string
  downgradedBy?: string
  /** The tightest block budget's room for this request (its reservation included), per unit. */
  headroom: Partial<Record<Unit, { budget: string; amount: number }>>
  crossings: Crossing[]
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
