/**
 * Rate limits counted outside the scope ledgers, when policy picks another backend:
 *
 * - `upstash`: `@upstash/ratelimit` token buckets in Upstash Redis (one EVALSHA per bucket, the
 *   two buckets of a scope in parallel; a refund is a negative rate, which its script allows);
 * - `binding`: the Workers rate-limit binding — cheap, approximate, per Cloudflare location,
 *   requests only, its limit and period fixed in wrangler.jsonc; it reports no remaining count.
 */
import { Ratelimit } from '@upstash/ratelimit'
import { Redis } from '@upstash/redis/cloudflare'
import type { GatewayEnv } from '../env.ts'
import type { RateSnapshot } from './protocol.ts'
import type { BucketSpec } from './token-bucket.ts'

export interface Buckets {
  requests?: BucketSpec
  tokens?: BucketSpec
}

export interface ExternalAnswer {
  requests?: RateSnapshot
  tokens?: RateSnapshot
  limited?: { kind: 'requests' | 'tokens'; retryAfterMs: number | null }
  /** What was taken, to give back when the request is refused elsewhere or corrected after it. */
  taken: { requests: number; tokens: number }
}

type Kind = 'requests' | 'tokens'
// Deliberate isolate-level cache: one limiter per (credentials, kind, spec), bounded by the policy.
const limiters = new Map<string, Ratelimit>()

function limiter(env: GatewayEnv, kind: Kind, spec: BucketSpec): Ratelimit | undefined {
  const url = env.UPSTASH_REDIS_REST_URL
  const token = env.UPSTASH_REDIS_REST_TOKEN
  if (!url || !token) return undefined
  const key = `${url}\0${kind}\0${spec.limit}\0${spec.windowMs}`
  let found = limiters.get(key)
  if (!found) {
    const redis = new Redis({ url, token, enableTelemetry: false, retry: { retries: 0 } })
    // Refilled every second by limit/window: a continuously refilled bucket at 1 s granularity.
    const perSecond = (spec.limit * 1000) / spec.windowMs
    found = new Ratelimit({
      redis,
      limiter: Ratelimit.tokenBucket(perSecond, '1 s', spec.limit),
      prefix: `watchllm:rl:${kind}`,
      // Our own timeout and fail mode apply; the library's would silently let the request through.
      timeout: 0,
      ephemeralCache: false,
      analytics: false,
    })
    limiters.set(key, found)
  }
  return found
}

export async function takeUpstash(env: GatewayEnv, id: string, buckets: Buckets, tokenCost: number): Promise<ExternalAnswer> {
  const answer: ExternalAnswer = { taken: { requests: 0, tokens: 0 } }
  const now = Date.now()
  const work = (['requests', 'tokens'] as const).map(async (kind) => {
    const spec = buckets[kind]
    if (!spec) return
    const rl = limiter(env, kind, spec)
    if (!rl) throw new Error('UPSTASH_REDIS_REST_URL / UPSTASH_REDIS_REST_TOKEN are not set')
    const amount = kind === 'requests' ? 1 : tokenCost
    if (amount > spec.limit) {
      answer.limited ??= { kind, retryAfterMs: null }
      return
    }
    const result = await rl.limit(id, { rate: amount })
    const perMs = spec.limit / spec.windowMs
    answer[kind] = { limit: spec.limit, remaining: result.remaining, resetMs: Math.ceil((spec.limit - result.remaining) / perMs) }
    if (result.success) answer.taken[kind] = amount
    else answer.limited ??= { kind, retryAfterMs: Math.max(result.reset - now, Math.ceil((amount - result.remaining) / perMs)) }
  })
  await Promise.all(work)
  return answer
}

/** Gives `amounts` back (negative: takes more, where the bucket holds it). */
export async function giveUpstash(env: GatewayEnv, id: string, buckets: Buckets, amounts: { requests: number; tokens: number }): Promise<void> {
  await Promise.all(
    (['requests', 'tokens'] as const).map(async (kind) => {
      const spec = buckets[kind]
      const amount = amounts[kind]
      if (!spec || amount === 0) return
      await limiter(env, kind, spec)?.limit(id, { rate: -amount })
    }),
  )
}

export async function takeBinding(env: GatewayEnv, binding: string, id: string, buckets: Buckets): Promise<ExternalAnswer> {
  const spec = buckets.requests
  const answer: ExternalAnswer = { taken: { requests: 0, tokens: 0 } }
  if (!spec) return answer
  const limiter = (env as unknown as Record<string, RateLimit | undefined>)[binding]
  if (!limiter || typeof limiter.limit !== 'function') throw new Error(`the rate-limit binding ${binding} is not bound`)
  const { success } = await limiter.limit({ key: id })
  answer.requests = { limit: spec.limit, remaining: Number.NaN, resetMs: Number.NaN }
  if (success) answer.taken.requests = 1
  else answer.limited = { kind: 'requests', retryAfterMs: spec.windowMs }
  return answer
}

/** What is left in a scope's external buckets, without taking anything (for `GET /v1/budget`). */
export async function remainingExternal(
  env: GatewayEnv,
  external: { backend: 'upstash' | 'binding'; key?: Buckets; project?: Buckets },
  scope: 'key' | 'project',
  id: string,
): Promise<{ requests?: RateSnapshot; tokens?: RateSnapshot }> {
  const buckets = external[scope] ?? {}
  const out: { requests?: RateSnapshot; tokens?: RateSnapshot } = {}
  for (const kind of ['requests', 'tokens'] as const) {
    const spec = buckets[kind]
    if (!spec) continue
    if (external.backend === 'binding') {
      out[kind] = { limit: spec.limit, remaining: Number.NaN, resetMs: Number.NaN }
      continue
    }
    const left = await limiter(env, kind, spec)?.getRemaining(id)
    if (left) out[kind] = { limit: spec.limit, remaining: Math.max(0, Math.floor(left.remaining)), resetMs: Math.ceil(((spec.limit - left.remaining) * spec.windowMs) / spec.limit) }
  }
  return out
}
