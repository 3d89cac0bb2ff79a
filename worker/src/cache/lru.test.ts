import { describe, expect, it } from 'vitest'
import { LruCache } from './lru.ts'

describe('L0 LRU', () => {
  it('evicts the least recently used entry beyond its entry bound', () => {
    const lru = new LruCache(2, 1_000_000)
    lru.set('a', '1', 60)
    lru.set('b', '2', 60)
    lru.get('a')
    lru.set('c', '3', 60)
    expect([lru.get('a'), lru.get('b'), lru.get('c')]).toEqual(['1', undefined, '3'])
  })

  it('stays within its byte bound and refuses one entry too large to keep', () => {
    const lru = new LruCache(100, 800)
    for (let i = 0; i < 20; i++) lru.set(`k${i}`, 'x'.repeat(50), 60)
    expect(lru.size).toBeLessThanOrEqual(8)
    lru.set('huge', 'x'.repeat(200), 60)
    expect(lru.get('huge')).toBeUndefined()
  })

  it('expires entries after their TTL', () => {
    let now = 0
    const lru = new LruCache(10, 10_000, () => now)
    lru.set('a', '1', 5)
    now = 4_999
    expect(lru.get('a')).toBe('1')
    now = 5_000
    expect(lru.get('a')).toBeUndefined()
    expect(lru.size).toBe(0)
  })
})
