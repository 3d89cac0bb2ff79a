/**
 * Lab: does the fit's out-of-fold promise hold on questions it never saw? The whole fit (nested
 * network scores, trees, the bound rule's threshold, the final network and trees) is run on 4/5 of
 * train, its question groups re-split into 5 inner folds, then read once on the held-out fifth:
 * the false-hit rate the threshold promised (~0.85 %) against the one served. A train-only stand-in
 * for reading dev, for second-stage or training changes whose out-of-fold gain may not transfer.
 * The shipped refusal rules are used as they are (fit.ts would choose them again).
 *
 *   [AUGMENT=transitive] nice -n 19 npx tsx scripts/semantic/lab/holdout.ts [seed] [held fold]
 */
import { boostedMargin } from '../../../worker/src/cache/semantic/boosted-trees.ts'
import { LEXICAL_FEATURES } from '../../../worker/src/cache/semantic/features.ts'
import { NETWORK_MODEL } from '../../../worker/src/cache/semantic/pair-model-params.ts'
import { networkScore, sigmoid, stackInputs } from '../../../worker/src/cache/semantic/pair-model.ts'
import { fitBoostedTrees } from '../boosting.ts'
import { ci, pointAt, thresholdForBound, thresholdForFalseHitRate, type Scored } from '../curve.ts'
import { toNetworkParams } from '../network-params.ts'
import { nestedNetworkScores, trainNetwork, type NetworkSettings } from '../network-scores.ts'
import { preparePairs, type PreparedPair } from '../prepare.ts'

const FOLDS = 5
const GATE = 0.75
const STACK = { iterations: 200, learningRate: 0.05, maxLeaves: 15, minSamplesLeaf: 40, l2: 1 }
const seed = Number(process.argv[2] ?? 11)
const held = Number(process.argv[3] ?? 0)
const settings: NetworkSettings = {
  hidden: 128, epochs: 8, weightDecay: 3e-3, learningRate: 5e-4, seed, dims: 512, folds: FOLDS, lexical: LEXICAL_FEATURES,
  ...(process.env.AUGMENT === 'transitive' ? { augment: 'transitive' as const } : {}),
}
const refusing = new Set(NETWORK_MODEL.refusing)

const { pairs: all } = await preparePairs('train', () => undefined)
// The fit's pairs get new folds from the same group hash: groups stay whole, folds independent of `held`.
const fitPairs = all.filter((p) => p.foldKey % FOLDS !== held).map((p) => ({ ...p, foldKey: Math.floor(p.foldKey / FOLDS) }))
const testPairs = all.filter((p) => p.foldKey % FOLDS === held)
const inFold = (p: PreparedPair, k: number) => p.foldKey % FOLDS === k
const treesOn = (rows: number[], scores: Float64Array) =>
  fitBoostedTrees(rows.map((i) => stackInputs(scores[i]!, fitPairs[i]!.cosine, fitPairs[i]!.lexical)), rows.map((i) => fitPairs[i]!.label), STACK)
const decided = (p: PreparedPair, score: number): Scored => ({
  label: p.label,
  score: p.cosine < GATE || [...p.conflicts].some((c) => refusing.has(c)) ? 0 : p.sameWords ? 1 : score,
})

const { net, inner } = await nestedNetworkScores(fitPairs, settings, console.log)
const nested = new Float64Array(fitPairs.length)
for (let k = 0; k < FOLDS; k++) {
  const trees = treesOn(fitPairs.map((_, i) => i).filter((i) => !inFold(fitPairs[i]!, k)), inner[k]!)
  fitPairs.forEach((p, i) => {
    if (inFold(p, k)) nested[i] = sigmoid(boostedMargin(trees, stackInputs(net[i]!, p.cosine, p.lexical)))
  })
}
const oof = fitPairs.map((p, i) => decided(p, nested[i]!))
const { threshold } = thresholdForBound(oof, 0.01)
const promised = pointAt(oof, threshold)

const params = toNetworkParams([trainNetwork(fitPairs, settings)], { embedders: [], dims: settings.dims, lexical: LEXICAL_FEATURES, gate: 0, threshold: 1, refusing: [], stack: null })
const trees = treesOn(fitPairs.map((_, i) => i), net)
const test = testPairs.map((p) => decided(p, sigmoid(boostedMargin(trees, stackInputs(networkScore(params, p.queryVector, p.cachedVector, p.cosine, p.lexical), p.cosine, p.lexical)))))
const served = pointAt(test, threshold)
const own = pointAt(test, thresholdForFalseHitRate(test, 0.01))
console.log(
  `seed ${seed}${settings.augment ? ' transitive' : ''}, fold ${held} held out: threshold ${threshold.toFixed(4)} promised hit ${ci(promised.hit)} false ${ci(promised.falseHit, 2)}; ` +
    `served on the held-out fold hit ${ci(served.hit)} false ${ci(served.falseHit, 2)} (${served.falseHits}/${served.negatives}); at its own 1 % point hit ${ci(own.hit)}`,
)
