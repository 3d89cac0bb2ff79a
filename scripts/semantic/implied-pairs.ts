/**
 * Transitive augmentation of a training set: Quora's same-question pairs chain (A≡B, B≡C), and
 * each chain implies pairs nobody labelled — A≡C, and A≢D wherever B≢D. Adding them to the
 * network's training pairs gave +1 point served at 1 % false hits out of fold (README "Semantic
 * cache"). Only a training set's own pairs imply anything: called on the pairs of the folds a
 * network learns from, never across folds, so out-of-fold figures stay honest.
 */
import { preparePair, type PreparedPair } from './prepare.ts'

/** Groups larger than this imply nothing: Quora's biggest clusters are loose ("how do I lose weight?"). */
export const MAX_GROUP = 12

/** The pairs `rows` imply that are not among them (either way round); a pair implied both ways is dropped. */
export function impliedPairs(rows: readonly PreparedPair[], maxGroup = MAX_GROUP): PreparedPair[] {
  const vector = new Map<string, Float32Array>()
  for (const p of rows) vector.set(p.query, p.queryVector).set(p.cached, p.cachedVector)
  const group = sameQuestionGroups(rows)
  const labelled = new Set(rows.flatMap((p) => [`${p.query}\u0000${p.cached}`, `${p.cached}\u0000${p.query}`]))
  const out = new Map<string, { a: string; b: string; label: 0 | 1 | -1; from: PreparedPair }>()
  const add = (a: string, b: string, label: 0 | 1, from: PreparedPair) => {
    if (a === b || labelled.has(`${a}\u0000${b}`)) return
    const key = a < b ? `${a}\u0000${b}` : `${b}\u0000${a}`
    const had = out.get(key)
    out.set(key, had && had.label !== label ? { ...had, label: -1 } : had ?? { a, b, label, from })
  }
  for (const p of rows) {
    const ga = group.get(p.query)!
    const gb = group.get(p.cached)!
    if (ga.length > maxGroup || gb.length > maxGroup) continue
    if (p.label === 1) for (const x of ga) for (const y of ga) if (x < y) add(x, y, 1, p)
    if (p.label === 0) {
      for (const x of ga) add(x, p.cached, 0, p)
      for (const y of gb) add(p.query, y, 0, p)
    }
  }
  return [...out.values()].flatMap(({ a, b, label, from }) =>
    label === -1 ? [] : [preparePair({ query: a, cached: b, label, source: from.source, split: from.split, foldKey: from.foldKey }, vector.get(a)!, vector.get(b)!)],
  )
}

/** Each text's group: the texts joined to it by same-question pairs (itself included). */
function sameQuestionGroups(rows: readonly PreparedPair[]): Map<string, string[]> {
  const parent = new Map<string, string>()
  const root = (x: string): string => {
    let r = x
    while (parent.get(r) !== r) r = parent.get(r)!
    return r
  }
  for (const p of rows) for (const t of [p.query, p.cached]) if (!parent.has(t)) parent.set(t, t)
  for (const p of rows) if (p.label === 1) parent.set(root(p.cached), root(p.query))
  const members = new Map<string, string[]>()
  for (const t of parent.keys()) {
    const r = root(t)
    members.set(r, [...(members.get(r) ?? []), t])
  }
  return new Map([...parent.keys()].map((t) => [t, members.get(root(t))!]))
}
