/**
 * OpenAI's `encoding_format: "base64"` for embeddings: each vector as little-endian float32 bytes,
 * base64 (a quarter of the JSON). The official clients ask for it by default. Providers that only
 * produce numbers (Workers AI, mock) are answered in the encoding the request asked for, so a raw
 * HTTP client gets the shape it asked for whichever target served.
 */
import type { CreateEmbeddingResponse } from 'openai/resources/embeddings'

export function toBase64(vector: ArrayLike<number>): string {
  const bytes = new Uint8Array(Float32Array.from(vector).buffer)
  let binary = ''
  // btoa takes a binary string; build it in slices (argument lists have a length limit).
  for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000))
  return btoa(binary)
}

export function fromBase64(text: string): Float32Array {
  const binary = atob(text)
  const bytes = new Uint8Array(binary.length)
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i)
  const view = new DataView(bytes.buffer)
  const out = new Float32Array(Math.floor(bytes.length / 4))
  for (let i = 0; i < out.length; i++) out[i] = view.getFloat32(i * 4, true)
  return out
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
