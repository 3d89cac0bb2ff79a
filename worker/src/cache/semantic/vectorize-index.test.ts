import { env } from 'cloudflare:workers'
import { describe, expect, it } from 'vitest'
import { SemanticEntries } from './entries.ts'
import type { SemanticEntry } from './vector-index.ts'
import { vectorizeIndex } from './vectorize-index.ts'

/**
 * Vectorize has no local emulation, so this records the calls the index makes on the binding
 * (the real D1 is used as is) and answers queries from what was upserted, filtered by `context`.
 */
function recordingVectorize() {
  const calls: { op: string; arg: unknown }[] = []
  const stored = new Map<string, { values: Float32Array; metadata: Record<string, unknown> }>()
  const binding = {
    async query(vector: Float32Array, options: { topK: number; filter: { context: string } }) {
      calls.push({ op: 'query', arg: options })
      const matches = [...stored]
        .filter(([, v]) => v.metadata.context === options.filter.context)
        .map(([id, v]) => ({ id, score: v.values.reduce((s, x, i) => s + x * (vector[i] ?? 0), 0) }))
        .sort((a, b) => b.score - a.score)
        .slice(0, options.topK)
      return { matches, count: matches.length }
    },
    async upsert(vectors: { id: string; values: Float32Array; metadata: Record<string, unknown> }[]) {
      calls.push({ op: 'upsert', arg: vectors.map((v) => ({ id: v.id, metadata: v.metadata })) })
      for (const v of vectors) stored.set(v.id, v)
      return { mutationId: 'm' }
    },
    async deleteByIds(ids: string[]) {
      calls.push({ op: 'deleteByIds', arg: ids })
      for (const id of ids) stored.delete(id)
      return { mutationId: 'm' }
    },
  }
  return { binding: binding as unknown as VectorizeIndex, calls }
}

const unit = (...xs: number[]) => {
  const n = Math.hypot(...xs)
  return Float32Array.from(xs.map((x) => x / n))
}
const entry = (id: string, context: string, vector: Float32Array, expiresAt: number): SemanticEntry => ({
  id,
  context,
  embedder: 'workers-ai:@cf/baai/bge-base-en-v1.5',
  vector,
  question: `question ${id}`,
  answer: `answer ${id}`,
  createdAt: Date.now(),
  expiresAt,
})

describe('the Vectorize index', () => {
  it('writes the D1 row, then the vector with its context and expiry as metadata', async () => {
    const { binding, calls } = recordingVectorize()
    const entries = new SemanticEntries(env.DB)
    const context = `ctx-${crypto.randomUUID()}`
    const expiresAt = Date.now() + 60_000
    await vectorizeIndex(binding, entries, Date.now).upsert(entry(`v-${crypto.randomUUID()}`, context, unit(1, 0, 0), expiresAt))
    expect(calls.at(-1)).toMatchObject({ op: 'upsert', arg: [{ metadata: { context, expires_at: expiresAt } }] })
    const id = (calls.at(-1)?.arg as { id: string }[])[0]?.id ?? ''
    expect(await entries.read([id], context, Date.now())).toHaveLength(1)
    expect(await entries.read([id], `${context}-other`, Date.now())).toEqual([])
  })

  it('queries with a metadata filter on the context and drops matches under the minimum score', async () => {
    const { binding, calls } = recordingVectorize()
    const index = vectorizeIndex(binding, new SemanticEntries(env.DB), Date.now)
    const context = `ctx-${crypto.randomUUID()}`
    const later = Date.now() + 60_000
    await index.upsert(entry(`near-${crypto.randomUUID()}`, context, unit(1, 0.1, 0), later))
    await index.upsert(entry(`far-${crypto.randomUUID()}`, context, unit(0, 1, 0), later))
    await index.upsert(entry(`other-${crypto.randomUUID()}`, 'another-context', unit(1, 0, 0), later))
    const matches = await index.query(unit(1, 0, 0), context, 4, 0.8)
    expect(matches.map((m) => m.id.split('-')[0])).toEqual(['near'])
    expect(calls.find((c) => c.op === 'query')?.arg).toMatchObject({ topK: 4, filter: { context } })
  })

  it('deletes the vectors of expired rows as a write sweeps them from D1', async () => {
    const { binding, calls } = recordingVectorize()
    const clock = { now: Date.now() }
    const index = vectorizeIndex(binding, new SemanticEntries(env.DB), () => clock.now)
    const expired = `old-${crypto.randomUUID()}`
    await index.upsert(entry(expired, `ctx-${crypto.randomUUID()}`, unit(1, 0, 0), clock.now + 1_000))
    clock.now += 2_000
    await index.upsert(entry(`new-${crypto.randomUUID()}`, `ctx-${crypto.randomUUID()}`, unit(0, 1, 0), clock.now + 60_000))
    expect(calls.filter((c) => c.op === 'deleteByIds').flatMap((c) => c.arg as string[])).toContain(expired)
  })
})
