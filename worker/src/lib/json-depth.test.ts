import { describe, expect, it } from 'vitest'
import { canonicalJson } from './hash.ts'
import { jsonDepthExceeds, MAX_JSON_DEPTH } from './json-depth.ts'

const nested = (levels: number, leaf: unknown = 1): unknown => JSON.parse(`${'{"a":'.repeat(levels)}${JSON.stringify(leaf)}${'}'.repeat(levels)}`)

describe('jsonDepthExceeds', () => {
  it('accepts exactly the documented depth and refuses one more', () => {
    expect(jsonDepthExceeds(nested(MAX_JSON_DEPTH))).toBe(false)
    expect(jsonDepthExceeds(nested(MAX_JSON_DEPTH + 1))).toBe(true)
  })

  it('counts arrays and objects alike, and finds a deep branch beside shallow ones', () => {
    const body = { model: 'x', messages: [{ role: 'user', content: 'hi' }], extra: nested(70) }
    expect(jsonDepthExceeds(body)).toBe(true)
    expect(jsonDepthExceeds({ a: [[[[1]]]] }, 5)).toBe(false)
    expect(jsonDepthExceeds({ a: [[[[[1]]]]] }, 5)).toBe(true)
  })

  it('walks 100,000 levels without recursion', () => {
    const deep = JSON.parse(`${'['.repeat(100_000)}${']'.repeat(100_000)}`)
    expect(jsonDepthExceeds(deep)).toBe(true)
  })

  it('leaves scalars and flat values alone', () => {
    expect(jsonDepthExceeds('text')).toBe(false)
    expect(jsonDepthExceeds(null)).toBe(false)
    expect(jsonDepthExceeds(Array.from({ length: 10_000 }, (_, i) => i))).toBe(false)
  })
})

describe('canonicalJson', () => {
  it('is bounded: past its depth it throws a RangeError of its own instead of overflowing the stack', () => {
    expect(() => canonicalJson(JSON.parse(`${'['.repeat(100_000)}${']'.repeat(100_000)}`))).toThrow(/nested deeper than/)
    expect(canonicalJson(nested(MAX_JSON_DEPTH))).toContain('{"a":1}')
  })
})
