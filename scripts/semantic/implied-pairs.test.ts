import { describe, expect, it } from 'vitest'
import { impliedPairs } from './implied-pairs.ts'
import type { PreparedPair } from './prepare.ts'

const vec = (t: string) => Float32Array.from([t.length, t.charCodeAt(0), 1, 0])
const pair = (query: string, cached: string, label: 0 | 1, foldKey = 0): PreparedPair => ({
  query, cached, label, foldKey, source: 'qqp', split: 'train',
  queryVector: vec(query), cachedVector: vec(cached), cosine: 0, conflicts: new Set(), lexical: [], sameWords: false,
})
const names = (xs: PreparedPair[]) => xs.map((p) => `${[p.query, p.cached].sort().join('~')}:${p.label}`).sort()

describe('impliedPairs', () => {
  it('joins a chain of same-question pairs, and carries a different-question pair across a group', () => {
    const got = impliedPairs([pair('A', 'B', 1), pair('B', 'C', 1), pair('C', 'D', 0)])
    expect(names(got)).toEqual(['A~C:1', 'A~D:0', 'B~D:0'])
  })

  it('never repeats a labelled pair, either way round', () => {
    expect(impliedPairs([pair('A', 'B', 1), pair('B', 'C', 1), pair('C', 'A', 1)])).toEqual([])
  })

  it('drops a pair implied both ways', () => {
    // A≡B and B≡C imply A≡C; A≢D and D≡C imply A≢C.
    const got = impliedPairs([pair('A', 'B', 1), pair('B', 'C', 1), pair('A', 'D', 0), pair('D', 'C', 1)])
    expect(names(got).filter((x) => x.startsWith('A~C'))).toEqual([])
  })

  it('leaves groups larger than the limit alone', () => {
    const rows = ['B', 'C', 'D'].map((t) => pair('A', t, 1))
    expect(impliedPairs(rows, 3)).toEqual([])
    expect(names(impliedPairs(rows, 4))).toEqual(['B~C:1', 'B~D:1', 'C~D:1'])
  })

  it('builds each implied pair as the decision sees it, from the texts’ own vectors', () => {
    const [p] = impliedPairs([pair('how do I swim', 'how can I swim', 1), pair('how can I swim', 'how to swim', 1)])
    expect([p!.query, p!.cached].sort()).toEqual(['how do I swim', 'how to swim'])
    expect(Array.from(p!.queryVector)).toEqual(Array.from(vec(p!.query)))
    expect(p!.lexical.length).toBeGreaterThan(0)
  })
})
