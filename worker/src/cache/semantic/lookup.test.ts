import { env } from 'cloudflare:test'
import { describe, expect, it } from 'vitest'
import { SemanticEntries } from './entries.ts'
import { findSemanticHit } from './lookup.ts'
import { unitVector } from './test-vectors.ts'
import type { IndexMatch, VectorIndex } from './vector-index.ts'

/** An index that ignores the context filter and offers every id it was given (a filter bug). */
const leakyIndex = (ids: string[]): VectorIndex => ({
  kind: 'vectorize',
  query: async (): Promise<IndexMatch[]> => ids.map((id) => ({ id, score: 0.99 })),
  upsert: async () => undefined,
})

describe('findSemanticHit', () => {
  it('never serves an entry of another context, even when the index offers it', async () => {
    const entries = new SemanticEntries(env.DB)
    const vector = unitVector(7, 512)
    const question = 'How do I reset my password?'
    const now = Date.now()
    const theirs = `ctx-other-${crypto.randomUUID()}`
    const ours = `ctx-ours-${crypto.randomUUID()}`
    const id = `leak-${crypto.randomUUID()}`
    await entries.put({ id, context: theirs, embedder: 'local:use-lite-512', vector, question, answer: 'meta\n{}', createdAt: now, expiresAt: now + 60_000 }, now)

    const input = { vector, question, embedder: 'local:use-lite-512', threshold: 0, now }
    expect(await findSemanticHit(leakyIndex([id]), entries, { ...input, context: ours })).toEqual({})
    // The same entry in its own context is a hit: the refusal above is the context check, not the pair.
    expect((await findSemanticHit(leakyIndex([id]), entries, { ...input, context: theirs })).hit?.id).toBe(id)
  })

  it('returns the best candidate under the threshold as a near miss, without a hit', async () => {
    const entries = new SemanticEntries(env.DB)
    const vector = unitVector(8, 512)
    const context = `ctx-${crypto.randomUUID()}`
    const now = Date.now()
    const id = `near-${crypto.randomUUID()}`
    await entries.put({ id, context, embedder: 'x', vector, question: 'How do I reset my password?', answer: 'meta\n{}', createdAt: now, expiresAt: now + 60_000 }, now)
    const found = await findSemanticHit(leakyIndex([id]), entries, { vector, context, question: 'How can I reset my password?', embedder: 'workers-ai:bge', threshold: 0.9999, now })
    expect(found.hit).toBeUndefined()
    expect(found.best?.id).toBe(id)
    expect(found.best?.decision.score).toBeGreaterThan(0)
    expect(found.best?.decision.score).toBeLessThan(0.9999)
  })
})
