/**
 * Fits gradient-boosted trees (binary log-loss, Newton leaf values, L2 on leaves) for the
 * decision's second stage (worker/src/cache/semantic/boosted-trees.ts evaluates them). Histogram
 * based and grown best-first, as LightGBM and scikit-learn's HistGradientBoosting do: each
 * feature is cut into ≤ `bins` quantile bins once, then a tree keeps splitting the leaf whose best
 * split gains most until it has `maxLeaves` leaves. Deterministic: no sampling.
 */
import type { BoostedTree, BoostedTrees } from '../../worker/src/cache/semantic/boosted-trees.ts'
import { sigmoid } from '../../worker/src/cache/semantic/pair-model.ts'

export interface BoostingOptions {
  iterations: number
  learningRate: number
  maxLeaves: number
  minSamplesLeaf: number
  /** L2 penalty on leaf values (the λ in −G / (H + λ)). */
  l2: number
  bins?: number
}

interface Split {
  gain: number
  feature: number
  bin: number
}

interface Leaf {
  rows: Int32Array
  node: number
  g: number
  h: number
  split: Split | null
}

export function fitBoostedTrees(rows: readonly (readonly number[])[], labels: ArrayLike<number>, o: BoostingOptions): BoostedTrees {
  const n = rows.length
  const features = rows[0]?.length ?? 0
  const edges = Array.from({ length: features }, (_, f) => binEdges(rows.map((r) => r[f] ?? 0), o.bins ?? 255))
  const binned = new Uint8Array(n * features)
  rows.forEach((r, i) => {
    for (let f = 0; f < features; f++) binned[i * features + f] = binOf(edges[f]!, r[f] ?? 0)
  })
  let positives = 0
  for (let i = 0; i < n; i++) positives += labels[i]!
  const prior = Math.min(Math.max(positives / n, 1e-6), 1 - 1e-6)
  const base = Math.log(prior / (1 - prior))
  const margin = new Float64Array(n).fill(base)
  const grad = new Float64Array(n)
  const hess = new Float64Array(n)
  const all = Int32Array.from({ length: n }, (_, i) => i)
  const trees: BoostedTree[] = []

  const bestSplit = (leaf: Leaf): Split | null => {
    if (leaf.rows.length < 2 * o.minSamplesLeaf) return null
    let best: Split | null = null
    const parent = (leaf.g * leaf.g) / (leaf.h + o.l2)
    for (let f = 0; f < features; f++) {
      const size = edges[f]!.length + 1
      const hg = new Float64Array(size)
      const hh = new Float64Array(size)
      const hc = new Int32Array(size)
      for (const i of leaf.rows) {
        const b = binned[i * features + f]!
        hg[b] = hg[b]! + grad[i]!
        hh[b] = hh[b]! + hess[i]!
        hc[b] = hc[b]! + 1
      }
      let gl = 0
      let hl = 0
      let cl = 0
      for (let b = 0; b < size - 1; b++) {
        gl += hg[b]!
        hl += hh[b]!
        cl += hc[b]!
        const cr = leaf.rows.length - cl
        if (cl < o.minSamplesLeaf) continue
        if (cr < o.minSamplesLeaf) break
        const gr = leaf.g - gl
        const hr = leaf.h - hl
        const gain = (gl * gl) / (hl + o.l2) + (gr * gr) / (hr + o.l2) - parent
        if (gain > 1e-9 && (!best || gain > best.gain)) best = { gain, feature: f, bin: b }
      }
    }
    return best
  }
  const leafOf = (rowsOf: Int32Array, node: number): Leaf => {
    let g = 0
    let h = 0
    for (const i of rowsOf) {
      g += grad[i]!
      h += hess[i]!
    }
    const leaf: Leaf = { rows: rowsOf, node, g, h, split: null }
    leaf.split = bestSplit(leaf)
    return leaf
  }

  for (let t = 0; t < o.iterations; t++) {
    for (let i = 0; i < n; i++) {
      const p = sigmoid(margin[i]!)
      grad[i] = p - labels[i]!
      hess[i] = Math.max(p * (1 - p), 1e-12)
    }
    const tree = { feature: [-1], threshold: [0], left: [0], right: [0], value: [0] }
    const leaves: Leaf[] = [leafOf(all, 0)]
    while (leaves.length < o.maxLeaves) {
      let at = -1
      leaves.forEach((l, k) => {
        if (l.split && (at < 0 || l.split.gain > leaves[at]!.split!.gain)) at = k
      })
      if (at < 0) break
      const leaf = leaves[at]!
      const { feature, bin } = leaf.split!
      const goesLeft = (i: number) => binned[i * features + feature]! <= bin
      const leftRows = leaf.rows.filter(goesLeft)
      const rightRows = leaf.rows.filter((i) => !goesLeft(i))
      const l = tree.feature.length
      tree.feature.push(-1, -1)
      tree.threshold.push(0, 0)
      tree.left.push(0, 0)
      tree.right.push(0, 0)
      tree.value.push(0, 0)
      tree.feature[leaf.node] = feature
      tree.threshold[leaf.node] = edges[feature]![bin]!
      tree.left[leaf.node] = l
      tree.right[leaf.node] = l + 1
      leaves.splice(at, 1, leafOf(leftRows, l), leafOf(rightRows, l + 1))
    }
    for (const leaf of leaves) {
      const v = (-o.learningRate * leaf.g) / (leaf.h + o.l2)
      tree.value[leaf.node] = v
      for (const i of leaf.rows) margin[i] = margin[i]! + v
    }
    trees.push(tree)
  }
  return { base, trees }
}

/**
 * Cut points of one feature: between consecutive distinct values when there are few, else at
 * quantiles. A value x falls in the first bin whose edge is ≥ x (the last bin: above every edge).
 */
function binEdges(values: readonly number[], bins: number): number[] {
  const sorted = Float64Array.from(values).sort()
  const distinct: number[] = []
  for (const v of sorted) if (distinct.length === 0 || v !== distinct[distinct.length - 1]) distinct.push(v)
  const mid = (k: number) => (distinct[k]! + distinct[k + 1]!) / 2
  if (distinct.length <= bins) return distinct.slice(0, -1).map((_, k) => mid(k))
  const edges: number[] = []
  for (let b = 1; b < bins; b++) {
    const v = sorted[Math.floor((b * sorted.length) / bins)]!
    // The edge sits between v and the next larger distinct value, so equal values share a bin.
    const k = upperIndex(distinct, v)
    if (k < distinct.length - 1 && (edges.length === 0 || mid(k) > edges[edges.length - 1]!)) edges.push(mid(k))
  }
  return edges
}

/** The index of `v` in the sorted distinct values. */
function upperIndex(distinct: readonly number[], v: number): number {
  let lo = 0
  let hi = distinct.length - 1
  while (lo < hi) {
    const m = (lo + hi) >> 1
    if (distinct[m]! < v) lo = m + 1
    else hi = m
  }
  return lo
}

function binOf(edges: readonly number[], x: number): number {
  let lo = 0
  let hi = edges.length
  while (lo < hi) {
    const m = (lo + hi) >> 1
    if (x <= edges[m]!) hi = m
    else lo = m + 1
  }
  return lo
}
