/**
 * The exact cache: L0 (in-isolate LRU) then L1 (Upstash Redis or KV, per policy). A hit answers at
 * once — replayed as SSE when the client streams. On a miss the request goes on, and the complete
 * answer is stored afterwards with `waitUntil`, off the response path. Only complete 2xx answers
 * are ever stored. A failing L1 is bypassed, never an error.
 *
 * @example app.post('/v1/chat/completions', …, exactCache(), callUpstream())
 */
import type { MiddlewareHandler } from 'hono'
import { cacheIntent } from '../cache/cache-control.ts'
import { decodeAnswer, encodeAnswer } from '../cache/stored-answer.ts'
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

/** A slow L1 must not slow every miss: past this, the lookup is abandoned (fail open). */
const L1_LOOKUP_TIMEOUT_MS = 150

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

    if (intent.value.read) {
      const stored = l0.get(key) ?? (await readL1(store, key, l0, ttl))
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
        const value = encodeAnswer(answer)
        l0.set(key, value, ttl)
        await store?.put(key, value, ttl).catch(() => undefined)
      }),
    )
  }
}

async function readL1(store: ExactStore | undefined, key: string, l0: LruCache, ttl: number): Promise<string | undefined> {
  if (!store) return undefined
  let timer: ReturnType<typeof setTimeout> | undefined
  const timeout = new Promise<null>((resolve) => (timer = setTimeout(() => resolve(null), L1_LOOKUP_TIMEOUT_MS)))
  try {
    const value = await Promise.race([store.get(key), timeout])
    // Warm L0 so the next identical request in this isolate skips the network.
    if (value) l0.set(key, value, ttl)
    return value ?? undefined
  } catch {
    return undefined
  } finally {
    clearTimeout(timer)
  }
}
