import { describe, expect, it } from 'vitest'
import { setBounded } from './bounded-map.ts'

describe('setBounded', () => {
  it('evicts the oldest entry when a new key would pass the bound', () => {
    const map = new Map<string, number>()
    for (const [i, k] of ['a', 'b', 'c'].entries()) setBounded(map, k, i, 2)
    expect([...map.keys()]).toEqual(['b', 'c'])
  })

  it('replaces an existing key in place without evicting another', () => {
    const map = new Map([['a', 1], ['b', 2]])
    setBounded(map, 'a', 3, 2)
    expect([...map.entries()]).toEqual([['a', 3], ['b', 2]])
  })
})
