/** Workers KV as the L1 exact store (eventually consistent across locations; fine for a cache). */
import type { ExactStore } from './exact-store.ts'

/** KV refuses TTLs under 60 s. */
const KV_MIN_TTL = 60

export function kvStore(kv: KVNamespace): ExactStore {
  return {
    name: 'kv',
    get: (key) => kv.get(key, 'text'),
    put: (key, value, ttlSeconds) => kv.put(key, value, { expirationTtl: Math.max(KV_MIN_TTL, ttlSeconds) }),
  }
}
