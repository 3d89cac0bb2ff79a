/**
 * Model features for the semantic-cache decision: cosine plus the lexical evidence a cosine
 * misses (how much content the two prompts share, in what order, what each adds). Pure; the
 * order of FEATURE_NAMES is the order of the fitted weights in decision-params.ts.
 */
import { orderInversion } from './conflicts.ts'
import type { AnalysedText } from './text.ts'

export const FEATURE_NAMES = [
  'cosine',
  'cosineAbove90',
  'cosineAbove95',
  'contentJaccard',
  'tokenJaccard',
  'bigramJaccard',
  'unmatchedContent',
  'substitutedContent',
  'questionWordDiffers',
  'negationDiffers',
  'orderInversion',
  'lengthRatio',
] as const

export type FeatureName = (typeof FEATURE_NAMES)[number]
export type PairFeatures = Record<FeatureName, number>

/** Features of an analysed (query, cached prompt) pair whose embeddings have this cosine. */
export function featuresOf(a: AnalysedText, b: AnalysedText, cosine: number): PairFeatures {
  const contentA = new Set(a.content)
  const contentB = new Set(b.content)
  const onlyA = countMissing(contentA, contentB)
  const onlyB = countMissing(contentB, contentA)
  const c = Number.isFinite(cosine) ? Math.min(1, Math.max(-1, cosine)) : -1
  return {
    cosine: c,
    // Hinges let a linear model bend: the last few hundredths of cosine matter most.
    cosineAbove90: Math.max(0, c - 0.9) * 10,
    cosineAbove95: Math.max(0, c - 0.95) * 20,
    contentJaccard: jaccard(contentA, contentB),
    tokenJaccard: jaccard(new Set(a.tokens), new Set(b.tokens)),
    bigramJaccard: jaccard(bigrams(a.tokens), bigrams(b.tokens)),
    unmatchedContent: Math.log1p(Math.max(onlyA, onlyB)),
    // Both sides have words the other lacks: something was swapped, not just elaborated.
    substitutedContent: Math.log1p(Math.min(onlyA, onlyB)),
    questionWordDiffers: a.questionWord !== b.questionWord ? 1 : 0,
    negationDiffers: a.negations % 2 !== b.negations % 2 ? 1 : 0,
    orderInversion: orderInversion(a, b),
    lengthRatio: Math.min(a.tokens.length, b.tokens.length) / Math.max(1, a.tokens.length, b.tokens.length),
  }
}

/** Features in FEATURE_NAMES order, for the fitted weights. */
export function featureVector(f: PairFeatures): number[] {
  return FEATURE_NAMES.map((name) => f[name])
}

function countMissing(from: ReadonlySet<string>, other: ReadonlySet<string>): number {
  let missing = 0
  for (const x of from) if (!other.has(x)) missing++
  return missing
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
