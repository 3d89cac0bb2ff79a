import { describe, expect, it } from 'vitest'
import { ContextMirror, MirrorRegistry } from './context-mirror.ts'
import { dot, normalise, sketchOf } from './quantize.ts'
import { unitVector } from './test-vectors.ts'

const DIMS = 128

const unit = (seed: number): Float32Array => unitVector(seed, DIMS)

const NOW = 1_000_000

describe('ContextMirror', () => {
  it('returns the true nearest neighbours, best first, with scores close to the exact cosine', () => {
    const mirror = new ContextMirror(DIMS, 10_000)
    for (let n = 0; n < 2_000; n++) mirror.add(`e${n}`, sketchOf(unit(n)), NOW + 1)
    for (const target of [3, 777, 1999]) {
      const query = normalise(unit(target).map((x, i) => x + 0.3 * (unit(5_000 + target)[i] ?? 0)))
      const exact = Array.from({ length: 2_000 }, (_, n) => ({ id: `e${n}`, score: dot(query, unit(n)) })).sort((a, b) => b.score - a.score)
      const found = mirror.search(query, NOW, 3, -1)
      expect(found.map((m) => m.id)).toEqual(exact.slice(0, 3).map((m) => m.id))
      expect(Math.abs((found[0]?.score ?? 0) - (exact[0]?.score ?? 0))).toBeLessThan(0.01)
    }
  })

  it('skips expired entries and those under the minimum score', () => {
    const mirror = new ContextMirror(DIMS, 100)
    mirror.add('old', sketchOf(unit(1)), NOW)
    mirror.add('live', sketchOf(unit(2)), NOW + 10)
    expect(mirror.search(unit(1), NOW, 5, 0.9)).toEqual([])
    expect(mirror.search(unit(2), NOW, 5, 0.9).map((m) => m.id)).toEqual(['live'])
    expect(mirror.search(unit(2), NOW + 10, 5, -1)).toEqual([])
  })

  it('replaces an entry added again under the same id', () => {
    const mirror = new ContextMirror(DIMS, 100)
    mirror.add('a', sketchOf(unit(1)), NOW + 1)
    mirror.add('a', sketchOf(unit(2)), NOW + 1)
    expect(mirror.size).toBe(1)
    expect(mirror.search(unit(2), NOW, 1, 0.9).map((m) => m.id)).toEqual(['a'])
    expect(mirror.search(unit(1), NOW, 1, 0.9)).toEqual([])
  })

  it('holds at most maxEntries, dropping the oldest', () => {
    const mirror = new ContextMirror(DIMS, 50)
    for (let n = 0; n < 200; n++) mirror.add(`e${n}`, sketchOf(unit(n)), NOW + 1)
    expect(mirror.size).toBeLessThanOrEqual(50)
    expect(mirror.search(unit(199), NOW, 1, 0.9).map((m) => m.id)).toEqual(['e199'])
    expect(mirror.search(unit(0), NOW, 1, 0.9)).toEqual([])
  })

  it('ignores a vector of other dimensions', () => {
    const mirror = new ContextMirror(DIMS, 10)
    mirror.add('short', sketchOf(new Float32Array(8).fill(0.5)), NOW + 1)
    expect(mirror.size).toBe(0)
    expect(mirror.search(new Float32Array(8).fill(0.5), NOW, 1, -1)).toEqual([])
  })
})

describe('MirrorRegistry', () => {
  it('drops the least recently used contexts past its byte bound', () => {
    const registry = new MirrorRegistry(200_000, 1_000)
    for (let c = 0; c < 20; c++) {
      const mirror = registry.get(`ctx${c}`, DIMS)
      for (let n = 0; n < 500; n++) mirror.add(`e${n}`, sketchOf(unit(n)), NOW + 1)
    }
    registry.get('ctx19', DIMS)
    expect(registry.peek('ctx0')).toBeUndefined()
    expect(registry.peek('ctx19')?.size).toBe(500)
  })
})
