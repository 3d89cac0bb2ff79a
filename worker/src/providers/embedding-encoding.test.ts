import type { CreateEmbeddingResponse } from 'openai/resources/embeddings'
import { describe, expect, it } from 'vitest'
import { fromBase64, inRequestedEncoding, toBase64 } from './embedding-encoding.ts'

const answer = (embedding: unknown): CreateEmbeddingResponse => ({
  object: 'list',
  model: 'm',
  data: [{ object: 'embedding', index: 0, embedding: embedding as number[] }],
  usage: { prompt_tokens: 1, total_tokens: 1 },
})

describe('embedding encoding', () => {
  it('writes little-endian float32, as OpenAI documents', () => {
    // 1.0f = 0x3f800000 → bytes 00 00 80 3f; -2.0f = 0xc0000000 → 00 00 00 c0.
    expect(toBase64([1, -2])).toBe(btoa(String.fromCharCode(0, 0, 0x80, 0x3f, 0, 0, 0, 0xc0)))
  })

  it('round-trips at float32 precision, a long vector too', () => {
    const vector = Array.from({ length: 20_000 }, (_, i) => Math.sin(i) / 3)
    const back = fromBase64(toBase64(vector))
    expect(back).toHaveLength(vector.length)
    expect(Array.from(back)).toEqual(Array.from(Float32Array.from(vector)))
  })

  it('answers base64 when base64 was asked and the provider gave numbers', () => {
    const out = inRequestedEncoding(answer([0.5, 0.25]), 'base64')
    expect(typeof out.data[0]?.embedding).toBe('string')
    expect(Array.from(fromBase64(out.data[0]!.embedding as unknown as string))).toEqual([0.5, 0.25])
  })

  it('answers numbers when float (or nothing) was asked and the provider gave base64', () => {
    for (const format of ['float', undefined]) expect(inRequestedEncoding(answer(toBase64([0.5])), format).data[0]?.embedding).toEqual([0.5])
  })

  it('leaves an answer already in the asked encoding as it is (same object)', () => {
    const numbers = answer([0.5])
    const text = answer(toBase64([0.5]))
    expect(inRequestedEncoding(numbers, 'float')).toBe(numbers)
    expect(inRequestedEncoding(text, 'base64')).toBe(text)
  })
})
