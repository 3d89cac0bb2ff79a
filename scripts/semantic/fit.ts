/**
 * Fits the semantic-cache decision on qqp-train.jsonl ONLY and writes
 * worker/src/cache/semantic/pair-model-params.ts. qqp-dev.jsonl is never read here.
 *
 *   npx tsx scripts/semantic/fit.ts          (≈ 12 min on a core; embeddings cached in .tmp/)
 *
 * 1. network: a two-layer network (NETWORK.hidden ReLU units) over (u⊙v, |u−v|, cosine, lexical
 *    features) for the local USE-lite embedder, trained on every train pair (the easy negatives
 *    under the gate help: +1.6 points out of fold), then boosted trees (boosting.ts, recipe.ts's STACK) over
 *    the network's out-of-fold log-odds, the cosine and the lexical features. It scores only pairs
 *    the index would offer (cosine ≥ gate).
 *    lexical: a logistic model over the lexical features alone, for every other embedder.
 * 2. Out-of-fold scores (5 folds) for every train pair — for the network through the int8 params
 *    and the Worker's own networkScore, so they are the scores the Worker would compute. The
 *    network's are nested: fold k's network (fitted on the other folds) read by trees fitted on
 *    inner out-of-fold scores of those folds — as the shipped network (all of train) is read by
 *    trees fitted on the 5-fold out-of-fold scores. The 15 networks' scores are cached in
 *    .tmp/semantic-fit/ (network-scores.ts), so a refit that changes only the second stage, the
 *    rules or the threshold takes ~1.5 minutes instead of ~12.
 * 3. Each conflict rule is kept as an outright refusal only if train supports it: refusing its
 *    pairs must not cost hit rate at 1 % false hits (out-of-fold; ≥ −0.15 points, the noise of
 *    ~10 pairs) and the pairs it refuses must be mostly different questions (95 % lower bound
 *    > 50 %). The rest stay model features.
 * 4. The threshold is the lowest out-of-fold score whose false-hit rate on train negatives has a
 *    one-sided 95 % upper bound ≤ BOUND (1 %): ~0.86 % point estimate over ~12,700 negatives.
 * 5. Final models on all of train; the network's first layer is stored as int8 (network-params.ts),
 *    the trees are fitted on every pair's out-of-fold network score.
 * 6. The default judge's cut (verification/judge.ts): the lowest out-of-fold network score that
 *    calls ≤ JUDGE_MAX_SAME of different-question pairs "same" — it should over-report wrong answers.
 */
import { writeFile } from 'node:fs/promises'
import { resolve } from 'node:path'
import { CONFLICTS, type Conflict } from '../../worker/src/cache/semantic/conflicts.ts'
import { wilson } from '../../worker/src/cache/semantic/confidence.ts'
import { LEXICAL_FEATURES } from '../../worker/src/cache/semantic/features.ts'
import type { BoostedTrees } from '../../worker/src/cache/semantic/boosted-trees.ts'
import type { NetworkParams } from '../../worker/src/cache/semantic/pair-model.ts'
import { ci, pct, pointAt, thresholdForBound, thresholdForFalseHitRate, type Scored } from './curve.ts'
import { REPO_ROOT } from './dataset.ts'
import { fitLogistic, predict } from './logistic.ts'
import type { Mlp } from './mlp.ts'
import { renderNetworkParams, toNetworkParams } from './network-params.ts'
import { nestedNetworkScores, trainNetwork } from './network-scores.ts'
import { preparePairs, type PreparedPair } from './prepare.ts'
import { DIMS, FOLDS, NETWORK, NETWORK_GATE, STACK, fitTrees, nestedTreeScores, networkSettings, servedScore } from './recipe.ts'

/** The false-hit rate the shipped threshold must keep, with 95 % confidence out of fold. */
const BOUND = 0.01
const JUDGE_MAX_SAME = 0.05
// Every network, the out-of-fold ones (network-scores.ts) and the shipped one, is trained this way.
// `augment: 'transitive'` (each training set plus the pairs it implies) gained ~1 point out of fold
// on two seeds, but its fit read dev at 1.86 % false hits at its threshold: not shipped (README).
const SETTINGS = networkSettings()
const LEXICAL_GATE = 0.75
const LAMBDA = 10
const RULE_MAX_COST = 0.0015
const EMBEDDERS = ['local:use-lite-512']
const PARAMS_FILE = resolve(REPO_ROOT, 'worker/src/cache/semantic/pair-model-params.ts')

const log = (line: string) => console.log(line)
const started = performance.now()
const { pairs } = await preparePairs('train', log)
const negatives = pairs.filter((p) => p.label === 0).length
log(`train: ${pairs.length} pairs (${pairs.length - negatives} same-question, ${negatives} different-question)`)

