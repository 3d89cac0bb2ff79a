import { env } from 'cloudflare:workers'
import { describe, expect, it } from 'vitest'
import { MirrorRegistry } from './context-mirror.ts'
import { d1VectorIndex } from './d1-index.ts'
import { SemanticEntries } from './entries.ts'
import { normalise } from './quantize.ts'
import type { SemanticEntry } from './vector-index.ts'
import { unitVector } from './test-vectors.ts'

const DIMS = 64

const unit = (seed: number): Float32Array => unitVector(seed, DIMS)

/** `base` nudged by a little of `noise`: cosine close to 1 but not 1. */
function near(base: Float32Array, noise: Float32Array, amount = 0.1): Float32Array {
  return normalise(base.map((x, i) => x + amount * (noise[i] ?? 0)))
}

const entry = (context: string, n: number, vector: Float32Array, expiresAt = Date.now() + 60_000): SemanticEntry => ({
  id: `${context}-${n}`,
  context,
  embedder: 'test',
  vector,
  question: `question ${n}`,
  answer: `{"endpoint":"chat"}\nanswer ${n}`,
  createdAt: Date.now(),
  expiresAt,
})

const indexWith = (mirrors = new MirrorRegistry(8 << 20, 10_000), now = Date.now) =>
  d1VectorIndex({ entries: new SemanticEntries(env.DB), mirrors, now, syncIntervalMs: 0 })

describe('the D1 vector index', () => {
  it('finds the nearest entry of the context, and only of that context', async () => {
    const context = `ctx-${crypto.randomUUID()}`
    const other = `ctx-${crypto.randomUUID()}`
    const index = indexWith()
    for (let n = 1; n <= 20; n++) await index.upsert(entry(context, n, unit(n)))
    await index.upsert(entry(other, 7, unit(7)))

    const matches = await index.query(near(unit(7), unit(99)), context, 3, 0.5)
    expect(matches[0]?.id).toBe(`${context}-7`)
    expect(matches[0]?.score).toBeGreaterThan(0.9)
    expect(matches.every((m) => m.id.startsWith(context))).toBe(true)
    expect(await index.query(unit(7), `ctx-${crypto.randomUUID()}`, 3, 0)).toEqual([])
  })

  it('another isolate (an empty mirror) loads the entries from D1, then picks up new rows incrementally', async () => {
    const context = `ctx-${crypto.randomUUID()}`
    await indexWith().upsert(entry(context, 1, unit(1)))
    const mirrors = new MirrorRegistry(8 << 20, 10_000)
    const reader = indexWith(mirrors)
    expect((await reader.query(unit(1), context, 1, 0.9))[0]?.id).toBe(`${context}-1`)
    expect(mirrors.peek(context)?.size).toBe(1)

    await indexWith().upsert(entry(context, 2, unit(2))) // written by a third isolate
    expect((await reader.query(unit(2), context, 1, 0.9))[0]?.id).toBe(`${context}-2`)
    expect(mirrors.peek(context)?.size).toBe(2)
  })

  it('never returns an entry past its expiry, from the mirror or from D1', async () => {
    const context = `ctx-${crypto.randomUUID()}`
    let clock = Date.now()
    const index = indexWith(new MirrorRegistry(8 << 20, 10_000), () => clock)
    await index.upsert(entry(context, 1, unit(1), clock + 1_000))
    expect(await index.query(unit(1), context, 1, 0.9)).toHaveLength(1)
    clock += 1_000
    expect(await index.query(unit(1), context, 1, 0.9)).toEqual([])
    expect(await indexWith(new MirrorRegistry(8 << 20, 10_000), () => clock).query(unit(1), context, 1, 0.9)).toEqual([])
    expect(await new SemanticEntries(env.DB).read([`${context}-1`], context, clock)).toEqual([])
  })

  it('stores the exact vector beside the answer, and a re-asked question replaces its row', async () => {
    const context = `ctx-${crypto.randomUUID()}`
    const entries = new SemanticEntries(env.DB)
    const index = indexWith()
    await index.upsert(entry(context, 1, unit(1)))
    await index.upsert({ ...entry(context, 1, unit(2)), answer: 'replaced' })
    const [row] = await entries.read([`${context}-1`], context, Date.now())
    expect(row?.answer).toBe('replaced')
    expect(Array.from(row?.vector ?? [])).toEqual(Array.from(unit(2)))
    const { results } = await env.DB.prepare('SELECT count(*) AS n FROM semantic_entries WHERE context = ?1').bind(context).all<{ n: number }>()
    expect(results[0]?.n).toBe(1)
  })
})
