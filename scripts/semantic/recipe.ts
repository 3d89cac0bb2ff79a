/**
 * The shipped decision's recipe, shared by fit.ts and the lab scripts (compare.ts, holdout.ts):
 * the network's settings (so a lab run reads the fit's cached network scores: the cache key is
 * the settings' JSON), the second stage's trees, and how a pair's score is served. A lab variant
 * changes one of these on top; it never restates them.
 */
import { boostedMargin, type BoostedTrees } from '../../worker/src/cache/semantic/boosted-trees.ts'
import type { Conflict } from '../../worker/src/cache/semantic/conflicts.ts'
import { LEXICAL_FEATURES } from '../../worker/src/cache/semantic/features.ts'
import { sigmoid, stackInputs } from '../../worker/src/cache/semantic/pair-model.ts'
import { fitBoostedTrees, type BoostingOptions } from './boosting.ts'
import type { NetworkScores, NetworkSettings } from './network-scores.ts'
import type { PreparedPair } from './prepare.ts'

export const FOLDS = 5
export const DIMS = 512
/** The shipped network's seed: the fit's out-of-fold networks and its final one. */
export const SEED = 11
// Chosen out of fold on train (numpy replicas): longer training, wider or averaged networks,
// dropout and weight decay all left the network alone at 13–16 % of paraphrases at 1 % false
// hits; the trees over its score raise that to ~19 %, more over one 128-unit network trained 8
// epochs than over a 4-epoch one (17.5 %).
export const NETWORK = { hidden: 128, epochs: 8, weightDecay: 3e-3, learningRate: 5e-4 }
export const STACK: BoostingOptions = { iterations: 200, learningRate: 0.05, maxLeaves: 15, minSamplesLeaf: 40, l2: 1 }
/** USE-lite cosine under which the network decision never serves a pair. */
export const NETWORK_GATE = 0.75

/** Every network of a fit, out-of-fold or shipped, is trained with these settings. */
export function networkSettings(seed = SEED, augment?: NetworkSettings['augment']): NetworkSettings {
  return { ...NETWORK, seed, dims: DIMS, folds: FOLDS, lexical: LEXICAL_FEATURES, ...(augment ? { augment } : {}) }
}

/** A tree input row for pair `i` given a network score; `side` says whether the trees learn from it or read it. */
export type TreeRow = (i: number, networkP: number, side: 'train' | 'test') => number[]

/** What the shipped trees read: the network's log-odds, the cosine, the lexical features. */
export const stackRow = (pairs: readonly PreparedPair[]): TreeRow => (i, networkP) => stackInputs(networkP, pairs[i]!.cosine, pairs[i]!.lexical)

/** Trees over these pairs' (indices into `pairs`) network scores. */
export function fitTrees(pairs: readonly PreparedPair[], rows: readonly number[], scores: ArrayLike<number>, stack = STACK, row = stackRow(pairs)): BoostedTrees {
  return fitBoostedTrees(rows.map((i) => row(i, scores[i]!, 'train')), rows.map((i) => pairs[i]!.label), stack)
}

/**
 * Nested out-of-fold scores, built as the shipped decision is: fold k's pairs, scored by fold k's
 * network, read by trees fitted on the inner scores of the other folds (network-scores.ts) — as
 * the shipped network (all of train) is read by trees fitted on the out-of-fold scores.
 * `rowFor(k)` gives fold k's tree inputs when a variant adds to them.
 */
export function nestedTreeScores(
  pairs: readonly PreparedPair[],
  { net, inner }: NetworkScores,
  o: { stack?: BoostingOptions; rowFor?: (k: number) => TreeRow; onFold?: (k: number) => void } = {},
): Float64Array {
  const folds = inner.length
  const scores = new Float64Array(pairs.length)
  for (let k = 0; k < folds; k++) {
    const row = o.rowFor?.(k) ?? stackRow(pairs)
    const trees = fitTrees(pairs, pairs.flatMap((p, i) => (p.foldKey % folds === k ? [] : [i])), inner[k]!, o.stack, row)
    pairs.forEach((p, i) => {
      if (p.foldKey % folds === k) scores[i] = sigmoid(boostedMargin(trees, row(i, net[i]!, 'test')))
    })
    o.onFold?.(k)
  }
  return scores
}

/** A pair's score as the decision serves it: 0 under the gate or on a refusing conflict, 1 for the same words. */
export function servedScore(p: PreparedPair, score: number, refusing: ReadonlySet<Conflict>, gate = NETWORK_GATE): number {
  if (p.cosine < gate || [...p.conflicts].some((c) => refusing.has(c))) return 0
  return p.sameWords ? 1 : score
}
