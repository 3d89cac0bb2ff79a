/**
 * The exact cache: L0 (in-isolate LRU) → the per-location tier (Workers Cache API, this data
 * centre) → L1 (Upstash Redis or KV, per policy, global). A hit answers at once — replayed as SSE
 * when the client streams — and an L1 hit fills the tiers above it for the entry's remaining TTL.
 * On a miss the request goes on, and the complete answer is stored afterwards with `waitUntil`,
 * off the response path, in every tier. Only complete 2xx answers are ever stored. The lookups
 * spend the request's pre-upstream budget (cache/lookup-budget.ts): a slow or failing tier is
 * bypassed, never an error.
 *
 * @example app.post('/v1/chat/completions', …, exactCache(), callUpstream())
 */
import type { Context, MiddlewareHandler } from 'hono'
import { cacheIntent } from '../cache/cache-control.ts'
import { decodeAnswer, encodeAnswer, expiresAtOf } from '../cache/stored-answer.ts'
import { locationTier, type LocationTier } from '../cache/location-tier.ts'
import { lookupBudgetOf, type LookupBudget } from '../cache/lookup-budget.ts'
import { exactCacheKey } from '../cache/canonical-key.ts'
import { exactStoreFor, type ExactStore } from '../cache/exact-store.ts'
import { LruCache } from '../cache/lru.ts'
import { registerCache } from '../lib/isolate-caches.ts'
import { mayStore } from '../cache/may-store.ts'
import type { AppEnv } from '../env.ts'
import { GatewayError } from '../errors.ts'
import { respondFromCache } from '../respond/cached-answer.ts'
import { nativeBody } from '../shapes/native.ts'
import { shapes } from '../shapes/registry.ts'

export function exactCache(options: { l0?: LruCache } = {}): MiddlewareHandler<AppEnv> {
  // Deliberate isolate-level state: bounded by entries and bytes.
  const l0 = options.l0 ?? new LruCache(2_000, 32 * 1024 * 1024)
  registerCache('exact-l0-entries', { size: () => l0.size, bound: l0.limits.entries, unit: 'entries' })
  registerCache('exact-l0-bytes', { size: () => l0.byteSize, bound: l0.limits.bytes, unit: 'bytes' })

  return async function exactCacheStage(c, next) {
    const policy = c.get('project').cache.exact
    const intent = cacheIntent({
      control: c.req.header('cache-control'),
      watchllm: c.req.header('x-watchllm-cache'),
      namespace: c.req.header('x-watchllm-cache-namespace'),
    })
    if (!intent.ok) throw new GatewayError(400, 'invalid_request', intent.error.message, null)
    c.set('cacheIntent', intent.value) // the semantic stage honours the same read / write / namespace
    const facts = c.get('facts')
    if (!policy.enabled || (!intent.value.read && !intent.value.write)) {
      facts.cache = 'BYPASS'
      await next()
      // A later cache stage may have answered (SEMANTIC) or looked (MISS).
      c.res.headers.set('X-WatchLLM-Cache', facts.cache ?? 'BYPASS')
      return
    }

    const endpoint = c.get('endpoint')
    const ttl = endpoint === 'embeddings' ? policy.embeddings_ttl_seconds : policy.ttl_seconds
    // A /v1/messages or /v1/responses request is keyed in its own shape (its answer is kept in it too).
    const native = c.get('native')
    const key = exactCacheKey({
      project: c.get('caller').project,
      namespace: intent.value.namespace,
      endpoint: native?.shape ?? endpoint,
      alias: c.get('route').alias,
      routeFingerprint: c.get('route').fingerprint,
      body: native ? nativeBody(c, shapes[native.shape]) : c.get('body'),
    })
    const store = exactStoreFor(policy.store, c.env)
    // The per-location tier fronts a global store only: with `store: none` the cache is this isolate's.
    const location = store ? locationTier(new URL(c.req.url).origin) : undefined

    // An "absent" marker this request leaves must land before its own answer does (never after it).
    const marks: Promise<unknown>[] = []
    if (intent.value.read) {
      const stored = l0.get(key) ?? (store ? await readShared({ c, key, store, location, l0, ttl, marks, budget: lookupBudgetOf(c) }) : undefined)
      if (stored) {
        return respondFromCache(c, decodeAnswer(stored), { cache: 'HIT' })
      }
    }

    facts.cache = 'MISS'
    await next()
    c.res.headers.set('X-WatchLLM-Cache', facts.cache ?? 'MISS') // SEMANTIC when the semantic stage answered
    const pending = c.get('answer')
    if (!intent.value.write || !pending || c.res.status !== 200) return
    c.executionCtx.waitUntil(
      pending.then(async (answer) => {
        if (!answer || !mayStore(answer, c.env)) return
        const value = encodeAnswer(answer, Date.now() + ttl * 1000)
        l0.set(key, value, ttl)
        // Both shared tiers: this location's copy also replaces an "absent" marker it may hold.
        const here = Promise.all(marks).then(() => location?.put(key, value, ttl))
        await Promise.all([store?.put(key, value, ttl).catch(() => undefined), here.catch(() => undefined)])
      }),
    )
  }
}

interface SharedRead {
  c: Context<AppEnv>
  key: string
  store: ExactStore
  location: LocationTier | undefined
  l0: LruCache
  ttl: number
  /** Collects the absent-marker write, so the store after the answer can wait for it. */
  marks: Promise<unknown>[]
  budget: LookupBudget
}

/** The per-location tier, then the global store; a global hit fills both upper tiers for the entry's remaining TTL. */
async function readShared({ c, key, store, location, l0, ttl, marks, budget }: SharedRead): Promise<string | undefined> {
  const local = location ? await budget.spend('location', location.get(key).catch(() => undefined)) : undefined
  if (local?.kind === 'hit') {
    const left = secondsLeft(local.value, ttl)
    if (left > 0) l0.set(key, local.value, left)
    return left > 0 ? local.value : undefined
  }
  // Another location may have stored it since: at most ABSENT_TTL_SECONDS of lost hits, never a wrong answer.
  if (local?.kind === 'absent') return undefined

  // undefined: out of budget or failed (unknown, so nothing is remembered); null: the store has no entry.
  const value = await budget.spend('exact', store.get(key).catch(() => undefined))
  if (value === undefined) return undefined
  if (value === null) {
    if (location) {
      const marking = location.putAbsent(key).catch(() => undefined)
      marks.push(marking)
      waitUntil(c, marking)
    }
    return undefined
  }
  const left = secondsLeft(value, ttl)
  if (left <= 0) return undefined // KV keeps entries ≥ 60 s: a shorter TTL is enforced here
  // Warm L0 and this location so the next identical request skips the network.
  l0.set(key, value, left)
  if (location) waitUntil(c, location.put(key, value, left))
  return value
}

/** Seconds an entry has left; entries written before `expires_at` existed get the policy TTL. */
function secondsLeft(value: string, ttl: number): number {
  const at = expiresAtOf(value)
  return at === undefined ? ttl : Math.floor((at - Date.now()) / 1000)
}

function waitUntil(c: Context<AppEnv>, work: Promise<unknown>): void {
  c.executionCtx.waitUntil(work.catch(() => undefined))
}
