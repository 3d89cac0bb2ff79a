/**
 * Vector encodings for the semantic cache. Pure.
 *
 * - `vector`: float32 little-endian bytes, the exact unit vector (re-scoring, Vectorize).
 * - `sketch`: one int8 per dimension scaled by the vector's largest component, then its float32
 *   scale — a quarter of the bytes, cosine within ~0.002 of the exact one (it only ranks).
 *   Kept in D1 as base64 text (sketchText).
 * - sign bits: one bit per dimension, packed into 32-bit words — the first-pass Hamming filter.
 */
import { Buffer } from 'node:buffer'

/** The same direction at unit length; a zero or broken vector comes back unchanged. */
export function normalise(vector: Float32Array): Float32Array {
  let norm = 0
  for (let i = 0; i < vector.length; i++) norm += (vector[i] ?? 0) * (vector[i] ?? 0)
  if (!(norm > 0) || !Number.isFinite(norm)) return vector
  const inv = 1 / Math.sqrt(norm)
  const out = new Float32Array(vector.length)
  for (let i = 0; i < vector.length; i++) out[i] = (vector[i] ?? 0) * inv
  return out
}

export function dot(a: Float32Array, b: Float32Array): number {
  const n = Math.min(a.length, b.length)
  let s = 0
  for (let i = 0; i < n; i++) s += (a[i] ?? 0) * (b[i] ?? 0)
  return s
}

/** Float32 little-endian bytes (D1 BLOB). */
export function vectorBytes(vector: Float32Array): Uint8Array {
  const out = new Uint8Array(vector.length * 4)
  const view = new DataView(out.buffer)
  for (let i = 0; i < vector.length; i++) view.setFloat32(i * 4, vector[i] ?? 0, true)
  return out
}

export function vectorFromBytes(bytes: Uint8Array): Float32Array {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  const out = new Float32Array(Math.floor(bytes.byteLength / 4))
  for (let i = 0; i < out.length; i++) out[i] = view.getFloat32(i * 4, true)
  return out
}

export interface Sketch {
  /** Components divided by `scale`, rounded: each in [-127, 127]. */
  values: Int8Array
  scale: number
}

export function sketchOf(vector: Float32Array): Sketch {
  let max = 0
  for (let i = 0; i < vector.length; i++) max = Math.max(max, Math.abs(vector[i] ?? 0))
  // Rounded to float32 as stored, so a sketch scores the same in memory and after a D1 round trip.
  const scale = Math.fround(max > 0 ? max / 127 : 1)
  const values = new Int8Array(vector.length)
  for (let i = 0; i < vector.length; i++) values[i] = Math.round((vector[i] ?? 0) / scale)
  return { values, scale }
}

/** `dims` int8 bytes, then the float32 scale (little-endian). */
export function sketchBytes(sketch: Sketch): Uint8Array {
  const dims = sketch.values.length
  const out = new Uint8Array(dims + 4)
  out.set(new Uint8Array(sketch.values.buffer, sketch.values.byteOffset, dims))
  new DataView(out.buffer).setFloat32(dims, sketch.scale, true)
  return out
}

/** Undefined when the bytes are not a sketch of `dims` dimensions. */
export function sketchFromBytes(bytes: Uint8Array, dims: number): Sketch | undefined {
  if (bytes.byteLength !== dims + 4) return undefined
  const values = new Int8Array(dims)
  values.set(new Int8Array(bytes.buffer, bytes.byteOffset, dims))
  const scale = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getFloat32(dims, true)
  return { values, scale }
}

/** Words of packed sign bits for `dims` dimensions. */
export const signWords = (dims: number): number => Math.ceil(dims / 32)

/** Sign bits of int8 (or float) components into `out` at `offset`: bit set when the component is > 0. */
export function writeSignBits(values: ArrayLike<number>, out: Uint32Array, offset: number): void {
  const words = signWords(values.length)
  for (let w = 0; w < words; w++) out[offset + w] = 0
  for (let i = 0; i < values.length; i++) if ((values[i] ?? 0) > 0) out[offset + (i >>> 5)] = (out[offset + (i >>> 5)] ?? 0) | (1 << (i & 31))
}

/** Set bits of a 32-bit word. */
export function popcount(x: number): number {
  x = x - ((x >>> 1) & 0x55555555)
  x = (x & 0x33333333) + ((x >>> 2) & 0x33333333)
  return (Math.imul((x + (x >>> 4)) & 0x0f0f0f0f, 0x01010101) >>> 24) & 0xff
}

/** A sketch as stored in D1: base64 text, which decodes natively (a BLOB reaches a Worker as number[]). */
export function sketchText(sketch: Sketch): string {
  return Buffer.from(sketchBytes(sketch)).toString('base64')
}

export function sketchFromText(text: string, dims: number): Sketch | undefined {
  const bytes = Buffer.from(text, 'base64')
  return sketchFromBytes(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength), dims)
}

/** Bytes of a D1 BLOB column, whichever shape the driver returns it in. */
export function blobBytes(value: unknown): Uint8Array | undefined {
  if (value instanceof Uint8Array) return value
  if (value instanceof ArrayBuffer) return new Uint8Array(value)
  if (Array.isArray(value)) return Uint8Array.from(value as number[])
  return undefined
}
