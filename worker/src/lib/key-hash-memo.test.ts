import { describe, expect, it } from 'vitest'
import { sha256Hex } from './hash.ts'
import { keyHashMemo } from './key-hash-memo.ts'

describe('keyHashMemo', () => {
  it('hashes a key once it has been accepted, and every time before', () => {
    let calls = 0
    const memo = keyHashMemo(4, (t) => (calls++, sha256Hex(t)))
    expect(memo.hash('lgw_a')).toBe(sha256Hex('lgw_a'))
    expect(memo.hash('lgw_a')).toBe(sha256Hex('lgw_a'))
    expect(calls).toBe(2) // not accepted yet: no memory of it
    memo.accepted('lgw_a', sha256Hex('lgw_a'))
    expect(memo.hash('lgw_a')).toBe(sha256Hex('lgw_a'))
    expect(calls).toBe(2)
  })

  it('stays within its bound, the oldest key out first', () => {
    const memo = keyHashMemo(2)
    for (const k of ['k1', 'k2', 'k3']) memo.accepted(k, sha256Hex(k))
    expect(memo.size).toBe(2)
    let calls = 0
    const counting = keyHashMemo(2, (t) => (calls++, sha256Hex(t)))
    for (const k of ['k1', 'k2', 'k3']) counting.accepted(k, sha256Hex(k))
    counting.hash('k1')
    expect(calls).toBe(1) // evicted: hashed again
    counting.hash('k3')
    expect(calls).toBe(1)
  })
})
