/**
 * Embeddings for the evaluation texts, computed with the local model once and kept in
 * .tmp/semantic-eval/ (gitignored) so re-runs take seconds. The cache file is named by
 * the model and a hash of the text list: new data or a new model recomputes from scratch.
 */
import { createHash } from 'node:crypto'
import { mkdir, readFile, writeFile } from 'node:fs/promises'
import { resolve } from 'node:path'
import { REPO_ROOT } from './dataset.ts'
import { EMBEDDING_DIMS, loadEmbedder } from './embedder.ts'

const CACHE_DIR = resolve(REPO_ROOT, '.tmp/semantic-eval')
const BATCH = 64

export interface EmbeddingTable {
  vectorOf(text: string): Float32Array
  /** True when every vector came from the disk cache. */
  fromCache: boolean
  /** Model load time when the model had to be loaded, else undefined. */
  loadMs: number | undefined
}

export async function embedTexts(texts: readonly string[], log: (line: string) => void): Promise<EmbeddingTable> {
  const unique = [...new Set(texts)].sort()
  const key = createHash('sha256').update(unique.join('\u0000')).digest('hex').slice(0, 16)
  const file = resolve(CACHE_DIR, `use-lite-512-${key}.f32`)
  let data = await readFile(file).then((b) => new Float32Array(b.buffer, b.byteOffset, b.byteLength / 4)).catch(() => undefined)
  let loadMs: number | undefined
  const fromCache = data !== undefined && data.length === unique.length * EMBEDDING_DIMS
  if (!fromCache) {
    const embedder = await loadEmbedder()
    loadMs = embedder.loadMs
    data = new Float32Array(unique.length * EMBEDDING_DIMS)
    const started = performance.now()
    for (let i = 0; i < unique.length; i += BATCH) {
      const vectors = await embedder.embed(unique.slice(i, i + BATCH))
      vectors.forEach((v, j) => data?.set(v, (i + j) * EMBEDDING_DIMS))
      if ((i / BATCH) % 20 === 0) log(`  embedded ${Math.min(i + BATCH, unique.length)}/${unique.length}`)
    }
    log(`  embedded ${unique.length} texts in ${((performance.now() - started) / 1000).toFixed(1)} s → ${file}`)
    await mkdir(CACHE_DIR, { recursive: true })
    await writeFile(file, new Uint8Array(data.buffer))
  }
  const table = data as Float32Array
  const index = new Map(unique.map((t, i) => [t, i]))
  return {
    fromCache,
    loadMs,
    vectorOf(text) {
      const i = index.get(text)
      if (i === undefined) throw new Error('text was not embedded')
      return table.subarray(i * EMBEDDING_DIMS, (i + 1) * EMBEDDING_DIMS)
    },
  }
}

/** Dot product of unit vectors = cosine. */
export function dot(a: Float32Array, b: Float32Array): number {
  let s = 0
  for (let i = 0; i < a.length; i++) s += (a[i] ?? 0) * (b[i] ?? 0)
  return s
}
