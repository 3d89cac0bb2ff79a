import { describe, expect, it } from 'vitest'
import { SseSplitter } from './sse.ts'

const bytes = (text: string) => new TextEncoder().encode(text)

describe('SseSplitter.exact (may a relay pass the chunk on as it came?)', () => {
  it('is true for a chunk of whole events, each ending in a blank line', () => {
    const s = new SseSplitter()
    expect(s.push(bytes('data: {"a":1}\n\ndata: {"b":"é"}\n\n'))).toEqual(['data: {"a":1}', 'data: {"b":"é"}'])
    expect(s.exact).toBe(true)
    expect(s.push(bytes('data: [DONE]\n\n'))).toEqual(['data: [DONE]'])
    expect(s.exact).toBe(true)
  })

  it.each([
    ['an event cut in two', ['data: {"a"', ':1}\n\n'], [false, false]],
    ['a chunk that ends mid-separator', ['data: 1\n', '\ndata: 2\n\n'], [false, false]],
    ['CRLF separators (the relay normalises them)', ['data: 1\r\n\r\n'], [false]],
    ['a blank event (dropped, so the bytes differ)', ['data: 1\n\n\n\ndata: 2\n\n'], [false]],
    ['a trailing newline left over', ['data: 1\n\n\n', 'data: 2\n\n'], [false, false]],
  ])('is false for %s, and for the chunk after it when that starts mid-event', (_, chunks, expected) => {
    const s = new SseSplitter()
    const seen = chunks.map((c) => (s.push(bytes(c)), s.exact))
    expect(seen).toEqual(expected)
  })

  it('is false when a multi-byte character is split across chunks', () => {
    const all = bytes('data: "é"\n\ndata: "ü"\n\n')
    const cut = all.indexOf(0xc3) + 1 // inside the first "é"
    const s = new SseSplitter()
    s.push(all.slice(0, cut))
    expect(s.exact).toBe(false)
    expect(s.push(all.slice(cut))).toEqual(['data: "é"', 'data: "ü"'])
    expect(s.exact).toBe(false)
    expect(s.push(bytes('data: 3\n\n'))).toEqual(['data: 3'])
    expect(s.exact).toBe(true) // back on an event boundary
  })
})
