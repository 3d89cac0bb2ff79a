/**
 * Everything fit.ts and eval.ts share: a split's labelled pairs with both embeddings (local
 * USE-lite model, cached on disk), their cosine, and what the decision sees in each pair: its
 * conflicts and its lexical features.
 */
import { conflictsOf, type Conflict } from '../../worker/src/cache/semantic/conflicts.ts'
import { sameWords } from '../../worker/src/cache/semantic/decision.ts'
import { lexicalFeatures } from '../../worker/src/cache/semantic/features.ts'
import { analyse } from '../../worker/src/cache/semantic/text.ts'
import { loadSplit, type Pair, type Split } from './dataset.ts'
import { dot, embedTexts } from './embedding-cache.ts'

export interface PreparedPair extends Pair {
  cosine: number
  queryVector: Float32Array
  cachedVector: Float32Array
  conflicts: Set<Conflict>
  /** In LEXICAL_FEATURES order. */
  lexical: number[]
  /** The decision serves the pair at score 1 (the same words, no conflict) whatever the model says. */
  sameWords: boolean
}

export interface Prepared {
  pairs: PreparedPair[]
  fromCache: boolean
}

/** A pair as the decision sees it, given both texts' embeddings. */
export function preparePair(p: Pair, queryVector: Float32Array, cachedVector: Float32Array): PreparedPair {
  const a = analyse(p.query)
  const b = analyse(p.cached)
  const conflicts = conflictsOf(a, b)
  return { ...p, queryVector, cachedVector, cosine: dot(queryVector, cachedVector), conflicts, lexical: lexicalFeatures(a, b, conflicts), sameWords: sameWords(a, b, conflicts) }
}

export async function preparePairs(split: Split, log: (line: string) => void = console.log): Promise<Prepared> {
  const pairs = await loadSplit(split)
  const table = await embedTexts(
    pairs.flatMap((p) => [p.cached, p.query]),
    log,
  )
  const prepared = pairs.map((p) => preparePair(p, table.vectorOf(p.query), table.vectorOf(p.cached)))
  return { pairs: prepared, fromCache: table.fromCache }
}
