/**
 * Lab: transitive augmentation, screened without nesting. Inside each training fold, the pairs its
 * question groups imply (A≡B, B≡C ⇒ A≡C; A≡B, B≢C ⇒ A≢C) are added to the network's training
 * pairs — never across folds — and the trees are cross-validated on the fold networks' scores,
 * against the same without augmentation (compare.ts FLAT=1 base).
 *
 * NESTED=1 builds it the way fit.ts builds the shipped decision (compare.ts base): fold k's pairs
 * scored by the network trained on the other folds, its trees fitted on inner scores from networks
 * trained on the folds that are neither k nor the pair's own — each training set augmented by its
 * own implied pairs. The network without folds {k, j} scores fold j for k's trees and fold k for
 * j's (training is deterministic), so 15 networks, not 25. Each network's scores are cached in
 * .tmp/semantic-fit; PART=0/2 and PART=1/2 split the networks between two processes.
 *
 *   nice -n 19 npx tsx scripts/semantic/lab/transitive.ts [seed]
 *   NESTED=1 [PART=i/m] nice -n 19 npx tsx scripts/semantic/lab/transitive.ts [seed]
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
import { mkdir, readFile, writeFile } from 'node:fs/promises'
import { resolve } from 'node:path'
import { REPO_ROOT } from '../dataset.ts'

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

const started = performance.now()
const fold = (p: PreparedPair) => p.foldKey % FOLDS

/** Scores of the pairs in the folds `held` from a network trained on the other folds and their implied pairs; cached. */
async function heldOutScores(held: number[]): Promise<Float64Array | undefined> {
  const file = resolve(REPO_ROOT, `.tmp/semantic-fit/transitive-seed${settings.seed}-held${held.join('')}.f64`)
  const cached = await readFile(file).catch(() => undefined)
  if (cached && cached.byteLength === 8 * pairs.length) return new Float64Array(cached.buffer, cached.byteOffset, pairs.length)
  const [part, parts] = (process.env.PART ?? '0/1').split('/').map(Number)
  if (jobs.indexOf(held.join('')) % parts! !== part) return undefined
  const train = pairs.filter((p) => !held.includes(fold(p)))
  const extra = implied(train)
  const scores = trainAndScore([...train, ...extra], pairs.filter((p) => held.includes(fold(p))), settings)
  const out = new Float64Array(pairs.length).fill(Number.NaN)
  let at = 0
  pairs.forEach((p, i) => {
    if (held.includes(fold(p))) out[i] = scores[at++]!
  })
  await mkdir(resolve(REPO_ROOT, '.tmp/semantic-fit'), { recursive: true })
  await writeFile(file, new Uint8Array(out.buffer))
  console.log(`held out ${held.join(', ')}: ${train.length} pairs + ${extra.length} implied (${extra.filter((x) => x.label === 1).length} same-question) (${((performance.now() - started) / 1000).toFixed(0)} s)`)
  return out
}
const jobs: string[] = []
for (let k = 0; k < FOLDS; k++) jobs.push(`${k}`)
for (let k = 0; k < FOLDS; k++) for (let j = k + 1; j < FOLDS; j++) jobs.push(`${k}${j}`)

const net = new Float64Array(pairs.length)
let inner: Float64Array[] | undefined
if (process.env.NESTED === '1') {
  const held = new Map<string, Float64Array | undefined>()
  for (const job of jobs) held.set(job, await heldOutScores([...job].map(Number)))
  if ([...held.values()].some((x) => !x)) {
    console.log('other part still running: run again when it has finished')
    process.exit(0)
  }
  inner = []
  for (let k = 0; k < FOLDS; k++) {
    const own = held.get(`${k}`)!
    const scores = new Float64Array(pairs.length)
    pairs.forEach((p, i) => {
      const j = fold(p)
      if (j === k) net[i] = own[i]!
      else scores[i] = held.get(j < k ? `${j}${k}` : `${k}${j}`)![i]!
    })
    inner.push(scores)
  }
}
for (let k = 0; k < FOLDS && !inner; k++) {
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
  const from = inner?.[k] ?? net
  const trees = fitBoostedTrees(rows.map((i) => stackInputs(from[i]!, pairs[i]!.cosine, pairs[i]!.lexical)), rows.map((i) => pairs[i]!.label), { iterations: 200, learningRate: 0.05, maxLeaves: 15, minSamplesLeaf: 40, l2: 1 })
  pairs.forEach((p, i) => {
    if (p.foldKey % FOLDS === k) scores[i] = sigmoid(boostedMargin(trees, stackInputs(net[i]!, p.cosine, p.lexical)))
  })
}
const rows = pairs.map((p, i) => ({ label: p.label, score: p.cosine < 0.75 || [...p.conflicts].some((c) => refusing.has(c)) ? 0 : p.sameWords ? 1 : scores[i]! }))
const at1 = pointAt(rows, thresholdForFalseHitRate(rows, 0.01))
const { threshold } = thresholdForBound(rows, 0.01)
const atBound = pointAt(rows, threshold)
const network = pairs.map((p, i) => ({ label: p.label, score: p.cosine < 0.75 ? 0 : net[i]! }))
console.log(`transitive, ${inner ? 'nested' : 'not nested'}: @1 % ${pct(at1.hit.rate, 2)}; @bound ${threshold.toFixed(4)}: hit ${ci(atBound.hit, 2)} false ${pct(atBound.falseHit.rate, 2)}; network alone @1 %: ${pct(pointAt(network, thresholdForFalseHitRate(network, 0.01)).hit.rate, 2)}`)
