/**
 * Lexical features of a (query, cached prompt) pair: what a cosine misses — how much content the
 * two prompts share, in what order, what each adds, and which conflicts (conflicts.ts) they have.
 * They depend on the texts only, never on the embedder, so a model over them alone keeps its
 * calibration under any embedding model. Pure; the order of LEXICAL_FEATURES is the order of
 * the fitted weights (pair-model-params.ts).
 */
import { CONFLICTS, conflictsOf, orderInversion, type Conflict } from './conflicts.ts'
import type { AnalysedText } from './text.ts'

export const LEXICAL_FEATURES = [
  'contentJaccard',
  'tokenJaccard',
  'bigramJaccard',
  'unmatchedContent',
  'substitutedContent',
  'questionWordDiffers',
  'negationDiffers',
  'orderInversion',
  'lengthRatio',
  'longestUnmatched',
  'shortUnmatched',
  'trigramJaccard',
  ...CONFLICTS,
] as const

export type LexicalFeature = (typeof LEXICAL_FEATURES)[number]

/** The lexical features of an analysed pair, in LEXICAL_FEATURES order; `conflicts` when the caller already has them. */
export function lexicalFeatures(a: AnalysedText, b: AnalysedText, conflicts: ReadonlySet<Conflict> = conflictsOf(a, b)): number[] {
  const contentA = new Set(a.content)
  const contentB = new Set(b.content)
  const onlyA = countMissing(contentA, contentB)
  const onlyB = countMissing(contentB, contentA)
  return [
    jaccard(contentA, contentB),
    jaccard(new Set(a.tokens), new Set(b.tokens)),
    jaccard(bigrams(a.tokens), bigrams(b.tokens)),
    Math.log1p(Math.max(onlyA, onlyB)),
    // Both sides have words the other lacks: something was swapped, not just elaborated.
    Math.log1p(Math.min(onlyA, onlyB)),
    a.questionWord !== b.questionWord ? 1 : 0,
    a.negations % 2 !== b.negations % 2 ? 1 : 0,
    orderInversion(a, b),
    Math.min(a.tokens.length, b.tokens.length) / Math.max(1, a.tokens.length, b.tokens.length),
    // A long word only one side has is often a rare term swapped ("osmophiles" / "xerophiles").
    Math.log1p(Math.max(longestMissing(contentA, contentB), longestMissing(contentB, contentA))),
    // A short code only one side has ("LG Optimus G" / "LG Optimus").
    Math.log1p(shortMissing(a.tokens, b.tokens) + shortMissing(b.tokens, a.tokens)),
    jaccard(trigrams(a.tokens), trigrams(b.tokens)),
    ...CONFLICTS.map((c) => (conflicts.has(c) ? 1 : 0)),
  ]
}

function countMissing(from: ReadonlySet<string>, other: ReadonlySet<string>): number {
  let missing = 0
  for (const x of from) if (!other.has(x)) missing++
  return missing
}

function longestMissing(from: ReadonlySet<string>, other: ReadonlySet<string>): number {
  let longest = 0
  for (const x of from) if (!other.has(x)) longest = Math.max(longest, x.length)
  return longest
}

function shortMissing(from: readonly string[], other: readonly string[]): number {
  const there = new Set(other)
  let missing = 0
  for (const x of new Set(from)) if (x.length <= 2 && !there.has(x)) missing++
  return missing
}

/** Character trigrams of the tokens (each padded with spaces): robust to typos and inflections. */
function trigrams(tokens: readonly string[]): Set<string> {
  const out = new Set<string>()
  for (const t of tokens) {
    const padded = ` ${t} `
    for (let i = 0; i + 3 <= padded.length; i++) out.add(padded.slice(i, i + 3))
  }
  return out
}

function jaccard(a: ReadonlySet<string>, b: ReadonlySet<string>): number {
  if (a.size === 0 && b.size === 0) return 1
  let shared = 0
  for (const x of a) if (b.has(x)) shared++
  return shared / (a.size + b.size - shared)
}

function bigrams(tokens: readonly string[]): Set<string> {
  const out = new Set<string>()
  for (let i = 1; i < tokens.length; i++) out.add(`${tokens[i - 1]} ${tokens[i]}`)
  return out
}
