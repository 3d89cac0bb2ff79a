/**
 * The network's out-of-fold scores on train, nested, cached on disk: the slow part of the fit
 * (15 networks, ~10 min on a core), so a change to the second stage only (the trees and what
 * they read) refits in minutes. `net[i]` is pair i's score from the network trained on the other
 * folds; `inner[k][i]`, for a pair outside fold k, its score from a network trained on the folds
 * that are neither k nor its own — what fold k's trees learn from, as the shipped trees learn
 * from `net` (fit.ts). Scores go through the int8 params and the Worker's networkScore.
 * Training is deterministic, so the network without folds {j, k} scores fold j for inner[k] and
 * fold k for inner[j]: 5 + 10 networks, not 5 + 20.
 *
 * `augment: 'transitive'` adds each training set's implied pairs (implied-pairs.ts) to it.
 *
 * The cache file is named by a hash of everything the scores depend on: the network settings,
 * the seed, the pairs (texts, labels, folds, embeddings, lexical features) and the source of the
 * code that trains and scores (this file, mlp.ts, network-params.ts, pair-model.ts): a change to
 * any of them recomputes the scores.
 */
import { createHash } from 'node:crypto'
import { mkdir, readFile, writeFile } from 'node:fs/promises'
import { resolve } from 'node:path'
import { networkScore, type NetworkParams } from '../../worker/src/cache/semantic/pair-model.ts'
import { REPO_ROOT } from './dataset.ts'
import { impliedPairs } from './implied-pairs.ts'
import { trainMlp, type Mlp, type MlpOptions } from './mlp.ts'
import { toNetworkParams } from './network-params.ts'
import type { PreparedPair } from './prepare.ts'

export interface NetworkSettings extends MlpOptions {
  dims: number
  folds: number
  lexical: readonly string[]
  augment?: 'transitive'
}

export interface NetworkScores {
  net: Float64Array
  inner: Float64Array[]
}

const CACHE_DIR = resolve(REPO_ROOT, '.tmp/semantic-fit')
const SOURCES = ['scripts/semantic/network-scores.ts', 'scripts/semantic/implied-pairs.ts', 'scripts/semantic/mlp.ts', 'scripts/semantic/network-params.ts', 'worker/src/cache/semantic/pair-model.ts']

/** The network's input row: u⊙v, |u−v|, the cosine, the lexical features. */
export function networkInput(p: PreparedPair, dims: number): Float32Array {
  const row = new Float32Array(2 * dims + 1 + p.lexical.length)
  for (let i = 0; i < dims; i++) {
    row[i] = p.queryVector[i]! * p.cachedVector[i]!
    row[dims + i] = Math.abs(p.queryVector[i]! - p.cachedVector[i]!)
  }
  row[2 * dims] = p.cosine
  row.set(p.lexical, 2 * dims + 1)
  return row
}

/** Trains one network on these pairs (and, if the settings say so, the pairs they imply). */
export function trainNetwork(pairs: readonly PreparedPair[], s: NetworkSettings): Mlp {
  const train = s.augment === 'transitive' ? [...pairs, ...impliedPairs(pairs)] : pairs
  const d = 2 * s.dims + 1 + s.lexical.length
  const x = new Float32Array(train.length * d)
  train.forEach((p, i) => x.set(networkInput(p, s.dims), i * d))
  return trainMlp({ n: train.length, d, x }, train.map((p) => p.label), s)
}

/** The network alone as the Worker scores it (int8 params): no gate, trees or refusal rules. */
export function bareNetworkParams(mlp: Mlp, s: NetworkSettings): NetworkParams {
  return toNetworkParams([mlp], { embedders: [], dims: s.dims, lexical: s.lexical, gate: 0, threshold: 1, refusing: [], stack: null })
}

/** Trains one network on `train` and scores `rows` with it, as the Worker would (int8 params). */
export function trainAndScore(train: readonly PreparedPair[], rows: readonly PreparedPair[], s: NetworkSettings): number[] {
  const params = bareNetworkParams(trainNetwork(train, s), s)
  return rows.map((p) => networkScore(params, p.queryVector, p.cachedVector, p.cosine, p.lexical))
}

async function cacheKey(pairs: readonly PreparedPair[], s: NetworkSettings): Promise<string> {
  const h = createHash('sha256').update(JSON.stringify(s))
  for (const file of SOURCES) h.update(await readFile(resolve(REPO_ROOT, file)))
  for (const p of pairs) {
    h.update(`${p.query}\u0000${p.cached}\u0000${p.label}\u0000${p.foldKey}\u0000${p.lexical.join(',')}\u0000`)
    h.update(new Uint8Array(p.queryVector.buffer, p.queryVector.byteOffset, p.queryVector.byteLength))
    h.update(new Uint8Array(p.cachedVector.buffer, p.cachedVector.byteOffset, p.cachedVector.byteLength))
  }
  return h.digest('hex').slice(0, 16)
}

/** Where the scores for these pairs and settings are cached. */
export async function networkScoresFile(pairs: readonly PreparedPair[], s: NetworkSettings, cacheDir = CACHE_DIR): Promise<string> {
  return resolve(cacheDir, `network-scores-${await cacheKey(pairs, s)}.f64`)
}

export async function nestedNetworkScores(pairs: readonly PreparedPair[], s: NetworkSettings, log: (line: string) => void, cacheDir = CACHE_DIR): Promise<NetworkScores> {
  const n = pairs.length
  const file = await networkScoresFile(pairs, s, cacheDir)
  const cached = await readFile(file).catch(() => undefined)
  if (cached && cached.byteLength === 8 * (s.folds + 1) * n) {
    const all = new Float64Array(cached.buffer, cached.byteOffset, cached.byteLength / 8)
    log(`  network: out-of-fold scores from ${file}`)
    return { net: all.slice(0, n), inner: Array.from({ length: s.folds }, (_, k) => all.slice((k + 1) * n, (k + 2) * n)) }
  }
  const started = performance.now()
  const elapsed = () => `${((performance.now() - started) / 1000).toFixed(0)} s`
  const fold = (p: PreparedPair) => p.foldKey % s.folds
  // Scores of the pairs in folds `held` from a network trained on the other folds.
  const scoreFolds = (held: number[], into: (j: number) => Float64Array) => {
    const scores = trainAndScore(pairs.filter((p) => !held.includes(fold(p))), pairs.filter((p) => held.includes(fold(p))), s)
    let at = 0
    pairs.forEach((p, i) => {
      if (held.includes(fold(p))) into(fold(p))[i] = scores[at++]!
    })
  }
  const net = new Float64Array(n)
  for (let k = 0; k < s.folds; k++) {
    scoreFolds([k], () => net)
    log(`  network: fold ${k + 1}/${s.folds} (${elapsed()})`)
  }
  const inner = Array.from({ length: s.folds }, () => new Float64Array(n))
  for (let k = 0; k < s.folds; k++) {
    // Fold j's pairs are inner scores for fold k's trees, and fold k's for fold j's.
    for (let j = k + 1; j < s.folds; j++) scoreFolds([k, j], (f) => inner[f === j ? k : j]!)
    log(`  network: inner networks without fold ${k + 1} (${elapsed()})`)
  }
  const all = new Float64Array((s.folds + 1) * n)
  all.set(net)
  inner.forEach((scores, k) => all.set(scores, (k + 1) * n))
  await mkdir(cacheDir, { recursive: true })
  await writeFile(file, new Uint8Array(all.buffer))
  return { net, inner }
}
