/**
 * The production default embedder: Workers AI, `@cf/baai/bge-base-en-v1.5` (768-d), through the
 * `AI` binding. The answer is validated (zod) and every vector brought to unit length.
 *
 * @example
 * const e = workersAiEmbedder(env.AI)
 * const [v] = await e.embed(['How do I reset my password?'])
 */
import { z } from 'zod'
import type { Embedder } from './embedder.ts'
import { normalise } from './quantize.ts'

export const WORKERS_AI_EMBEDDING_MODEL = '@cf/baai/bge-base-en-v1.5'

const outputSchema = z.object({ data: z.array(z.array(z.number())) })

export function workersAiEmbedder(ai: Ai, model: string = WORKERS_AI_EMBEDDING_MODEL, timeoutMs = 1_000): Embedder {
  return {
    id: `workers-ai:${model}`,
    dimensions: model === WORKERS_AI_EMBEDDING_MODEL ? 768 : undefined,
    async embed(texts: readonly string[]): Promise<Float32Array[]> {
      let timer: ReturnType<typeof setTimeout> | undefined
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`Workers AI took longer than ${timeoutMs} ms`)), timeoutMs)
      })
      try {
        // The model name comes from policy, so it is not one of the binding's literal model types.
        const run = ai.run as (model: string, inputs: { text: string[] }) => Promise<unknown>
        const output = outputSchema.safeParse(await Promise.race([run.call(ai, model, { text: [...texts] }), timeout]))
        if (!output.success) throw new Error('Workers AI answered an unexpected shape')
        if (output.data.data.length !== texts.length) throw new Error('Workers AI answered the wrong number of vectors')
        return output.data.data.map((v) => normalise(Float32Array.from(v)))
      } finally {
        clearTimeout(timer)
      }
    },
  }
}
