/**
 * Everything fit.ts and eval.ts share: the labelled pairs, their embedding cosine (local
 * USE-lite model, cached on disk), and what the decision module sees in each pair
 * (its conflict, if any, and its model features).
 */
import { conflictOf, type Conflict } from '../../worker/src/cache/semantic/conflicts.ts'
import { featureVector, featuresOf } from '../../worker/src/cache/semantic/features.ts'
import { analyse } from '../../worker/src/cache/semantic/text.ts'
import { loadPairs, type Pair } from './dataset.ts'
import { dot, embedTexts } from './embedding-cache.ts'

export interface PreparedPair extends Pair {
  cosine: number
  conflict: Conflict | null
  /** Model features in FEATURE_NAMES order. */
  vector: number[]
}

export interface Prepared {
  pairs: PreparedPair[]
  /** Model load time when the embeddings had to be computed this run. */
  loadMs: number | undefined
  fromCache: boolean
}

export async function preparePairs(log: (line: string) => void = console.log): Promise<Prepared> {
  const pairs = await loadPairs()
  const table = await embedTexts(
    pairs.flatMap((p) => [p.cached, p.query]),
    log,
  )
  const prepared = pairs.map((p) => {
    const cosine = dot(table.vectorOf(p.query), table.vectorOf(p.cached))
    const a = analyse(p.query)
    const b = analyse(p.cached)
    return { ...p, cosine, conflict: conflictOf(a, b), vector: featureVector(featuresOf(a, b, cosine)) }
  })
  return { pairs: prepared, loadMs: table.loadMs, fromCache: table.fromCache }
}
