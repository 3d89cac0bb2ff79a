import { describe, expect, it } from 'vitest'
import { anthropic } from '../../src/providers/anthropic.ts'
import type { ChatRequest } from '../../src/providers/types.ts'
import { assembleToolCalls, callOf, marker, readSse, receivedBy, target, upstreamErrorOf, vars } from './helpers.ts'

/** A target on the fake; the model name scripts it (see worker/test/fakes/fake-server.ts). */
const fake = (model: string, apiKey: string = vars.FAKE_ANTHROPIC_KEY) => target('anthropic', { baseUrl: vars.FAKE_ANTHROPIC_URL, apiKey, model })

const ask = (content: string, extra: Partial<ChatRequest> = {}): ChatRequest => ({
  model: 'alias',
  messages: [
    { role: 'system', content: 'Be brief.' },
    { role: 'user', content },
  ],
  ...extra,
})

type Chunk = { id: string; object: string; choices: { delta: Record<string, unknown>; finish_reason: string | null }[]; usage?: Record<string, unknown> }

describe('anthropic adapter against the fake Messages API', () => {
  it('maps a JSON answer, and sends Anthropic what it requires (system, max_tokens, key)', async () => {
    const question = `What is the capital of France? ${marker()}`
    const result = await anthropic.chat(ask(question, { temperature: 0.2, user: 'user-7' }), callOf(fake('cached-8')))
    if (result.type !== 'json') throw new Error('expected JSON')
    const { completion } = result
    expect(completion.object).toBe('chat.completion')
    expect(completion.choices[0]?.message.content).toBe(`You said: ${question}`)
    expect(completion.choices[0]?.finish_reason).toBe('stop')
    const usage = completion.usage!
    expect(usage.prompt_tokens_details?.cached_tokens).toBe(8)
    expect(usage.prompt_tokens).toBeGreaterThan(8)
    expect(usage.total_tokens).toBe(usage.prompt_tokens + usage.completion_tokens)

    const [sent] = await receivedBy(vars.FAKE_ANTHROPIC_URL, question)
    expect(sent?.path).toBe('/v1/messages')
    expect(sent?.headers.authorization).toBe(`Bearer ${vars.FAKE_ANTHROPIC_KEY}`)
    expect(sent?.headers['anthropic-version']).toBeTruthy()
    // temperature is dropped: the API version the SDK pins refuses sampling parameters.
    expect(sent?.body).toEqual({
      model: 'cached-8',
      max_tokens: 4096,
      system: 'Be brief.',
      messages: [{ role: 'user', content: question }],
      metadata: { user_id: 'user-7' },
    })
  })

  it('sends a tool-using conversation the real API would accept (tool_use → tool_result, images)', async () => {
    const mark = marker()
    const request: ChatRequest = {
      model: 'alias',
      messages: [
        { role: 'user', content: [{ type: 'text', text: 'Weather in Paris and Rome?' }, { type: 'image_url', image_url: { url: 'data:image/png;base64,iVBORw0KGgo=' } }] },
        {
          role: 'assistant',
          content: null,
          tool_calls: [
            { id: 'toolu_a', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } },
            { id: 'toolu_b', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Rome"}' } },
          ],
        },
        { role: 'tool', tool_call_id: 'toolu_a', content: '18°C' },
        { role: 'tool', tool_call_id: 'toolu_b', content: '24°C' },
        { role: 'user', content: `Which is warmer? ${mark}` },
      ],
      tools: [{ type: 'function', function: { name: 'get_weather', description: 'Weather by city', parameters: { type: 'object', properties: { city: { type: 'string' } } } } }],
      tool_choice: 'auto',
    }
    const result = await anthropic.chat(request, callOf(fake('claude-test')))
    if (result.type !== 'json') throw new Error('expected JSON')
    expect(result.completion.choices[0]?.message.content).toBe(`You said: Which is warmer? ${mark}`)
    const [sent] = await receivedBy(vars.FAKE_ANTHROPIC_URL, mark)
    const messages = sent?.body.messages as { role: string; content: { type: string }[] }[]
    expect(messages.map((m) => m.role)).toEqual(['user', 'assistant', 'user'])
    expect(messages[2]?.content.map((b) => b.type)).toEqual(['tool_result', 'tool_result', 'text'])
  })

  it('maps a tool_use answer to tool_calls with JSON-string arguments', async () => {
    const result = await anthropic.chat(ask('Lyon'), callOf(fake('tools')))
    if (result.type !== 'json') throw new Error('expected JSON')
    const choice = result.completion.choices[0]!
    expect(choice.finish_reason).toBe('tool_calls')
    expect(choice.message.content).toBeNull()
    const call = choice.message.tool_calls?.[0]
    expect(call?.type === 'function' && call.function.name).toBe('get_weather')
    expect(call?.type === 'function' && JSON.parse(call.function.arguments)).toEqual({ city: 'Lyon', unit: 'celsius' })
  })

  it('streams text and tool use as the chunks OpenAI would send', async () => {
    const result = await anthropic.chat(ask('Oslo', { stream: true }), callOf(fake('tools-2,cached-6')))
    if (result.type !== 'stream') throw new Error('expected a stream')
    const events = await readSse(result.body)
    const chunks = events.slice(0, -1) as Chunk[]

    expect(events.at(-1)).toBe('[DONE]')
    expect(chunks.every((c) => c.object === 'chat.completion.chunk' && c.id.startsWith('msg_'))).toBe(true)
    expect(chunks[0]?.choices[0]?.delta).toEqual({ role: 'assistant', content: '' })
    const text = chunks.map((c) => c.choices[0]?.delta.content ?? '').join('')
    expect(text).toBe('You said: Oslo')

    // The fake's text block is Anthropic block 0; the tools are blocks 1 and 2 but OpenAI indexes 0 and 1.
    const calls = assembleToolCalls(chunks)
    expect(calls).toHaveLength(2)
    expect(calls[0]).toMatchObject({ name: 'get_weather', id: expect.stringMatching(/^toolu_01/) })
    expect(calls[1]).toMatchObject({ name: 'get_time', id: expect.stringMatching(/^toolu_01/) })
    expect(JSON.parse(calls[0]!.arguments)).toEqual({ city: 'Oslo', unit: 'celsius' })
    expect(JSON.parse(calls[1]!.arguments)).toEqual({ city: 'Oslo', step: 1 })
    const opening = chunks.find((c) => (c.choices[0]?.delta.tool_calls as unknown[] | undefined)?.length)
    expect(opening?.choices[0]?.delta.tool_calls).toEqual([{ index: 0, id: calls[0]!.id, type: 'function', function: { name: 'get_weather', arguments: '' } }])

    const finish = chunks.at(-2)!
    expect(finish.choices[0]).toMatchObject({ delta: {}, finish_reason: 'tool_calls' })
    const usageChunk = chunks.at(-1)!
    expect(usageChunk.choices).toEqual([])
    expect(usageChunk.usage).toMatchObject({ prompt_tokens_details: { cached_tokens: 6 } })
    expect(usageChunk.usage?.completion_tokens).toBeGreaterThan(0)
  })

  it('turns a mid-stream error event into an OpenAI error event, without [DONE]', async () => {
    const result = await anthropic.chat(ask('hello', { stream: true }), callOf(fake('error-event')))
    if (result.type !== 'stream') throw new Error('expected a stream')
    const events = await readSse(result.body)
    expect(events).not.toContain('[DONE]')
    expect(events.at(-1)).toEqual({ error: { message: 'Overloaded', type: 'server_error', param: null, code: 'overloaded_error' } })
    expect((events[0] as Chunk).choices[0]?.delta.role).toBe('assistant')
  })

  it('ends a stream that dies midway with an error event, without [DONE]', async () => {
    const result = await anthropic.chat(ask('a long question that gets cut', { stream: true }), callOf(fake('die-4')))
    if (result.type !== 'stream') throw new Error('expected a stream')
    const events = await readSse(result.body)
    expect(events).not.toContain('[DONE]')
    expect(events.at(-1)).toHaveProperty('error')
  })

  it.each([
    [529, 'overloaded_error'],
    [429, 'rate_limit_error'],
    [400, 'invalid_request_error'],
  ])('throws an UpstreamError for HTTP %i before any stream starts', async (status, code) => {
    const error = await upstreamErrorOf(anthropic.chat(ask('hi', { stream: true }), callOf(fake(`fail-${status}`))))
    expect(error).toMatchObject({ kind: 'http', status, code })
  })

  it('reports a wrong key as 401 authentication_error', async () => {
    const error = await upstreamErrorOf(anthropic.chat(ask('hi'), callOf(fake('claude-test', 'sk-ant-wrong-key-123456'))))
    expect(error).toMatchObject({ kind: 'http', status: 401, code: 'authentication_error' })
  })

  it('times out on a slow upstream (JSON and stream)', async () => {
    const t = fake('slow-3000')
    const started = Date.now()
    expect(await upstreamErrorOf(anthropic.chat(ask('hi'), callOf(t, 300)))).toMatchObject({ kind: 'timeout' })
    expect(await upstreamErrorOf(anthropic.chat(ask('hi', { stream: true }), callOf(t, 300)))).toMatchObject({ kind: 'timeout' })
    expect(Date.now() - started).toBeLessThan(2500)
  })

  it('refuses what Anthropic cannot express with a 400 and never calls upstream', async () => {
    const mark = marker()
    const request: ChatRequest = {
      model: 'alias',
      messages: [{ role: 'user', content: [{ type: 'text', text: mark }, { type: 'input_audio', input_audio: { data: 'AAAA', format: 'wav' } }] }],
    }
    const error = await upstreamErrorOf(anthropic.chat(request, callOf(fake('claude-test'))))
    expect(error).toMatchObject({ kind: 'http', status: 400, code: 'invalid_request_error' })
    expect(error.message).toContain('messages[0].content[1].type')
    expect(await receivedBy(vars.FAKE_ANTHROPIC_URL, mark)).toEqual([])
  })
})
