import { describe, expect, it } from 'vitest'
import { groq } from '../../src/providers/groq.ts'
import type { ChatRequest } from '../../src/providers/types.ts'
import { assembleToolCalls, callOf, marker, readSse, receivedBy, target, upstreamErrorOf, vars } from './helpers.ts'

/** A target on the fake Groq; the model name scripts it (see worker/test/fakes/fake-server.ts). */
const fake = (model: string, apiKey: string = vars.FAKE_GROQ_KEY) => target('groq', { baseUrl: vars.FAKE_GROQ_URL, apiKey, model })
const ask = (content: string, extra: Partial<ChatRequest> = {}): ChatRequest => ({ model: 'alias', messages: [{ role: 'user', content }], ...extra })

type Chunk = { choices: { delta: { content?: string }; finish_reason: string | null }[]; usage?: Record<string, number>; x_groq?: { usage?: Record<string, number> } }

describe('groq adapter against the fake Groq API', () => {
  it('calls /openai/v1/chat/completions with the Groq key and returns the JSON answer', async () => {
    const question = `Why is the sky blue? ${marker()}`
    const result = await groq.chat(ask(question), callOf(fake('llama-3.3-70b-versatile')))
    if (result.type !== 'json') throw new Error('expected JSON')
    expect(result.completion.choices[0]?.message.content).toBe(`You said: ${question}`)
    expect(result.completion.usage).toMatchObject({ prompt_tokens: expect.any(Number), completion_tokens: expect.any(Number) })
    const [sent] = await receivedBy(vars.FAKE_GROQ_URL, question)
    expect(sent?.path).toBe('/openai/v1/chat/completions')
    expect(sent?.headers.authorization).toBe(`Bearer ${vars.FAKE_GROQ_KEY}`)
    expect(sent?.body.model).toBe('llama-3.3-70b-versatile')
    expect(sent?.body).not.toHaveProperty('stream_options')
  })

  it('asks for usage on a stream and passes Groq’s chunks through, usage chunk once, then [DONE]', async () => {
    const question = `Count to three ${marker()}`
    const result = await groq.chat(ask(question, { stream: true }), callOf(fake('llama-3.3-70b-versatile')))
    if (result.type !== 'stream') throw new Error('expected a stream')
    const events = await readSse(result.body)
    const [sent] = await receivedBy(vars.FAKE_GROQ_URL, question)
    expect(sent?.body).toMatchObject({ stream: true, stream_options: { include_usage: true } })

    expect(events.at(-1)).toBe('[DONE]')
    const chunks = events.slice(0, -1) as Chunk[]
    expect(chunks.map((c) => c.choices[0]?.delta.content ?? '').join('')).toBe(`You said: ${question}`)
    const usageChunks = chunks.filter((c) => c.usage)
    expect(usageChunks).toHaveLength(1)
    expect(usageChunks[0]?.choices).toEqual([])
    expect(chunks.some((c) => c.x_groq?.usage)).toBe(true)
  })

  it('adds the standard usage chunk when Groq reports usage only in x_groq', async () => {
    const result = await groq.chat(ask('hello', { stream: true }), callOf(fake('legacy-usage')))
    if (result.type !== 'stream') throw new Error('expected a stream')
    const events = await readSse(result.body)
    expect(events.at(-1)).toBe('[DONE]')
    const chunks = events.slice(0, -1) as Chunk[]
    const fromGroq = chunks.find((c) => c.x_groq?.usage)?.x_groq?.usage
    const usageChunks = chunks.filter((c) => c.usage)
    expect(usageChunks).toHaveLength(1)
    expect(usageChunks[0]).toMatchObject({
      choices: [],
      usage: { prompt_tokens: fromGroq?.prompt_tokens, completion_tokens: fromGroq?.completion_tokens, total_tokens: fromGroq?.total_tokens },
    })
    expect(chunks.at(-1)).toBe(usageChunks[0])
  })

  it('streams a tool call with its arguments intact', async () => {
    const result = await groq.chat(ask('Kyoto', { stream: true }), callOf(fake('tools')))
    if (result.type !== 'stream') throw new Error('expected a stream')
    const events = await readSse(result.body)
    const [call] = assembleToolCalls(events.slice(0, -1))
    expect(call?.name).toBe('get_weather')
    expect(JSON.parse(call!.arguments)).toEqual({ city: 'Kyoto', unit: 'celsius' })
    expect((events.slice(0, -1) as Chunk[]).some((c) => c.choices[0]?.finish_reason === 'tool_calls')).toBe(true)
  })

  it.each([
    [429, 'rate_limit_exceeded'],
    [503, undefined],
  ])('throws an UpstreamError for HTTP %i', async (status, code) => {
    const error = await upstreamErrorOf(groq.chat(ask('hi', { stream: true }), callOf(fake(`fail-${status}`))))
    expect(error).toMatchObject({ kind: 'http', status })
    if (code) expect(error.code).toBe(code)
  })

  it('reports a wrong key as 401 invalid_api_key', async () => {
    const error = await upstreamErrorOf(groq.chat(ask('hi'), callOf(fake('llama', 'gsk_wrongwrongwrong'))))
    expect(error).toMatchObject({ kind: 'http', status: 401, code: 'invalid_api_key' })
  })

  it('times out on a slow upstream', async () => {
    const started = Date.now()
    expect(await upstreamErrorOf(groq.chat(ask('hi', { stream: true }), callOf(fake('slow-3000'), 300)))).toMatchObject({ kind: 'timeout' })
    expect(Date.now() - started).toBeLessThan(2500)
  })
})
