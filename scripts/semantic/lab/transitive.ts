/**
 * Lab: transitive augmentation, screened without nesting. Inside each training fold, the pairs its
 * question groups imply (A≡B, B≡C ⇒ A≡C; A≡B, B≢C ⇒ A≢C) are added to the network's training
 * pairs — never across folds — and the trees are cross-validated on the fold networks' scores,
 * against the same without augmentation (compare.ts FLAT=1 base).
 *
 *   nice -n 19 npx tsx scripts/semantic/lab/transitive.ts [seed]
 */
import { boostedMargin } from '../../../worker/src/cache/semantic/boosted-trees.ts'
import { conflictsOf } from '../../../worker/src/cache/semantic/conflicts.ts'
import { LEXICAL_FEATURES, lexicalFeatures } from '../../../worker/src/cache/semantic/features.ts'
import { NETWORK_MODEL } from '../../../worker/src/cache/semantic/pair-model-params.ts'
import { sigmoid, stackInputs } from '../../../worker/src/cache/semantic/pair-model.ts'
import { analyse } from '../../../worker/src/cache/semantic/text.ts'
import { fitBoostedTrees } from '../boosting.ts'
import { ci, pct, pointAt, thresholdForBound, thresholdForFalseHitRate } from '../curve.ts'
import { dot } from '../embedding-cache.ts'
import { trainAndScore } from '../network-scores.ts'
import { preparePairs, type PreparedPair } from '../prepare.ts'

const FOLDS = 5
const MAX_GROUP = 12
const settings = { hidden: 128, epochs: 8, weightDecay: 3e-3, learningRate: 5e-4, seed: Number(process.argv[2] ?? 11), dims: 512, folds: FOLDS, lexical: LEXICAL_FEATURES }
const { pairs } = await preparePairs('train', () => undefined)
const vector = new Map<string, Float32Array>()
for (const p of pairs) {
  vector.set(p.query, p.queryVector)
  vector.set(p.cached, p.cachedVector)
}

/** The pairs implied by these pairs' same-question components, not already among them. */
function implied(rows: readonly PreparedPair[]): PreparedPair[] {
  const parent = new Map<string, string>()
  const root = (x: string): string => {
    while (parent.has(x) && parent.get(x) !== x) x = parent.get(x)!
    return x
  }
  for (const p of rows) if (p.label === 1) {
    const [a, b] = [root(p.query), root(p.cached)]
    if (!parent.has(a)) parent.set(a, a)
    if (a !== b) parent.set(b, a)
  }
  const members = new Map<string, string[]>()
  for (const t of new Set(rows.flatMap((p) => [p.query, p.cached]))) {
    const r = root(t)
    members.set(r, [...(members.get(r) ?? []), t])
  }
  const seen = new Set(rows.flatMap((p) => [`${p.query}\u0000${p.cached}`, `${p.cached}\u0000${p.query}`]))
  const out = new Map<string, { a: string; b: string; label: 0 | 1; foldKey: number }>()
  const add = (a: string, b: string, label: 0 | 1, foldKey: number) => {
    const key = a < b ? `${a}\u0000${b}` : `${b}\u0000${a}`
    if (a === b || seen.has(`${a}\u0000${b}`)) return
    const had = out.get(key)
    if (had && had.label !== label) out.set(key, { ...had, label: -1 as never })
    else out.set(key, { a, b, label, foldKey })
  }
  for (const p of rows) {
    const ga = members.get(root(p.query)) ?? []
    const gb = members.get(root(p.cached)) ?? []
    if (ga.length > MAX_GROUP || gb.length > MAX_GROUP) continue
    if (p.label === 1) for (const x of ga) for (const y of ga) if (x < y) add(x, y, 1, p.foldKey)
    if (p.label === 0) {
      for (const x of ga) add(x, p.cached, 0, p.foldKey)
      for (const y of gb) add(p.query, y, 0, p.foldKey)
    }
  }
  return [...out.values()]
    .filter((x) => x.label === 0 || x.label === 1)
    .map(({ a, b, label, foldKey }) => {
      const [ta, tb] = [analyse(a), analyse(b)]
      const queryVector = vector.get(a)!
      const cachedVector = vector.get(b)!
      return { query: a, cached: b, label, source: 'qqp', split: 'train', foldKey, queryVector, cachedVector, cosine: dot(queryVector, cachedVector), conflicts: conflictsOf(ta, tb), lexical: lexicalFeatures(ta, tb), sameWords: false }
    })
}

const net = new Float64Array(pairs.length)
const started = performance.now()
for (let k = 0; k < FOLDS; k++) {
  const train = pairs.filter((p) => p.foldKey % FOLDS !== k)
  const extra = implied(train)
  const scores = trainAndScore([...train, ...extra], pairs.filter((p) => p.foldKey % FOLDS === k), settings)
  let at = 0
  pairs.forEach((p, i) => {
    if (p.foldKey % FOLDS === k) net[i] = scores[at++]!
  })
  console.log(`fold ${k}: ${train.length} pairs + ${extra.length} implied (${extra.filter((x) => x.label === 1).length} same-question) (${((performance.now() - started) / 1000).toFixed(0)} s)`)
}
const refusing = new Set(NETWORK_MODEL.refusing)
const scores = new Float64Array(pairs.length)
for (let k = 0; k < FOLDS; k++) {
  const rows = pairs.map((_, i) => i).filter((i) => pairs[i]!.foldKey % FOLDS !== k)
  const trees = fitBoostedTrees(rows.map((i) => stackInputs(net[i]!, pairs[i]!.cosine, pairs[i]!.lexical)), rows.map((i) => pairs[i]!.label), { iterations: 200, learningRate: 0.05, maxLeaves: 15, minSamplesLeaf: 40, l2: 1 })
  pairs.forEach((p, i) => {
    if (p.foldKey % FOLDS === k) scores[i] = sigmoid(boostedMargin(trees, stackInputs(net[i]!, p.cosine, p.lexical)))
  })
}
const rows = pairs.map((p, i) => ({ label: p.label, score: p.cosine < 0.75 || [...p.conflicts].some((c) => refusing.has(c)) ? 0 : p.sameWords ? 1 : scores[i]! }))
const at1 = pointAt(rows, thresholdForFalseHitRate(rows, 0.01))
const { threshold } = thresholdForBound(rows, 0.01)
const network = pairs.map((p, i) => ({ label: p.label, score: p.cosine < 0.75 ? 0 : net[i]! }))
console.log(`transitive, not nested: @1 % ${pct(at1.hit.rate, 2)}; @bound ${threshold.toFixed(4)}: hit ${ci(pointAt(rows, threshold).hit, 2)}; network alone @1 %: ${pct(pointAt(network, thresholdForFalseHitRate(network, 0.01)).hit.rate, 2)}`)
