/**
 * The L1 exact store behind the L0 LRU: Upstash Redis or Workers KV, as policy chooses. Both are
 * best-effort: a store that fails is bypassed (the request is still served) and reported.
 */
import type { GatewayEnv } from '../env.ts'
import { kvStore } from './kv-store.ts'
import { redisStore } from './redis-store.ts'

export interface ExactStore {
  readonly name: 'kv' | 'redis'
  get(key: string): Promise<string | null>
  put(key: string, value: string, ttlSeconds: number): Promise<void>
}

/** The configured store, or undefined when policy says `none` or its binding/credentials are absent. */
export function exactStoreFor(kind: 'redis' | 'kv' | 'none', env: GatewayEnv): ExactStore | undefined {
  if (kind === 'kv') return env.CACHE_KV ? kvStore(env.CACHE_KV) : undefined
  if (kind === 'redis') return redisStore(env)
  return undefined
}
