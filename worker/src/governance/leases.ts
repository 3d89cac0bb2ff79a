/**
 * This isolate's leases on scope ledgers. A lease is a share of a scope's rate-limit buckets and
 * budgets that its ledger granted this isolate alone (and holds for it as one reservation), so a
 * request the lease covers is admitted here, with no round trip: atomic, since an isolate runs one
 * piece of JavaScript at a time, and exact overall, since leases are disjoint slices of what was
 * left. A request the lease cannot cover asks the ledger, which judges it and grants a new lease.
 *
 * A lease is used for LEASE_USABLE_MS, then retired: what it still holds is given back with the
 * next call to that ledger. An isolate that dies keeps its lease until the ledger's reservation
 * expires. Deliberate isolate-level state, bounded by MAX_SCOPES (oldest dropped first).
 */
import type { AdmitAnswer, Holding, RateSnapshot } from './protocol.ts'
import { registerCache } from '../lib/isolate-caches.ts'
import { setBounded } from '../lib/bounded-map.ts'

/** A lease takes this share of what is left beyond its first request: far from a cap most requests are local; near it, none are. */
export const LEASE_SHARE = 1 / 16
export const LEASE_USABLE_MS = 20_000
const MAX_SCOPES = 10_000
const MAX_RETIRED = 8

export interface LocalLease {
  id: string
  usableUntil: number
  /** What is left for later requests. */
  left: Holding
  /** Each block budget's room at grant, less what this isolate has drawn since: how far a stream may run. */
  room: Record<string, number>
  /** The buckets just after the grant: with `left`, what the x-ratelimit headers say. */
  rate: { requests?: RateSnapshot; tokens?: RateSnapshot }
}

interface ScopeLeases {
  current?: LocalLease
  retired: { id: string; unused: Holding }[]
}

const scopes = new Map<string, ScopeLeases>()
registerCache('lease-scopes', { size: () => scopes.size, bound: MAX_SCOPES, unit: 'entries' })

function entry(name: string): ScopeLeases {
  let found = scopes.get(name)
  if (!found) {
    setBounded(scopes, name, (found = { retired: [] }), MAX_SCOPES)
  }
  return found
}

/** Takes `need` from the scope's lease when it covers all of it; undefined sends the request to the ledger. */
export function drawLocal(name: string, need: Holding, now: number): { lease: LocalLease; room: Record<string, number> } | undefined {
  const scope = scopes.get(name)
  const lease = scope?.current
  if (!scope || !lease) return undefined
  if (lease.usableUntil <= now) {
    retire(scope)
    return undefined
  }
  // Not enough left: the lease is retired now, so the ledger call this request makes gives its rest back.
  const short = lease.left.requests < need.requests || lease.left.tokens < need.tokens || Object.entries(need.budgets).some(([budget, amount]) => (lease.left.budgets[budget] ?? 0) < amount)
  if (short) {
    retire(scope)
    return undefined
  }
  const room = { ...lease.room }
  subtract(lease.left, need)
  for (const [budget, amount] of Object.entries(need.budgets)) if (budget in lease.room) lease.room[budget] = Math.max(0, lease.room[budget]! - amount)
  return { lease, room }
}

/** A grant from the ledger becomes this scope's lease (the one it replaces is retired). */
export function adopt(name: string, id: string, answer: AdmitAnswer, now: number): LocalLease {
  const scope = entry(name)
  retire(scope)
  const room: Record<string, number> = {}
  for (const [budget, value] of Object.entries(answer.room)) room[budget] = Math.max(0, value - (answer.held.budgets[budget] ?? 0))
  scope.current = { id, usableUntil: now + LEASE_USABLE_MS, left: clone(answer.extra), room, rate: answer.rate }
  return scope.current
}

/** What the scope's retired leases still hold, to give back with the next ledger call (and forget). */
export function returning(name: string): { id: string; unused: Holding }[] {
  const scope = scopes.get(name)
  if (!scope) return []
  const out = scope.retired
  scope.retired = []
  return out
}

/** A request refused by another scope gives its holding back to the lease it came from; false when that lease is gone. */
export function giveBack(name: string, leaseId: string, held: Holding): boolean {
  const scope = scopes.get(name)
  if (scope?.current?.id === leaseId) {
    add(scope.current.left, held)
    return true
  }
  const retired = scope?.retired.find((r) => r.id === leaseId)
  if (retired) add(retired.unused, held)
  return retired !== undefined
}

/** The x-ratelimit snapshot a request admitted under `lease` reports: the buckets plus what the lease still holds. */
export function rateOf(lease: LocalLease): { requests?: RateSnapshot; tokens?: RateSnapshot } {
  const out: { requests?: RateSnapshot; tokens?: RateSnapshot } = {}
  for (const kind of ['requests', 'tokens'] as const) {
    const snap = lease.rate[kind]
    if (!snap) continue
    const remaining = Math.min(snap.limit, snap.remaining + Math.floor(lease.left[kind]))
    // The bucket refills at a constant rate: the time to full scales with what is missing.
    const missing = snap.limit - snap.remaining
    out[kind] = { limit: snap.limit, remaining, resetMs: missing > 0 ? Math.ceil((snap.resetMs * (snap.limit - remaining)) / missing) : 0 }
  }
  return out
}

/** What this isolate's usable lease on a scope still holds (nothing when it has none). */
export function leftOn(name: string, now: number = Date.now()): Holding | undefined {
  const lease = scopes.get(name)?.current
  return lease && lease.usableUntil > now ? lease.left : undefined
}

/** Forgets every lease (tests start from a clean isolate). */
export function forgetLeases(): void {
  scopes.clear()
}

function retire(scope: ScopeLeases): void {
  const lease = scope.current
  scope.current = undefined
  if (!lease || isEmpty(lease.left)) return
  scope.retired.push({ id: lease.id, unused: lease.left })
  if (scope.retired.length > MAX_RETIRED) scope.retired.shift() // the ledger's expiry reclaims it
}

const clone = (h: Holding): Holding => ({ requests: h.requests, tokens: h.tokens, budgets: { ...h.budgets } })
const isEmpty = (h: Holding): boolean => h.requests <= 0 && h.tokens <= 0 && Object.values(h.budgets).every((v) => v <= 0)

function subtract(from: Holding, h: Holding): void {
  from.requests -= h.requests
  from.tokens -= h.tokens
  for (const [k, v] of Object.entries(h.budgets)) from.budgets[k] = (from.budgets[k] ?? 0) - v
}

function add(to: Holding, h: Holding): void {
  to.requests += h.requests
  to.tokens += h.tokens
  for (const [k, v] of Object.entries(h.budgets)) to.budgets[k] = (to.budgets[k] ?? 0) + v
}