interface Candidate {
  name: 'network' | 'lexical'
  gate: number
  /** Every train pair's out-of-fold score (gating is applied by the caller). */
  outOfFold: () => Float64Array | Promise<Float64Array>
}
const inFold = (p: PreparedPair, k: number) => p.foldKey % FOLDS === k
const elapsed = () => `${((performance.now() - started) / 1000).toFixed(0)} s`
/** The first stage's out-of-fold probabilities: what the final trees are fitted on. */
let networkOutOfFold: Float64Array = new Float64Array(0)
const candidates: Candidate[] = [
  {
    name: 'network',
    gate: NETWORK_GATE,
    async outOfFold() {
      // The network learns from every pair (all folds but k), as do the trees. Its nested scores
      // (below) are cached (network-scores.ts): a change to the second stage alone refits in minutes.
      const { net, inner } = await nestedNetworkScores(pairs, SETTINGS, log)
      networkOutOfFold = net
      // The shipped trees read a network fitted on ALL of train, whose scores on unseen pairs are
      // more spread out than the fold networks' out-of-fold scores the trees learn from (on train,
      // nested: ~0.99 % false hits at a threshold meant for 0.85 %). So each fold's score is made
      // the way the shipped one is, one level down: its fold network (all other folds) read by
      // trees fitted on the out-of-fold scores of inner networks, each trained on three of the
      // other four folds. The threshold, the rules and the judge's cut are chosen on these scores.
      const nested = nestedTreeScores(pairs, { net, inner }, { onFold: (k) => log(`  network + trees, nested: fold ${k + 1}/${FOLDS} (${elapsed()})`) })
      const hitAt1 = (scores: ArrayLike<number>) => {
        const rows = pairs.map((p, i) => ({ score: p.cosine >= NETWORK_GATE ? scores[i]! : 0, label: p.label }))
        return pct(pointAt(rows, thresholdForFalseHitRate(rows, 0.01)).hit.rate, 2)
      }
      log(`  at 1 % false hits, no refusal rule: network + trees ${hitAt1(nested)}, network alone ${hitAt1(net)} (${elapsed()})`)
      return nested
    },
  },
  {
    name: 'lexical',
    gate: LEXICAL_GATE,
    outOfFold() {
      const oof = new Float64Array(pairs.length)
      for (let k = 0; k < FOLDS; k++) {
        // The lexical model learns only from the pairs it will score.
        const rows = pairs.filter((p) => !inFold(p, k) && p.cosine >= LEXICAL_GATE)
        const m = fitLogistic(rows.map((p) => p.lexical), rows.map((p) => p.label), LAMBDA)
        pairs.forEach((p, i) => {
          if (inFold(p, k)) oof[i] = predict(m, p.lexical)
        })
      }
      return oof
    },
  },
]

function networkParams(network: Mlp, threshold: number, refusing: Conflict[], stack: BoostedTrees | null): NetworkParams {
  return toNetworkParams([network], { embedders: EMBEDDERS, dims: DIMS, lexical: LEXICAL_FEATURES, gate: NETWORK_GATE, threshold, refusing, stack })
}

