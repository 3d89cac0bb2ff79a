/**
 * OpenAI's `encoding_format: "base64"` for embeddings: each vector as little-endian float32 bytes,
 * base64 (a quarter of the JSON). The official clients ask for it by default. Providers that only
 * produce numbers (Workers AI, mock) are answered in the encoding the request asked for, so a raw
 * HTTP client gets the shape it asked for whichever target served.
 */
import { Buffer } from 'node:buffer'
import type { CreateEmbeddingResponse } from 'openai/resources/embeddings'
import { vectorBytes, vectorFromBytes } from '../cache/semantic/quantize.ts'

export function toBase64(vector: ArrayLike<number>): string {
  return Buffer.from(vectorBytes(Float32Array.from(vector))).toString('base64')
}

/** atob, not Buffer: a malformed answer throws rather than decoding to a wrong vector. */
export function fromBase64(text: string): Float32Array {
  return vectorFromBytes(Uint8Array.from(atob(text), (ch) => ch.charCodeAt(0)))
}

/** The answer with its vectors in the request's `encoding_format` (float unless base64 was asked). */
export function inRequestedEncoding(answer: CreateEmbeddingResponse, format: unknown): CreateEmbeddingResponse {
  const base64 = format === 'base64'
  const converted = answer.data.map((item) => {
    const vector: unknown = item.embedding
    if (base64 && Array.isArray(vector)) return { ...item, embedding: toBase64(vector) as unknown as number[] }
    if (!base64 && typeof vector === 'string') return { ...item, embedding: Array.from(fromBase64(vector)) }
    return item
  })
  return converted.every((item, i) => item === answer.data[i]) ? answer : { ...answer, data: converted }
}
