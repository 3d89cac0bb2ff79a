/**
 * Lab: compares second-stage variants (extra tree inputs, tree settings) on train only, grouped
 * folds, nested exactly as fit.ts nests the shipped decision: fold k's pairs are scored by fold k's
 * network read by trees fitted on the inner out-of-fold scores of the other folds (cached by
 * network-scores.ts). Anything fitted in the second stage's inputs (the word model) is nested the
 * same way. Reports the hit rate at exactly 1 % false hits and at the shipped rule's threshold.
 *
 *   nice -n 19 npx tsx scripts/semantic/lab/compare.ts <seed,seed> <variant> [<variant> …]
 *   (FLAT=1: trees cross-validated on the fold networks' scores, not nested: a quicker screen;
 *    AUGMENT=transitive: networks trained on their training sets' implied pairs too, implied-pairs.ts;
 *    ENSEMBLE=1: the seeds' networks averaged (mean log-odds) into one decision)
 */
import { NETWORK_MODEL } from '../../../worker/src/cache/semantic/pair-model-params.ts'
import { sigmoid, stackInputs } from '../../../worker/src/cache/semantic/pair-model.ts'
import { analyse } from '../../../worker/src/cache/semantic/text.ts'
import type { BoostingOptions } from '../boosting.ts'
import { ci, pct, pointAt, thresholdForBound, thresholdForFalseHitRate } from '../curve.ts'
import { preparePairs } from '../prepare.ts'
import { nestedNetworkScores, type NetworkScores } from '../network-scores.ts'
import { FOLDS, STACK, nestedTreeScores, networkSettings, servedScore, type TreeRow } from '../recipe.ts'
import { alignmentFeatures } from './alignment.ts'
import { wordVectorFeatures } from './word-vectors.ts'
import { averageWordModels, fitWordModel, pairKeys, wordFeatures, type WordModel, type WordOptions } from './word-model.ts'

// fit.ts's network (recipe.ts), so the nested scores cached by network-scores.ts are the fit's (seed 11: the shipped one's).
const augment = process.env.AUGMENT === 'transitive' ? 'transitive' : undefined

const { pairs } = await preparePairs('train', () => undefined)
const n = pairs.length
const labels = pairs.map((p) => p.label)
const fold = pairs.map((p) => p.foldKey % FOLDS)
const analysed = pairs.map((p) => [analyse(p.query), analyse(p.cached)] as const)
const refusing = new Set(NETWORK_MODEL.refusing)
const align = analysed.map(([a, b]) => alignmentFeatures(a, b))
// Embedding every word and difference takes ~5 min the first time: only when a variant reads them.
const wordVectors = process.argv.slice(3).some((name) => name === 'wordVectors' || name === 'wordAlignOnly') ? await wordVectorFeatures(pairs, console.log) : []

type Extra = (k: number) => { train: Map<number, number[]>; test: Map<number, number[]> }

/** A word model's features, nested: inner out-of-fold for fold k's training pairs, fold-k fit for its test pairs. */
function wordExtra(o: WordOptions, pick: (f: number[]) => number[] = (f) => f, average = false): Extra {
  const keys = analysed.map(([a, b]) => pairKeys(a, b, o.shared))
  const fitOn = (rows: number[]) => fitWordModel(rows.map((i) => keys[i]!), rows.map((i) => labels[i]!), o)
  return (k) => {
    const train = new Map<number, number[]>()
    const test = new Map<number, number[]>()
    const inner: WordModel[] = []
    for (let j = 0; j < FOLDS; j++) {
      if (j === k) continue
      const m = fitOn(range().filter((i) => fold[i] !== k && fold[i] !== j))
      inner.push(m)
      for (const i of range()) if (fold[i] === j) train.set(i, pick(wordFeatures(m, keys[i]!)))
    }
    // average: fold k is read by the average of the inner models, each fitted on as many pairs as
    // the ones whose scores the trees learnt from — not by one model fitted on more.
    const outer = average ? averageWordModels(inner) : fitOn(range().filter((i) => fold[i] !== k))
    for (const i of range()) if (fold[i] === k) test.set(i, pick(wordFeatures(outer, keys[i]!)))
    return { train, test }
  }
}
const staticExtra = (f: (i: number) => number[]): Extra => () => {
  const all = new Map(range().map((i) => [i, f(i)]))
  return { train: all, test: all }
}
const combine = (...xs: Extra[]): Extra => (k) => {
  const parts = xs.map((x) => x(k))
  const merge = (which: 'train' | 'test') => new Map(range().filter((i) => parts[0]![which].has(i)).map((i) => [i, parts.flatMap((p) => p[which].get(i)!)]))
  return { train: merge('train'), test: merge('test') }
}
function range(): number[] {
  return Array.from({ length: n }, (_, i) => i)
}

