/**
 * Gradient-boosted regression trees, evaluated: the second stage of the semantic-cache decision
 * (pair-model.ts). Over the network's score, the cosine and the lexical features, shallow trees
 * find the interactions a linear read-out misses (a high score with a swapped rare word, a short
 * query that shares every word, …). Fitted by scripts/semantic/boosting.ts on train only. Pure.
 *
 * Every tree is stored as flat arrays: node i is a leaf when `feature[i] < 0` (its value is
 * `value[i]`), else it sends x to `left[i]` when x[feature[i]] ≤ threshold[i], to `right[i]`
 * otherwise. Node 0 is the root.
 *
 * @example
 * const margin = boostedMargin(trees, [networkLogit, cosine, ...lexical])
 */

export interface BoostedTree {
  feature: readonly number[]
  threshold: readonly number[]
  left: readonly number[]
  right: readonly number[]
  value: readonly number[]
}

export interface BoostedTrees {
  /** The starting margin (log-odds of the training labels). */
  base: number
  trees: readonly BoostedTree[]
}

/** The summed margin (log-odds) of all trees for one input row. */
export function boostedMargin(model: BoostedTrees, x: readonly number[]): number {
  let z = model.base
  for (const t of model.trees) {
    let i = 0
    // At most one step per node: malformed params can never loop.
    for (let steps = 0; steps < t.feature.length; steps++) {
      const f = t.feature[i] ?? -1
      if (f < 0) break
      i = ((x[f] ?? 0) <= (t.threshold[i] ?? 0) ? t.left[i] : t.right[i]) ?? 0
    }
    z += t.value[i] ?? 0
  }
  return z
}
