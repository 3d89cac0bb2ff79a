/**
 * A two-layer network (ReLU hidden layer, sigmoid output) trained with Adam on binary
 * cross-entropy: the semantic-cache decision's pair model. Plain Float32Array loops — a few
 * seconds per epoch for 20,000 rows of ~1,000 features — and deterministic for a given seed.
 * Inputs are standardised while training and the model keeps the weights on standardised inputs
 * with the means and scales: network-params.ts quantises those and folds the standardisation in,
 * so the Worker evaluates raw features (worker/src/cache/semantic/pair-model.ts).
 */
import { sigmoid } from '../../worker/src/cache/semantic/pair-model.ts'

export interface MlpOptions {
  hidden: number
  epochs: number
  batch?: number
  learningRate?: number
  /** L2 penalty on both weight matrices (decoupled, AdamW style). */
  weightDecay?: number
  seed?: number
}

export interface Mlp {
  inputs: number
  hidden: number
  /** Per input: the training mean and standard deviation the weights expect inputs scaled by. */
  mean: Float32Array
  scale: Float32Array
  /** hidden × inputs, row-major, on STANDARDISED inputs ((x − mean) / scale). */
  w1: Float32Array
  b1: Float32Array
  w2: Float32Array
  b2: number
}

/** Rows as one flat matrix (n × d) plus labels. */
export interface Matrix {
  n: number
  d: number
  x: Float32Array
}

export function trainMlp(data: Matrix, labels: ArrayLike<number>, o: MlpOptions): Mlp {
  const { n, d } = data
  const H = o.hidden
  const batch = o.batch ?? 64
  const lr = o.learningRate ?? 1e-3
  const decay = o.weightDecay ?? 1e-4
  const rand = xorshift(o.seed ?? 1)
  // Standardise columns so one learning rate suits u⊙v (~0.01) and counts (~1) alike.
  const mean = new Float32Array(d)
  const scale = new Float32Array(d)
  for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) mean[j]! += data.x[i * d + j]! / n
  for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) scale[j]! += (data.x[i * d + j]! - mean[j]!) ** 2 / n
  for (let j = 0; j < d; j++) scale[j] = Math.sqrt(scale[j]!) > 1e-9 ? Math.sqrt(scale[j]!) : 1
  const x = new Float32Array(n * d)
  for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) x[i * d + j] = (data.x[i * d + j]! - mean[j]!) / scale[j]!

  const w1 = new Float32Array(H * d).map(() => (rand() * 2 - 1) * Math.sqrt(6 / (d + H)))
  const b1 = new Float32Array(H)
  const w2 = new Float32Array(H).map(() => (rand() * 2 - 1) * Math.sqrt(6 / (H + 1)))
  let b2 = 0
  const adam = { w1: adamState(H * d), b1: adamState(H), w2: adamState(H), b2: adamState(1) }
  const g1 = new Float32Array(H * d)
  const gb1 = new Float32Array(H)
  const gw2 = new Float32Array(H)
  const h = new Float32Array(H)
  const order = Array.from({ length: n }, (_, i) => i)
  let step = 0
  for (let epoch = 0; epoch < o.epochs; epoch++) {
    shuffle(order, rand)
    for (let start = 0; start < n; start += batch) {
      const end = Math.min(n, start + batch)
      g1.fill(0)
      gb1.fill(0)
      gw2.fill(0)
      let gb2 = 0
      for (let k = start; k < end; k++) {
        const row = order[k]!
        const off = row * d
        let z = b2
        for (let u = 0; u < H; u++) {
          let s = b1[u]!
          const wo = u * d
          for (let j = 0; j < d; j++) s += w1[wo + j]! * x[off + j]!
          h[u] = s > 0 ? s : 0
          z += w2[u]! * h[u]!
        }
        const dz = (sigmoid(z) - labels[row]!) / (end - start)
        gb2 += dz
        for (let u = 0; u < H; u++) {
          gw2[u]! += dz * h[u]!
          if (h[u]! <= 0) continue
          const dh = dz * w2[u]!
          gb1[u]! += dh
          const wo = u * d
          for (let j = 0; j < d; j++) g1[wo + j]! += dh * x[off + j]!
        }
      }
      step++
      adamStep(w1, g1, adam.w1, lr, step, decay)
      adamStep(b1, gb1, adam.b1, lr, step, 0)
      adamStep(w2, gw2, adam.w2, lr, step, decay)
      const b2v = new Float32Array([b2])
      adamStep(b2v, new Float32Array([gb2]), adam.b2, lr, step, 0)
      b2 = b2v[0]!
    }
  }
  return { inputs: d, hidden: H, mean, scale, w1, b1, w2, b2 }
}

interface AdamState {
  m: Float32Array
  v: Float32Array
}
const adamState = (size: number): AdamState => ({ m: new Float32Array(size), v: new Float32Array(size) })

function adamStep(w: Float32Array, g: Float32Array, s: AdamState, lr: number, t: number, decay: number): void {
  const b1 = 0.9
  const b2 = 0.999
  const c1 = 1 - b1 ** t
  const c2 = 1 - b2 ** t
  for (let i = 0; i < w.length; i++) {
    s.m[i] = b1 * s.m[i]! + (1 - b1) * g[i]!
    s.v[i] = b2 * s.v[i]! + (1 - b2) * g[i]! * g[i]!
    w[i]! -= lr * ((s.m[i]! / c1) / (Math.sqrt(s.v[i]! / c2) + 1e-8) + decay * w[i]!)
  }
}

function xorshift(seed: number): () => number {
  let s = seed * 2654435761 || 1
  return () => {
    s ^= s << 13
    s ^= s >>> 17
    s ^= s << 5
    return (s >>> 0) / 2 ** 32
  }
}

function shuffle(a: number[], rand: () => number): void {
  for (let i = a.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1))
    ;[a[i], a[j]] = [a[j]!, a[i]!]
  }
}
