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
import { NETWORK_MODEL } from '../../../worker/src/cache/semantic/pair-model-params.ts'
import { networkScore, stackScore } from '../../../worker/src/cache/semantic/pair-model.ts'
import { ci, pointAt, thresholdForBound, thresholdForFalseHitRate, type Scored } from '../curve.ts'
import { bareNetworkParams, nestedNetworkScores, trainNetwork } from '../network-scores.ts'
import { preparePairs, type PreparedPair } from '../prepare.ts'
import { FOLDS, fitTrees, nestedTreeScores, networkSettings, servedScore } from '../recipe.ts'

const seed = Number(process.argv[2] ?? 11)
const held = Number(process.argv[3] ?? 0)
const settings = networkSettings(seed, process.env.AUGMENT === 'transitive' ? 'transitive' : undefined)
const refusing = new Set(NETWORK_MODEL.refusing)
const decided = (p: PreparedPair, score: number): Scored => ({ label: p.label, score: servedScore(p, score, refusing) })

const { pairs: all } = await preparePairs('train', () => undefined)
// The fit's pairs get new folds from the same group hash: groups stay whole, folds independent of `held`.
const fitPairs = all.filter((p) => p.foldKey % FOLDS !== held).map((p) => ({ ...p, foldKey: Math.floor(p.foldKey / FOLDS) }))
const testPairs = all.filter((p) => p.foldKey % FOLDS === held)

const scores = await nestedNetworkScores(fitPairs, settings, console.log)
const nested = nestedTreeScores(fitPairs, scores)
const oof = fitPairs.map((p, i) => decided(p, nested[i]!))
const { threshold } = thresholdForBound(oof, 0.01)
const promised = pointAt(oof, threshold)

const params = bareNetworkParams(trainNetwork(fitPairs, settings), settings)
const trees = fitTrees(fitPairs, fitPairs.map((_, i) => i), scores.net)
const test = testPairs.map((p) => decided(p, stackScore(trees, networkScore(params, p.queryVector, p.cachedVector, p.cosine, p.lexical), p.cosine, p.lexical)))
const served = pointAt(test, threshold)
const own = pointAt(test, thresholdForFalseHitRate(test, 0.01))
console.log(
  `seed ${seed}${settings.augment ? ' transitive' : ''}, fold ${held} held out: threshold ${threshold.toFixed(4)} promised hit ${ci(promised.hit)} false ${ci(promised.falseHit, 2)}; ` +
    `served on the held-out fold hit ${ci(served.hit)} false ${ci(served.falseHit, 2)} (${served.falseHits}/${served.negatives}); at its own 1 % point hit ${ci(own.hit)}`,
)