const WORDS: WordOptions = { minCount: 3, lambda: 1, epochs: 300 }
const variants: Record<string, { extra?: Extra; stack?: Partial<BoostingOptions> }> = {
  base: {},
  words: { extra: wordExtra(WORDS) },
  wordsMarginOnly: { extra: wordExtra(WORDS, (f) => f.slice(0, 1)) },
  wordsL10: { extra: wordExtra({ ...WORDS, lambda: 10 }) },
  wordsL01: { extra: wordExtra({ ...WORDS, lambda: 0.1 }) },
  wordsMin2: { extra: wordExtra({ ...WORDS, minCount: 2 }) },
  wordsShared: { extra: wordExtra({ ...WORDS, shared: true }) },
  wordsSharedAvg: { extra: wordExtra({ ...WORDS, shared: true }, undefined, true) },
  wordsSharedAvgL10: { extra: wordExtra({ ...WORDS, shared: true, lambda: 10 }, undefined, true) },
  wordsSharedMin2: { extra: wordExtra({ ...WORDS, shared: true, minCount: 2 }) },
  wordsSharedMin5: { extra: wordExtra({ ...WORDS, shared: true, minCount: 5 }) },
  wordsSharedMin10: { extra: wordExtra({ ...WORDS, shared: true, minCount: 10 }) },
  wordsSharedL10: { extra: wordExtra({ ...WORDS, shared: true, lambda: 10 }) },
  wordsSharedMargin: { extra: wordExtra({ ...WORDS, shared: true }, (f) => f.slice(0, 1)) },
  wordsSharedSlow: { extra: wordExtra({ ...WORDS, shared: true }), stack: { iterations: 400, learningRate: 0.025 } },
  align: { extra: staticExtra((i) => align[i]!) },
  wordVectors: { extra: staticExtra((i) => wordVectors[i]!) },
  wordAlignOnly: { extra: staticExtra((i) => wordVectors[i]!.slice(0, 3)) },
  wordsAlign: { extra: combine(wordExtra(WORDS), staticExtra((i) => align[i]!)) },
  slow400: { stack: { iterations: 400, learningRate: 0.025 } },
  leaf20: { stack: { minSamplesLeaf: 20 } },
  leaf80: { stack: { minSamplesLeaf: 80 } },
  leaves7: { stack: { maxLeaves: 7, iterations: 400 } },
  leaves31: { stack: { maxLeaves: 31 } },
  l2_10: { stack: { l2: 10 } },
  trees100: { stack: { iterations: 100 } },
  trees300: { stack: { iterations: 300 } },
}

const seeds = (process.argv[2] ?? '11').split(',').map(Number)
const names = process.argv.slice(3)
const started = performance.now()
const logOdds = (p: number) => Math.log(Math.max(p, 1e-7) / Math.max(1 - p, 1e-7))
/** The networks' mean log-odds, pair by pair. */
const meanOf = (xs: readonly Float64Array[]) => Float64Array.from(xs[0]!, (_, i) => sigmoid(xs.reduce((s, x) => s + logOdds(x[i]!), 0) / xs.length))
async function networkScores(members: number[]): Promise<NetworkScores> {
  const all: NetworkScores[] = []
  for (const seed of members) all.push(await nestedNetworkScores(pairs, networkSettings(seed, augment), console.log))
  if (all.length === 1) return all[0]!
  return { net: meanOf(all.map((a) => a.net)), inner: all[0]!.inner.map((_, k) => meanOf(all.map((a) => a.inner[k]!))) }
}
// ENSEMBLE=1: the seeds are one decision's members (their networks' mean log-odds), not separate runs.
for (const members of process.env.ENSEMBLE === '1' ? [seeds] : seeds.map((s) => [s])) {
  const seed = members.join('+')
  const nested = await networkScores(members)
  const { net } = nested
  const inner = process.env.FLAT === '1' ? nested.inner.map(() => net) : nested.inner
  for (const name of names) {
    const v = variants[name]
    if (!v) throw new Error(`unknown variant ${name}`)
    const rowFor = (k: number): TreeRow => {
      const extra = v.extra?.(k)
      return (i, p, side) => [...stackInputs(p, pairs[i]!.cosine, pairs[i]!.lexical), ...(extra?.[side].get(i) ?? [])]
    }
    const scores = nestedTreeScores(pairs, { net, inner }, { stack: { ...STACK, ...v.stack }, rowFor })
    const rows = pairs.map((p, i) => ({ label: p.label, score: servedScore(p, scores[i]!, refusing) }))
    const at1 = pointAt(rows, thresholdForFalseHitRate(rows, 0.01))
    const { threshold } = thresholdForBound(rows, 0.01)
    const atBound = pointAt(rows, threshold)
    console.log(
      `seed ${seed}${augment ? ' transitive' : ''} ${name.padEnd(16)} @1 %: ${pct(at1.hit.rate, 2).padStart(8)}   @bound ${threshold.toFixed(4)}: hit ${ci(atBound.hit, 2)} false ${pct(atBound.falseHit.rate, 2)}   (${((performance.now() - started) / 1000).toFixed(0)} s)`,
    )
  }
}
