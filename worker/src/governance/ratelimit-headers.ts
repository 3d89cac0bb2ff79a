/**
 * OpenAI's own rate-limit headers, so SDKs and clients written for OpenAI read the gateway's limits
 * unchanged: `x-ratelimit-{limit,remaining,reset}-{requests,tokens}` (reset in OpenAI's Go-style
 * duration: `1s`, `6m0s`, `8.64s`, `20ms`), and on a 429 `Retry-After` (whole seconds) plus
 * `retry-after-ms`, which the official `openai` client prefers (it waits that long, up to 60 s).
 */
import type { RateSnapshot } from './protocol.ts'

export function rateLimitHeaders(rate: { requests?: RateSnapshot; tokens?: RateSnapshot }): Record<string, string> {
  const headers: Record<string, string> = {}
  for (const kind of ['requests', 'tokens'] as const) {
    const snap = rate[kind]
    if (!snap) continue
    headers[`x-ratelimit-limit-${kind}`] = String(snap.limit)
    // The rate-limit binding reports no count: say nothing rather than something made up.
    if (Number.isFinite(snap.remaining)) headers[`x-ratelimit-remaining-${kind}`] = String(snap.remaining)
    if (Number.isFinite(snap.resetMs)) headers[`x-ratelimit-reset-${kind}`] = openAiDuration(snap.resetMs)
  }
  return headers
}

/** `Retry-After` in whole seconds (at least 1) and `retry-after-ms`; nothing when waiting will not help. */
export function retryHeaders(retryAfterMs: number | null): Record<string, string> {
  if (retryAfterMs === null || !Number.isFinite(retryAfterMs)) return { 'x-should-retry': 'false' }
  const ms = Math.max(0, Math.ceil(retryAfterMs))
  return { 'Retry-After': String(Math.max(1, Math.ceil(ms / 1000))), 'retry-after-ms': String(ms) }
}

/** Go's time.Duration format, as OpenAI's headers use it: `0s`, `20ms`, `1s`, `8.64s`, `6m0s`, `1h2m3s`. */
export function openAiDuration(ms: number): string {
  const total = Math.max(0, Math.round(ms))
  if (total === 0) return '0s'
  if (total < 1000) return `${total}ms`
  const hours = Math.floor(total / 3_600_000)
  const minutes = Math.floor((total % 3_600_000) / 60_000)
  const seconds = ((total % 60_000) / 1000).toFixed(3).replace(/\.?0+$/, '')
  if (hours > 0) return `${hours}h${minutes}m${seconds}s`
  if (minutes > 0) return `${minutes}m${seconds}s`
  return `${seconds}s`
}
