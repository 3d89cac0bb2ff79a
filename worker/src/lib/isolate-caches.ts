/**
 * Every deliberate isolate-level cache, by name, with its bound: what `GET /admin/api/isolate`
 * reports and `npm run load` checks before and after a long run (the gateway's own memory, apart
 * from the runtime's). A cache registers once, where it is made; re-registering a name (a new app
 * in a test) replaces it, so this registry is bounded by the number of names in the code.
 */
export interface CacheGauge {
  /** Current size, in `unit`. */
  size(): number
  bound: number
  unit: 'entries' | 'bytes'
}

const gauges = new Map<string, CacheGauge>()

export function registerCache(name: string, gauge: CacheGauge): void {
  gauges.set(name, gauge)
}

export interface CacheSize {
  name: string
  size: number
  bound: number
  unit: 'entries' | 'bytes'
}

/** Each registered cache's size and bound, by name. */
export function cacheSizes(): CacheSize[] {
  return [...gauges].map(([name, g]) => ({ name, size: g.size(), bound: g.bound, unit: g.unit })).sort((a, b) => a.name.localeCompare(b.name))
}
