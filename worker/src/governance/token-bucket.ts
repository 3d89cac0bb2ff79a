/**
 * A token bucket, as OpenAI's own limits behave: `limit` per window, refilled continuously (not in
 * steps), so "remaining" and "reset" are exact at any instant and the state is two numbers. Pure:
 * the caller passes the clock and keeps the state.
 */

export interface BucketSpec {
  limit: number
  windowMs: number
}

/** The level at `at`; a missing state is a full bucket. The level may be negative after a debit. */
export interface BucketState {
  level: number
  at: number
}

export type Take =
  | { ok: true; state: BucketState; remaining: number }
  /** `retryAfterMs` null: more than the whole limit was asked for, waiting will never help. */
  | { ok: false; retryAfterMs: number | null; remaining: number }

const rate = (spec: BucketSpec): number => spec.limit / spec.windowMs

export function levelAt(spec: BucketSpec, state: BucketState | undefined, now: number): number {
  if (!state) return spec.limit
  return Math.min(spec.limit, state.level + Math.max(0, now - state.at) * rate(spec))
}

/** Takes `amount` if the bucket holds it; otherwise nothing changes. */
export function take(spec: BucketSpec, state: BucketState | undefined, now: number, amount: number): Take {
  const level = levelAt(spec, state, now)
  if (amount > spec.limit) return { ok: false, retryAfterMs: null, remaining: Math.max(0, Math.floor(level)) }
  if (level < amount) return { ok: false, retryAfterMs: Math.ceil((amount - level) / rate(spec)), remaining: Math.max(0, Math.floor(level)) }
  const next = { level: level - amount, at: now }
  return { ok: true, state: next, remaining: Math.floor(next.level) }
}

/** Gives `amount` back (a refund), or takes it unconditionally when negative (a correction after the fact). */
export function adjust(spec: BucketSpec, state: BucketState | undefined, now: number, amount: number): BucketState {
  return { level: Math.min(spec.limit, levelAt(spec, state, now) + amount), at: now }
}

/** What the `x-ratelimit-*` headers say: the limit, what is left now, and when the bucket is full again. */
export function snapshot(spec: BucketSpec, state: BucketState | undefined, now: number): { limit: number; remaining: number; resetMs: number } {
  const level = levelAt(spec, state, now)
  return { limit: spec.limit, remaining: Math.max(0, Math.floor(level)), resetMs: Math.max(0, Math.ceil((spec.limit - level) / rate(spec))) }
}
