/**
 * L2-regularised logistic regression fitted by Newton's method (IRLS) on standardised
 * features: exact, deterministic and fast for a few dozen features and a few thousand rows.
 */
import { sigmoid } from '../../worker/src/cache/semantic/pair-model.ts'

export interface LogisticModel {
  mean: number[]
  scale: number[]
  weights: number[]
  bias: number
}

/** Fits P(y=1|x); `lambda` penalises the weights (not the bias). */
export function fitLogistic(rows: readonly number[][], labels: readonly number[], lambda = 1, iterations = 50): LogisticModel {
  const d = rows[0]?.length ?? 0
  const n = rows.length
  const mean = Array.from({ length: d }, (_, j) => rows.reduce((s, r) => s + (r[j] ?? 0), 0) / n)
  const scale = mean.map((m, j) => {
    const sd = Math.sqrt(rows.reduce((s, r) => s + ((r[j] ?? 0) - m) ** 2, 0) / n)
    return sd > 1e-9 ? sd : 1
  })
  // Column 0 is the bias (a constant 1), so the system is (d + 1)-dimensional.
  const xs = rows.map((r) => [1, ...r.map((v, j) => (v - (mean[j] ?? 0)) / (scale[j] ?? 1))])
  let beta = new Array<number>(d + 1).fill(0)
  for (let it = 0; it < iterations; it++) {
    const grad = new Array<number>(d + 1).fill(0)
    const hess = Array.from({ length: d + 1 }, () => new Array<number>(d + 1).fill(0))
    for (let i = 0; i < n; i++) {
      const x = xs[i] ?? []
      const p = sigmoid(dotN(beta, x))
      const w = Math.max(p * (1 - p), 1e-9)
      const r = p - (labels[i] ?? 0)
      for (let a = 0; a <= d; a++) {
        const xa = x[a] ?? 0
        grad[a] = (grad[a] ?? 0) + r * xa
        const row = hess[a] ?? []
        for (let b = a; b <= d; b++) row[b] = (row[b] ?? 0) + w * xa * (x[b] ?? 0)
      }
    }
    for (let a = 0; a <= d; a++) {
      const row = hess[a] ?? []
      for (let b = 0; b < a; b++) row[b] = hess[b]?.[a] ?? 0
      if (a > 0) {
        grad[a] = (grad[a] ?? 0) + lambda * (beta[a] ?? 0)
        row[a] = (row[a] ?? 0) + lambda
      }
    }
    const step = solve(hess, grad)
    beta = beta.map((b, j) => b - (step[j] ?? 0))
    if (Math.max(...step.map(Math.abs)) < 1e-8) break
  }
  return { mean, scale, weights: beta.slice(1), bias: beta[0] ?? 0 }
}

export function predict(model: LogisticModel, row: readonly number[]): number {
  let z = model.bias
  row.forEach((v, j) => {
    z += (model.weights[j] ?? 0) * ((v - (model.mean[j] ?? 0)) / (model.scale[j] ?? 1))
  })
  return sigmoid(z)
}

function dotN(a: readonly number[], b: readonly number[]): number {
  let s = 0
  for (let i = 0; i < a.length; i++) s += (a[i] ?? 0) * (b[i] ?? 0)
  return s
}

/** Gaussian elimination with partial pivoting; the Hessian is small and positive definite. */
function solve(matrix: number[][], rhs: number[]): number[] {
  const n = rhs.length
  const m = matrix.map((row, i) => [...row, rhs[i] ?? 0])
  for (let col = 0; col < n; col++) {
    let pivot = col
    for (let r = col + 1; r < n; r++) if (Math.abs(m[r]?.[col] ?? 0) > Math.abs(m[pivot]?.[col] ?? 0)) pivot = r
    ;[m[col], m[pivot]] = [m[pivot] ?? [], m[col] ?? []]
    const p = m[col] ?? []
    for (let r = col + 1; r < n; r++) {
      const row = m[r] ?? []
      const f = (row[col] ?? 0) / (p[col] ?? 1)
      for (let c = col; c <= n; c++) row[c] = (row[c] ?? 0) - f * (p[c] ?? 0)
    }
  }
  const x = new Array<number>(n).fill(0)
  for (let r = n - 1; r >= 0; r--) {
    const row = m[r] ?? []
    let s = row[n] ?? 0
    for (let c = r + 1; c < n; c++) s -= (row[c] ?? 0) * (x[c] ?? 0)
    x[r] = s / (row[r] ?? 1)
  }
  return x
}
