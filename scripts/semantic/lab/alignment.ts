/**
 * Lab: word-alignment features. Each content word of one side is aligned to the other side
 * exactly, or failing that by character trigrams (Jaccard ≥ 0.5: "colour"/"color", typos),
 * and what is left unaligned, where it sits and how long it is, is summarised.
 */
import type { AnalysedText } from '../../../worker/src/cache/semantic/text.ts'

export const ALIGNMENT_FEATURES = ['alignedShareMin', 'alignedShareMax', 'unalignedAfterFuzzy', 'unalignedBothSides', 'firstUnalignedPosition', 'unalignedCharsShare'] as const

function trigramsOf(w: string): Set<string> {
  const padded = ` ${w} `
  const out = new Set<string>()
  for (let i = 0; i + 3 <= padded.length; i++) out.add(padded.slice(i, i + 3))
  return out
}

function similar(x: string, y: string): boolean {
  const a = trigramsOf(x)
  const b = trigramsOf(y)
  let shared = 0
  for (const t of a) if (b.has(t)) shared++
  return shared / (a.size + b.size - shared) >= 0.5
}

/** For each content word of `from`: is it aligned on `to`? */
function aligned(from: readonly string[], to: readonly string[]): boolean[] {
  const there = new Set(to)
  return from.map((w) => there.has(w) || to.some((y) => similar(w, y)))
}

export function alignmentFeatures(a: AnalysedText, b: AnalysedText): number[] {
  const ca = [...new Set(a.content)]
  const cb = [...new Set(b.content)]
  const al = aligned(ca, cb)
  const bl = aligned(cb, ca)
  const share = (xs: boolean[]) => (xs.length === 0 ? 1 : xs.filter(Boolean).length / xs.length)
  const unA = ca.filter((_, i) => !al[i])
  const unB = cb.filter((_, i) => !bl[i])
  // Where the first unaligned word sits in its sentence: early (the subject) or late (a qualifier).
  const position = (t: AnalysedText, un: readonly string[]) => {
    if (un.length === 0) return 1.5
    const at = t.tokens.findIndex((x) => un.includes(x))
    return at < 0 ? 1.5 : at / Math.max(1, t.tokens.length - 1)
  }
  const chars = (xs: readonly string[]) => xs.reduce((s, x) => s + x.length, 0)
  return [
    Math.min(share(al), share(bl)),
    Math.max(share(al), share(bl)),
    Math.log1p(unA.length + unB.length),
    unA.length > 0 && unB.length > 0 ? 1 : 0,
    Math.min(position(a, unA), position(b, unB)),
    (chars(unA) + chars(unB)) / Math.max(1, chars(ca) + chars(cb)),
  ]
}
