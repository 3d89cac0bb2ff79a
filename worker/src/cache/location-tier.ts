/**
 * The per-location tier of the exact cache: the Workers Cache API (`caches.default`), which lives in
 * the data centre that serves the request. Read after L0 and before the global store (KV or
 * Upstash), so a key this location has seen recently — present or absent — costs no trip to a
 * central store. Entries are kept for the global entry's remaining TTL, capped at
 * LOCATION_MAX_TTL_SECONDS; an absent key is remembered for ABSENT_TTL_SECONDS.
 *
 * Staleness, bounded: the Cache API cannot be purged across locations (`delete` acts on one data
 * centre), so an answer replaced by `X-WatchLLM-Cache: refresh` elsewhere may still be served here
 * for up to LOCATION_MAX_TTL_SECONDS (the refreshing location itself is updated at once). An
 * "absent" marker can only turn a would-be hit into a miss, for at most ABSENT_TTL_SECONDS after
 * another location stored the answer; it never serves a wrong answer. Cache API operations are
 * no-ops on *.workers.dev: the tier works on a custom domain (the gateway's production setup).
 *
 * @example const tier = locationTier(new URL(c.req.url).origin); await tier?.get(key)
 */

/** A refresh elsewhere reaches this location within this time (the Cache API has no global purge). */
export const LOCATION_MAX_TTL_SECONDS = 300
/** How long this location remembers that the global store had no entry for a key. */
export const ABSENT_TTL_SECONDS = 10

const ABSENT = 'x-watchllm-absent'

export type LocationLookup = { kind: 'hit'; value: string } | { kind: 'absent' } | { kind: 'unknown' }

export interface LocationTier {
  get(key: string): Promise<LocationLookup>
  put(key: string, value: string, ttlSeconds: number): Promise<void>
  putAbsent(key: string): Promise<void>
}

/** The tier for requests on `origin`, or undefined where the runtime has no Cache API. */
export function locationTier(origin: string, cache: Cache | undefined = defaultCache()): LocationTier | undefined {
  if (!cache) return undefined
  // Keys under the gateway's own hostname: the zone's cache, a path no route serves.
  const url = (key: string) => `${origin}/__watchllm/exact-cache/${encodeURIComponent(key)}`
  const entry = (body: string, seconds: number, absent: boolean) =>
    new Response(body, { headers: { 'cache-control': `max-age=${Math.max(1, Math.floor(seconds))}`, ...(absent ? { [ABSENT]: '1' } : {}) } })
  return {
    async get(key) {
      const found = await cache.match(url(key))
      if (!found) return { kind: 'unknown' }
      if (found.headers.has(ABSENT)) {
        await found.body?.cancel()
        return { kind: 'absent' }
      }
      return { kind: 'hit', value: await found.text() }
    },
    put: (key, value, ttlSeconds) => cache.put(url(key), entry(value, Math.min(ttlSeconds, LOCATION_MAX_TTL_SECONDS), false)),
    putAbsent: (key) => cache.put(url(key), entry('', ABSENT_TTL_SECONDS, true)),
  }
}

function defaultCache(): Cache | undefined {
  return typeof caches === 'undefined' ? undefined : caches.default
}
