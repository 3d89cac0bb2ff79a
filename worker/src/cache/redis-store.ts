/** Upstash Redis (REST) as the L1 exact store: strongly consistent, TTL per key. */
import { Redis } from '@upstash/redis/cloudflare'
import type { GatewayEnv } from '../env.ts'
import type { ExactStore } from './exact-store.ts'

const clients = new WeakMap<object, ExactStore>()

export function redisStore(env: GatewayEnv): ExactStore | undefined {
  const url = env.UPSTASH_REDIS_REST_URL
  const token = env.UPSTASH_REDIS_REST_TOKEN
  if (!url || !token) return undefined
  let store = clients.get(env)
  if (store) return store
  // automaticDeserialization off: values are JSON strings already; parsing twice costs time.
  const redis = new Redis({ url, token, automaticDeserialization: false, enableTelemetry: false, retry: { retries: 1 } })
  store = {
    name: 'redis',
    get: (key) => redis.get<string>(key),
    put: async (key, value, ttlSeconds) => {
      await redis.set(key, value, { ex: ttlSeconds })
    },
  }
  clients.set(env, store)
  return store
}