const list = (xs: ArrayLike<number>, digits = 6): string => `[${Array.from(xs, (x) => Number(x.toPrecision(digits))).join(', ')}]`
const results: Record<string, string> = {}
let judgeSameAt = 1
let judgeError = { missesWrong: 1, flagsRight: 1 }
const summary: string[] = []
for (const c of candidates) {
  const offered = (p: PreparedPair) => p.cosine >= c.gate
  const raw = await c.outOfFold()
  // Scored as the decision scores: the same words are served at 1 whatever the model says.
  const scored = (refusing: ReadonlySet<Conflict>): Scored[] => pairs.map((p, i) => ({ score: servedScore(p, raw[i]!, refusing, c.gate), label: p.label }))
  const hitAt1 = (refusing: ReadonlySet<Conflict>) => {
    const rows = scored(refusing)
    return pointAt(rows, thresholdForFalseHitRate(rows, 0.01)).hit.rate
  }
  const base = hitAt1(new Set())
  const refusing = new Set<Conflict>()
  log(`${c.name}: out-of-fold hit rate at 1 % false hits with no refusal rule: ${pct(base, 2)}`)
  log('  rule                    refused among offered (same / different; different share, 95 % CI)   Δ hit @1 %   kept')
  for (const rule of CONFLICTS) {
    const refused = pairs.filter((p) => offered(p) && p.conflicts.has(rule))
    const different = refused.filter((p) => p.label === 0).length
    const share = wilson(different, refused.length)
    const cost = hitAt1(new Set([rule])) - base
    const keep = cost >= -RULE_MAX_COST && share.low > 0.5
    if (keep) refusing.add(rule)
    log(`  ${rule.padEnd(23)} ${`${refused.length - different} / ${different}`.padStart(11)}; ${ci(share).padEnd(22)} ${(100 * cost).toFixed(2).padStart(18)} pts   ${keep ? 'yes' : 'no'}`)
  }
  const rows = scored(refusing)
  const { threshold } = thresholdForBound(rows, BOUND)
  const at = pointAt(rows, threshold)
  const at1 = pointAt(rows, thresholdForFalseHitRate(rows, 0.01))
  const line = `${c.name}: out-of-fold on train at threshold ${threshold.toFixed(4)}: hit ${ci(at.hit)}, false hit ${ci(at.falseHit, 2)}; at exactly 1 % false hits: hit ${ci(at1.hit)}`
  log(line)
  summary.push(line, `${c.name}: refusing rules: ${[...refusing].join(', ') || 'none'}`)

  if (c.name === 'network') {
    judgeSameAt = thresholdForFalseHitRate(rows, JUDGE_MAX_SAME)
    const judged = pointAt(rows, judgeSameAt)
    judgeError = { missesWrong: judged.falseHit.rate, flagsRight: 1 - judged.hit.rate }
    summary.push(`default judge: "same" at a score ≥ ${judgeSameAt.toFixed(4)}: out of fold it says "same" for ${ci(judged.hit)} of same-question pairs and ${ci(judged.falseHit, 2)} of different-question pairs`)
    log(summary.at(-1) ?? '')
    const stack = fitTrees(pairs, pairs.map((_, i) => i), networkOutOfFold)
    results.network = renderNetworkParams(networkParams(trainNetwork(pairs, SETTINGS), threshold, [...refusing], stack))
  } else {
    const all = pairs.filter(offered)
    const m = fitLogistic(all.map((p) => p.lexical), all.map((p) => p.label), LAMBDA)
    results.lexical = renderLexical(m, threshold, [...refusing])
  }
}


function renderLexical(m: { mean: number[]; scale: number[]; weights: number[]; bias: number }, threshold: number, refusing: Conflict[]): string {
  return `export const LEXICAL_MODEL: LexicalParams = {
  kind: 'lexical',
  lexical: ${JSON.stringify(LEXICAL_FEATURES)},
  gate: ${LEXICAL_GATE},
  threshold: ${Number(threshold.toFixed(4))},
  refusing: ${JSON.stringify(refusing)},
  mean: ${list(m.mean)},
  scale: ${list(m.scale)},
  weights: ${list(m.weights)},
  bias: ${Number(m.bias.toPrecision(6))},
}`
}

await writeFile(
  PARAMS_FILE,
  `// GENERATED by scripts/semantic/fit.ts from qqp-train.jsonl only — do not edit; re-run \`npx tsx scripts/semantic/fit.ts\`.
//
// network: a network of ${NETWORK.hidden} hidden units, ${NETWORK.epochs} epochs of Adam (lr ${NETWORK.learningRate}, weight decay ${NETWORK.weightDecay}), trained on every train pair${SETTINGS.augment ? ` and the pairs they imply (${SETTINGS.augment})` : ''},
// then ${STACK.iterations} boosted trees (≤ ${STACK.maxLeaves} leaves, ≥ ${STACK.minSamplesLeaf} pairs a leaf, learning rate ${STACK.learningRate}, L2 ${STACK.l2}) over its out-of-fold log-odds, the cosine and the lexical features; scores pairs with USE-lite cosine ≥ ${NETWORK_GATE}.
// lexical: logistic regression (L2 λ=${LAMBDA}) over the lexical features, trained on pairs with cosine ≥ ${LEXICAL_GATE}.
// Thresholds: the lowest whose out-of-fold (${FOLDS} folds) false-hit rate has a one-sided 95 % upper bound ≤ ${BOUND * 100} %.
${summary.map((line) => `// ${line}`).join('\n')}
import type { LexicalParams, NetworkParams } from './pair-model.ts'

${results.lexical}

${results.network}

/** The default judge's cut on the network's score (verification/judge.ts). */
export const JUDGE_SAME_AT = ${Number(judgeSameAt.toFixed(4))}

/**
 * The default judge's own error where labels exist: on train's question pairs, out of fold — the
 * share of different-question pairs it calls "same" (a wrong answer it would miss) and of
 * same-question pairs it calls "different" (a right answer it would flag). Shown on the admin Cache page.
 */
export const JUDGE_TRAIN_ERROR = { missesWrong: ${Number(judgeError.missesWrong.toFixed(4))}, flagsRight: ${Number(judgeError.flagsRight.toFixed(4))} }
`,
)
log(`wrote ${PARAMS_FILE} (${((performance.now() - started) / 1000).toFixed(0)} s)`)
