/**
 * SDK clients are built once per (provider, base URL, key) and reused across requests in the
 * isolate: constructing one costs more than the request itself. Bounded, oldest evicted first.
 */
import type { ResolvedTarget } from './types.ts'
import { registerCache } from '../lib/isolate-caches.ts'
import { setBounded } from '../lib/bounded-map.ts'

const MAX_CLIENTS = 64
const clients = new Map<string, unknown>()
registerCache('provider-clients', { size: () => clients.size, bound: MAX_CLIENTS, unit: 'entries' })

export function cachedClient<C>(target: ResolvedTarget, build: () => C): C {
  const key = `${target.provider}\0${target.config.type}\0${target.baseUrl ?? ''}\0${target.apiKey ?? ''}`
  const hit = clients.get(key)
  if (hit) return hit as C
  const client = build()
  setBounded(clients, key, client, MAX_CLIENTS)
  return client
}
