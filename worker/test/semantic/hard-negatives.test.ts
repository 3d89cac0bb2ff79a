/**
 * The semantic cache through the whole gateway, with real USE-lite embeddings: a true paraphrase
 * is answered SEMANTIC with its similarity; the same paraphrase in any other context, and prompts
 * that only look alike, are not.
 */
import { beforeEach, describe, expect, it } from 'vitest'
import { MIN_COSINE } from '../../src/cache/semantic/decision.ts'
import { ask, cosineOf, freshNamespace, gateway, KEY_B, type AskOptions } from './harness.ts'

const SYSTEM = 'You are the support assistant of Acme Cloud. Answer briefly.'
const CACHED = 'How do I reset my password?'
const PARAPHRASE = 'How can I reset my password?'

let g = gateway()
let ns: Record<string, string> = {}
const inContext = (o: AskOptions = {}): AskOptions => ({ system: SYSTEM, ...o, headers: { ...ns, ...o.headers } })

beforeEach(() => {
  g = gateway()
  ns = freshNamespace()
})

describe('a paraphrase of a cached question', () => {
  it('is answered SEMANTIC with the cached answer and its similarity', async () => {
    expect(await ask(g, CACHED, inContext())).toMatchObject({ status: 200, cache: 'MISS', content: `You said: ${CACHED}` })
    const hit = await ask(g, PARAPHRASE, inContext())
    expect(hit).toMatchObject({ status: 200, cache: 'SEMANTIC', content: `You said: ${CACHED}` })
    // The score the decision compared with the project's threshold (0.8 in this harness's policy).
    expect(hit.similarity).toBeGreaterThanOrEqual(0.8)
    expect(hit.similarity).toBeLessThanOrEqual(1)
  })

  it('is found by another isolate (an empty mirror reads D1)', async () => {
    await ask(g, CACHED, inContext())
    expect(await ask(gateway(), PARAPHRASE, inContext())).toMatchObject({ cache: 'SEMANTIC', content: `You said: ${CACHED}` })
  })

  it('is replayed as a stream when the client streams', async () => {
    await ask(g, CACHED, inContext())
    expect(await ask(g, PARAPHRASE, inContext({ stream: true }))).toMatchObject({ status: 200, cache: 'SEMANTIC', content: `You said: ${CACHED}` })
  })
})

describe('the same paraphrase in another context is a MISS', () => {
  const others: ReadonlyArray<readonly [string, AskOptions]> = [
    ['under another system prompt', { system: 'You are a pirate. Answer in pirate speak.' }],
    ['with no system prompt', { system: '' }],
    ['after other earlier turns', { earlier: [{ role: 'user', content: 'I use the mobile app.' }, { role: 'assistant', content: 'Noted.' }] }],
    ['for another tenant (project)', { key: KEY_B }],
    ['in another cache namespace', { headers: { 'x-watchllm-cache-namespace': 'another-team' } }],
    ['with another temperature', { params: { temperature: 0.2 } }],
    ['with a response format', { params: { response_format: { type: 'json_object' } } }],
    ['for another model', { model: 'gpt-big' }],
  ]
  it.each(others)('%s', async (_, other) => {
    await ask(g, CACHED, inContext())
    expect((await ask(g, PARAPHRASE, inContext())).cache).toBe('SEMANTIC') // the context itself does hit
    const missed = await ask(g, PARAPHRASE, inContext(other))
    expect(missed).toMatchObject({ status: 200, cache: 'MISS', similarity: null, content: `You said: ${PARAPHRASE}` })
  })
})

describe('a prompt that only looks like a cached one is never SEMANTIC', () => {
  const lookalikes: ReadonlyArray<readonly [string, string, string]> = [
    ['negation', 'Is ibuprofen safe during pregnancy?', 'Is ibuprofen not safe during pregnancy?'],
    ['another entity', 'What is the capital of France?', 'What is the capital of Spain?'],
    ['another number', 'How many days are there in 2023?', 'How many days are there in 2024?'],
    ['reversed roles', 'Is Alice taller than Bob?', 'Is Bob taller than Alice?'],
    ['an opposite word', 'What is the longest river in Europe?', 'What is the shortest river in Europe?'],
  ]
  it.each(lookalikes)('%s: "%s" does not answer "%s"', async (_, cached, query) => {
    // A real hard negative: close enough for the index to offer it, so the decision must refuse it.
    expect(await cosineOf(cached, query)).toBeGreaterThan(MIN_COSINE)
    await ask(g, cached, inContext())
    const res = await ask(g, query, inContext())
    expect(res.status).toBe(200)
    expect(res.cache).not.toBe('SEMANTIC')
    expect(res.content).toBe(`You said: ${query}`)
  })
})
