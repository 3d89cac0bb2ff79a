import { describe, expect, it } from 'vitest'
import { blobBytes, dot, normalise, popcount, sketchBytes, sketchFromBytes, sketchFromText, sketchOf, sketchText, vectorBytes, vectorFromBytes } from './quantize.ts'

const random = (dims: number, seed: number) => {
  let x = seed
  return normalise(Float32Array.from({ length: dims }, () => ((x = (x * 1103515245 + 12345) % 2 ** 31) / 2 ** 31) * 2 - 1))
}

describe('vector encodings', () => {
  it('float32 bytes round-trip exactly', () => {
    const v = random(512, 7)
    expect(Array.from(vectorFromBytes(vectorBytes(v)))).toEqual(Array.from(v))
  })

  it('a sketch round-trips and keeps the cosine within 0.005', () => {
    for (let seed = 1; seed < 20; seed++) {
      const a = random(512, seed)
      const b = normalise(a.map((x, i) => x + 0.5 * (random(512, seed + 100)[i] ?? 0)))
      const sa = sketchFromBytes(sketchBytes(sketchOf(a)), 512)
      expect(sa).toBeDefined()
      if (!sa) return
      let approx = 0
      for (let i = 0; i < 512; i++) approx += (b[i] ?? 0) * (sa.values[i] ?? 0)
      expect(Math.abs(approx * sa.scale - dot(a, b))).toBeLessThan(0.005)
    }
  })

  it('refuses a sketch of other dimensions', () => {
    expect(sketchFromBytes(sketchBytes(sketchOf(random(64, 1))), 512)).toBeUndefined()
    expect(sketchFromText(sketchText(sketchOf(random(64, 1))), 512)).toBeUndefined()
  })

  it('a sketch round-trips through its base64 text (as D1 keeps it)', () => {
    const sketch = sketchOf(random(512, 3))
    const back = sketchFromText(sketchText(sketch), 512)
    expect(Array.from(back?.values ?? [])).toEqual(Array.from(sketch.values))
    expect(back?.scale).toBe(sketch.scale)
  })

  it('normalise leaves a zero vector alone and makes others unit length', () => {
    expect(Array.from(normalise(new Float32Array(3)))).toEqual([0, 0, 0])
    expect(dot(normalise(Float32Array.from([3, 4])), normalise(Float32Array.from([3, 4])))).toBeCloseTo(1, 6)
  })

  it('popcount counts bits of 32-bit words', () => {
    expect([0, 1, 0xff, 0xffffffff, 0x80000000 | 0].map(popcount)).toEqual([0, 1, 8, 32, 1])
  })

  it('reads a BLOB as D1 may return it', () => {
    expect(Array.from(blobBytes(new Uint8Array([1, 2])) ?? [])).toEqual([1, 2])
    expect(Array.from(blobBytes(new Uint8Array([3]).buffer) ?? [])).toEqual([3])
    expect(Array.from(blobBytes([4, 5]) ?? [])).toEqual([4, 5])
    expect(blobBytes('text')).toBeUndefined()
  })
})
