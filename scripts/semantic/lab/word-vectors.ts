/**
 * Lab: what the differing words mean, by the embedder itself. The decision's lexical features
 * count the content words only one side has; they cannot tell "buy"/"purchase" (same question)
 * from "osmophiles"/"xerophiles" (another one). Here every word and each side's differing words
 * (as a short text) are embedded with USE-lite, and each differing word is aligned softly to the
 * other side's words: how well the worst-aligned one finds a counterpart, and how close the two
 * sides' differences are to each other.
 */
import { analyse } from '../../../worker/src/cache/semantic/text.ts'
import type { Pair } from '../dataset.ts'
import { dot, embedTexts } from '../embedding-cache.ts'

export const WORD_VECTOR_FEATURES = ['worstAlignedMin', 'worstAlignedMax', 'meanAligned', 'differencesCosine', 'differenceToOtherMin', 'bothDiffer'] as const

interface Word {
  raw: string
  stem: string
}

const RAW = /[a-z0-9]+(?:'[a-z]+)?/g

/** Content words in order, raw (for the embedder) with their stem (for matching, as the decision matches). */
function contentWords(text: string): Word[] {
  const out: Word[] = []
  for (const m of text.toLowerCase().matchAll(RAW)) {
    const stem = analyse(m[0]).content[0]
    if (stem !== undefined) out.push({ raw: m[0], stem })
  }
  return out
}

function unmatched(from: Word[], to: Word[]): Word[] {
  const there = new Set(to.map((w) => w.stem))
  const seen = new Set<string>()
  return from.filter((w) => !there.has(w.stem) && !seen.has(w.stem) && seen.add(w.stem))
}

const differenceText = (ws: Word[]) => ws.map((w) => w.raw).join(' ')

export async function wordVectorFeatures(pairs: readonly Pair[], log: (line: string) => void): Promise<number[][]> {
  const sides = pairs.map((p) => [contentWords(p.query), contentWords(p.cached)] as const)
  const diffs = sides.map(([a, b]) => [unmatched(a, b), unmatched(b, a)] as const)
  const words = sides.flatMap(([a, b]) => [...a, ...b].map((w) => w.raw))
  const texts = [...diffs, ...sides].flatMap(([x, y]) => [differenceText(x), differenceText(y)]).filter((t) => t !== '')
  const table = await embedTexts([...words, ...texts], log)
  const v = (t: string) => table.vectorOf(t)
  return pairs.map((_, i) => {
    const [a, b] = sides[i]!
    const [da, db] = diffs[i]!
    const said = (d: Word[], other: Word[]) => (d.length === 0 ? 1 : other.length === 0 ? 0 : dot(v(differenceText(d)), v(differenceText(other))))
    // For each differing word, its best counterpart among the other side's words.
    const align = (ws: Word[], other: Word[]) => ws.map((w) => Math.max(0, ...other.map((x) => dot(v(w.raw), v(x.raw)))))
    const sa = align(da, b)
    const sb = align(db, a)
    const worstA = sa.length === 0 ? 1 : Math.min(...sa)
    const worstB = sb.length === 0 ? 1 : Math.min(...sb)
    const all = [...sa, ...sb]
    const mean = all.length === 0 ? 1 : all.reduce((s, x) => s + x, 0) / all.length
    const both = da.length > 0 && db.length > 0
    const differences = both ? dot(v(differenceText(da)), v(differenceText(db))) : -1
    // Is one side's difference already said, in other words, by the other side as a whole?
    const toOther = [said(da, b), said(db, a)]
    return [Math.min(worstA, worstB), Math.max(worstA, worstB), mean, differences, Math.min(...toOther), both ? 1 : 0]
  })
}
