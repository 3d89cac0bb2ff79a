import { describe, expect, it } from 'vitest'
import { openai } from '../../src/providers/openai.ts'
import type { ChatRequest } from '../../src/providers/types.ts'
import { callOf, marker, readSse, receivedBy, target, upstreamErrorOf, vars } from './helpers.ts'

/** A target on the fake OpenAI; the model name scripts it (see worker/test/fakes/fake-server.ts). */
const fake = (model: string, apiKey: string = vars.FAKE_OPENAI_KEY) => target('openai', { baseUrl: vars.FAKE_OPENAI_URL, apiKey, model })
const ask = (content: string, extra: Partial<ChatRequest> = {}): ChatRequest => ({ model: 'alias', messages: [{ role: 'user', content }], ...extra })

type Chunk = { choices: { delta: { content?: string }; finish_reason: string | null }[]; usage?: Record<string, number> | null }

describe('openai adapter against the fake OpenAI API', () => {
  it('streams with include_usage added and the OpenAI key sent, ending in a usage chunk and [DONE]', async () => {
    const question = `Tell me a joke ${marker()}`
    const result = await openai.chat(ask(question, { stream: true }), callOf(fake('gpt-4o-mini')))
    if (result.type !== 'stream') throw new Error('expected a stream')
    const events = await readSse(result.body)
    const [sent] = await receivedBy(vars.FAKE_OPENAI_URL, question)
    expect(sent?.path).toBe('/v1/chat/completions')
    expect(sent?.headers.authorization).toBe(`Bearer ${vars.FAKE_OPENAI_KEY}`)
    expect(sent?.body).toMatchObject({ model: 'gpt-4o-mini', stream: true, stream_options: { include_usage: true } })

    expect(events.at(-1)).toBe('[DONE]')
    const chunks = events.slice(0, -1) as Chunk[]
    expect(chunks.map((c) => c.choices[0]?.delta.content ?? '').join('')).toBe(`You said: ${question}`)
    expect(chunks.at(-1)).toMatchObject({ choices: [], usage: { total_tokens: expect.any(Number) } })
    expect(chunks.at(-2)?.choices[0]?.finish_reason).toBe('stop')
  })

  it('returns embeddings as float vectors (the SDK asks for base64 and decodes it)', async () => {
    const text = `embed me ${marker()}`
    const response = await openai.embeddings!({ model: 'alias', input: [text, 'and me'] }, callOf(fake('text-embedding-3-small')))
    expect(response.data).toHaveLength(2)
    const vector = Array.from(response.data[0]!.embedding)
    expect(vector).toHaveLength(8)
    expect(Math.hypot(...vector)).toBeCloseTo(1, 5)
    const [sent] = await receivedBy(vars.FAKE_OPENAI_URL, text)
    expect(sent?.path).toBe('/v1/embeddings')
  })

  it.each([503, 429, 500])('throws an UpstreamError for HTTP %i', async (status) => {
    expect(await upstreamErrorOf(openai.chat(ask('hi'), callOf(fake(`fail-${status}`))))).toMatchObject({ kind: 'http', status })
  })

  it('reports a wrong key as 401 invalid_api_key, without echoing the key', async () => {
    const error = await upstreamErrorOf(openai.chat(ask('hi'), callOf(fake('gpt-4o-mini', 'sk-test-wrong-key-1234567'))))
    expect(error).toMatchObject({ kind: 'http', status: 401, code: 'invalid_api_key' })
    expect(error.message).not.toContain('sk-test-wrong-key-1234567')
  })
})
