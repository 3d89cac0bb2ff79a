import { describe, expect, it } from 'vitest'
import { LruCache } from '../cache/lru.ts'
import { MirrorRegistry } from '../cache/semantic/context-mirror.ts'
import { sketchOf } from '../cache/semantic/quantize.ts'
import { holdBlock } from '../governance/anomaly-blocks.ts'
import { adopt } from '../governance/leases.ts'
import { cachedClient } from '../providers/client-cache.ts'
import type { ResolvedTarget } from '../providers/types.ts'
import { priceUsage } from '../telemetry/pricing.ts'
import { exactCache } from '../middleware/exact-cache.ts'
import { cacheSizes, registerCache } from './isolate-caches.ts'
import './key-hash-memo.ts' // registers the accepted keys' hashes

const sizeOf = (name: string) => {
  const found = cacheSizes().find((g) => g.name === name)
  if (!found) throw new Error(`no cache named ${name}`)
  return found
}

describe('isolate-level caches', () => {
  it('the module-level caches are registered with their bounds', () => {
    exactCache() // registers its L0
    const names = cacheSizes().map((g) => g.name)
    for (const name of ['provider-clients', 'pricers', 'anomaly-blocks', 'lease-scopes', 'exact-l0-entries', 'exact-l0-bytes', 'accepted-key-hashes'])
      expect(names).toContain(name)
    for (const g of cacheSizes()) expect(g.bound).toBeGreaterThan(0)
  })

  it('SDK clients stay at their bound whatever the number of distinct targets', () => {
    for (let i = 0; i < 200; i++)
      cachedClient({ provider: `p${i}`, config: { type: 'openai-compatible' }, model: 'm', baseUrl: `http://h${i}` } as unknown as ResolvedTarget, () => ({ i }))
    const g = sizeOf('provider-clients')
    expect(g.size).toBe(g.bound)
  })

  it('pricers stay within their bound under many distinct model names', () => {
    const bound = sizeOf('pricers').bound
    for (let i = 0; i < bound + 50; i++) priceUsage({ model: `no-such-model-${i}` }, { prompt_tokens: 1, completion_tokens: 1, total_tokens: 2 } as never)
    const g = sizeOf('pricers')
    expect(g.size).toBeGreaterThan(0)
    expect(g.size).toBeLessThanOrEqual(g.bound)
  })

  it('anomaly blocks and lease scopes drop the oldest past their bound', () => {
    const blocks = sizeOf('anomaly-blocks').bound
    for (let i = 0; i < blocks + 100; i++) holdBlock(`scope-${i}`, { until: Date.now() + 60_000 } as never)
    expect(sizeOf('anomaly-blocks').size).toBe(blocks)
    const leases = sizeOf('lease-scopes').bound
    const grant = { room: {}, held: { requests: 0, tokens: 0, budgets: {} }, extra: { requests: 1, tokens: 1, budgets: {} } }
    for (let i = 0; i < leases + 100; i++) adopt(`scope-${i}`, `lease-${i}`, grant as never, Date.now())
    expect(sizeOf('lease-scopes').size).toBeLessThanOrEqual(leases)
  })

  it('the exact L0 stays within its entry and byte bounds', () => {
    const l0 = new LruCache(50, 10_000)
    registerCache('test-l0', { size: () => l0.size, bound: 50, unit: 'entries' })
    registerCache('test-l0-bytes', { size: () => l0.byteSize, bound: 10_000, unit: 'bytes' })
    for (let i = 0; i < 500; i++) l0.set(`k${i}`, 'x'.repeat(100), 60)
    expect(sizeOf('test-l0').size).toBe(50)
    expect(sizeOf('test-l0-bytes').size).toBeLessThanOrEqual(10_000)
    for (let i = 0; i < 500; i++) l0.set(`big${i}`, 'y'.repeat(600), 60)
    expect(sizeOf('test-l0-bytes').size).toBeLessThanOrEqual(10_000)
  })

  it('semantic mirrors stay within their byte bound across many contexts', () => {
    const mirrors = new MirrorRegistry(64 * 1024, 1_000)
    for (let i = 0; i < 200; i++) {
      const m = mirrors.get(`context-${i}`, 64)
      for (let j = 0; j < 20; j++) m.add(`e${i}-${j}`, sketchOf(new Float32Array(64).fill(j % 2 ? 1 : -1)), Date.now() + 60_000)
    }
    expect(mirrors.bytes).toBeGreaterThan(0)
    expect(mirrors.bytes).toBeLessThanOrEqual(64 * 1024)
  })
})
