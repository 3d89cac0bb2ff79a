/**
 * An embedder over any OpenAI-compatible `POST …/embeddings`: OpenAI itself, an
 * openai-compatible provider from policy, or the local endpoint `npm start` runs
 * (scripts/embeddings-server.ts, USE-lite 512-d). Asks for base64 (a quarter of the JSON) and
 * also accepts plain float arrays. Validated with zod: a malformed answer is an error, which the
 * semantic stage treats as "no semantic cache for this request".
 *
 * @example
 * const e = openAiEmbedder({ id: 'local:use-lite-512', baseUrl: 'http://127.0.0.1:8790/v1', model: 'use-lite-512', timeoutMs: 1000 })
 * const [v] = await e.embed(['How do I reset my password?'])
 */
import { z } from 'zod'
import type { Embedder } from './embedder.ts'
import { fromBase64 } from '../../providers/embedding-encoding.ts'
import { normalise } from './quantize.ts'

export interface OpenAiEmbedderOptions {
  id: string
  /** Base URL including the version segment, e.g. `https://api.openai.com/v1`. */
  baseUrl: string
  model: string
  apiKey?: string
  headers?: Record<string, string>
  timeoutMs: number
  /** When set, an answer naming another model is refused (its vectors would not be comparable). */
  requireModel?: boolean
  fetch?: typeof fetch
}

const responseSchema = z.object({
  data: z.array(z.object({ index: z.number().int().min(0), embedding: z.union([z.string(), z.array(z.number())]) })),
  model: z.string().optional(),
})

export function openAiEmbedder(options: OpenAiEmbedderOptions): Embedder {
  const doFetch = options.fetch ?? fetch
  const url = `${options.baseUrl.replace(/\/+$/, '')}/embeddings`
  return {
    id: options.id,
    dimensions: undefined,
    async embed(texts: readonly string[]): Promise<Float32Array[]> {
      const res = await doFetch(url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          ...(options.apiKey ? { authorization: `Bearer ${options.apiKey}` } : {}),
          ...options.headers,
        },
        body: JSON.stringify({ model: options.model, input: texts, encoding_format: 'base64' }),
        signal: AbortSignal.timeout(options.timeoutMs),
      })
      // The body is never echoed: an upstream error text may quote the input.
      if (!res.ok) throw new Error(`embeddings endpoint answered ${res.status}`)
      const parsed = responseSchema.safeParse(await res.json())
      if (!parsed.success) throw new Error('embeddings endpoint answered an unexpected shape')
      const { data, model } = parsed.data
      if (options.requireModel && model !== undefined && model !== options.model)
        throw new Error(`embeddings endpoint serves ${model}, not ${options.model}`)
      if (data.length !== texts.length) throw new Error('embeddings endpoint answered the wrong number of vectors')
      const out: Float32Array[] = []
      for (const item of [...data].sort((a, b) => a.index - b.index)) {
        const vector = typeof item.embedding === 'string' ? fromBase64(item.embedding) : Float32Array.from(item.embedding)
        out.push(normalise(vector))
      }
      return out
    },
  }
}
