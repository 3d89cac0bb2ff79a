/** Test helper: a deterministic pseudo-random unit vector (xorshift), so tests need no model. */
import { normalise } from './quantize.ts'

export function unitVector(seed: number, dims: number): Float32Array {
  let x = seed * 2654435761 || 1
  const v = new Float32Array(dims)
  for (let i = 0; i < dims; i++) {
    x ^= x << 13
    x ^= x >>> 17
    x ^= x << 5
    v[i] = ((x >>> 0) / 2 ** 32) * 2 - 1
  }
  return normalise(v)
}
