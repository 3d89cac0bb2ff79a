import { describe, expect, it } from 'vitest'
import type { GatewayEnv } from '../env.ts'
import type { ChatRequest, UpstreamCall } from './types.ts'
import { type WorkersAiBinding, workersAi } from './workers-ai.ts'

/** A stand-in for `env.AI`: records each run and answers what the test scripted. */
function fakeAi(answer: (model: string, inputs: Record<string, unknown>) => unknown) {
  const calls: { model: string; inputs: Record<string, unknown>; signal?: AbortSignal }[] = []
  const binding: WorkersAiBinding = {
    async run(model, inputs, options) {
      calls.push({ model, inputs, signal: options?.signal })
      const result = answer(model, inputs)
      if (result instanceof Error) throw result
      return result
    },
  }
  return { binding, calls }
}

function callWith(ai: WorkersAiBinding | undefined, model = '@cf/meta/llama-3.3-70b-instruct-fp8-fast', signal = AbortSignal.timeout(5000)): UpstreamCall {
  return {
    target: { provider: 'workers-ai', config: { type: 'workers-ai', failover_on_auth_error: false }, model, headers: {}, timeoutMs: 5000 },
    signal,
    env: { AI: ai } as unknown as GatewayEnv,
  }
}

/** The binding's SSE bytes, cut at awkward places. */
function sseBytes(events: string[], cut = 9): ReadableStream<Uint8Array> {
  const bytes = new TextEncoder().encode(events.map((e) => `data: ${e}\n\n`).join(''))
  let offset = 0
  return new ReadableStream({
    pull(controller) {
      if (offset >= bytes.length) return controller.close()
      controller.enqueue(bytes.slice(offset, (offset += cut)))
    },
  })
}

interface ChunkLike {
  object?: string
  choices: { delta: Record<string, unknown>; finish_reason: string | null }[]
  usage?: Record<string, unknown>
  error?: Record<string, unknown>
}

/** The JSON events of an SSE body, and whether it ended with `[DONE]`. */
async function sse(body: ReadableStream<Uint8Array>): Promise<{ events: ChunkLike[]; done: boolean }> {
  const data = (await new Response(body).text()).split('\n\n').filter(Boolean).map((e) => e.slice(6))
  const done = data.at(-1) === '[DONE]'
  return { events: data.filter((d) => d !== '[DONE]').map((d) => JSON.parse(d) as ChunkLike), done }
}

const request = (extra: Partial<ChatRequest> = {}): ChatRequest => ({
  model: 'alias',
  messages: [
    { role: 'system', content: 'Be brief.' },
    { role: 'user', content: [{ type: 'text', text: 'Hello' }, { type: 'text', text: 'there' }] },
  ],
  ...extra,
})

describe('workersAi.chat', () => {
  it('fails as a network error that says why when the AI binding is missing (local runs)', async () => {
    await expect(workersAi.chat(request(), callWith(undefined))).rejects.toMatchObject({ kind: 'network', status: 0, message: expect.stringContaining('env.AI') })
  })

  it('sends the inputs the model accepts and maps the answer and usage to OpenAI JSON', async () => {
    const ai = fakeAi(() => ({ response: 'Hi!', usage: { prompt_tokens: 12, completion_tokens: 3, total_tokens: 15 } }))
    const result = await workersAi.chat(request({ max_completion_tokens: 64, temperature: 0.5, logit_bias: { 1: 2 }, user: 'u' }), callWith(ai.binding))
    expect(ai.calls[0]?.model).toBe('@cf/meta/llama-3.3-70b-instruct-fp8-fast')
    expect(ai.calls[0]?.inputs).toEqual({
      messages: [
        { role: 'system', content: 'Be brief.' },
        { role: 'user', content: 'Hello\nthere' },
      ],
      max_tokens: 64,
      temperature: 0.5,
    })
    expect(ai.calls[0]?.signal).toBeInstanceOf(AbortSignal)
    if (result.type !== 'json') throw new Error('expected JSON')
    expect(result.completion).toMatchObject({
      object: 'chat.completion',
      model: '@cf/meta/llama-3.3-70b-instruct-fp8-fast',
      choices: [{ index: 0, message: { role: 'assistant', content: 'Hi!' }, finish_reason: 'stop' }],
      usage: { prompt_tokens: 12, completion_tokens: 3, total_tokens: 15 },
    })
  })

  it('maps tool calls in both the legacy and the OpenAI-like shape', async () => {
    const ai = fakeAi(() => ({
      response: null,
      tool_calls: [
        { name: 'weather', arguments: { city: 'Paris' } },
        { id: 'call_x', type: 'function', function: { name: 'time', arguments: '{"tz":"CET"}' } },
      ],
    }))
    const tools = [{ type: 'function', function: { name: 'weather', parameters: { type: 'object', properties: {} } } }]
    const result = await workersAi.chat(request({ tools }), callWith(ai.binding))
    expect(ai.calls[0]?.inputs.tools).toEqual(tools)
    if (result.type !== 'json') throw new Error('expected JSON')
    const choice = result.completion.choices[0]!
    expect(choice.finish_reason).toBe('tool_calls')
    expect(choice.message.content).toBeNull()
    expect(choice.message.tool_calls).toEqual([
      { id: `${result.completion.id}-call-0`, type: 'function', function: { name: 'weather', arguments: '{"city":"Paris"}' } },
      { id: 'call_x', type: 'function', function: { name: 'time', arguments: '{"tz":"CET"}' } },
    ])
  })

  it('maps the SSE stream to OpenAI chunks with a usage chunk and [DONE]', async () => {
    const ai = fakeAi(() =>
      sseBytes([
        '{"response":"Hel","p":"abc"}',
        '{"response":"lo"}',
        '{"response":"","tool_calls":[{"name":"weather","arguments":{"city":"Oslo"}}]}',
        '{"response":"","usage":{"prompt_tokens":9,"completion_tokens":2,"total_tokens":11}}',
        '[DONE]',
      ]),
    )
    const result = await workersAi.chat(request({ stream: true }), callWith(ai.binding))
    expect(ai.calls[0]?.inputs.stream).toBe(true)
    if (result.type !== 'stream') throw new Error('expected a stream')
    const { events, done } = await sse(result.body)
    const deltas = events.slice(0, -1).map((e) => e.choices[0]?.delta)
    expect(deltas).toEqual([
      { role: 'assistant', content: '' },
      { content: 'Hel' },
      { content: 'lo' },
      { tool_calls: [{ index: 0, id: expect.stringContaining('-call-0'), type: 'function', function: { name: 'weather', arguments: '{"city":"Oslo"}' } }] },
      {},
    ])
    expect(events.at(-2)?.choices[0]?.finish_reason).toBe('tool_calls')
    expect(events.at(-1)).toMatchObject({ object: 'chat.completion.chunk', choices: [], usage: { prompt_tokens: 9, completion_tokens: 2, total_tokens: 11 } })
    expect(done).toBe(true)
  })

  it('ends a stream that stops before [DONE] with an error event and no [DONE]', async () => {
    const ai = fakeAi(() => sseBytes(['{"response":"partial"}']))
    const result = await workersAi.chat(request({ stream: true }), callWith(ai.binding))
    if (result.type !== 'stream') throw new Error('expected a stream')
    const { events, done } = await sse(result.body)
    expect(done).toBe(false)
    expect(events.at(-1)).toMatchObject({ error: { type: 'server_error' } })
  })

  it.each([
    ['3040: Capacity temporarily exceeded, please try again.', 'http', 429],
    ['InferenceUpstreamError: 5007: No such model @cf/nope or task', 'http', 400],
    ['3036: Account limited', 'http', 429],
    ['3007: Request timeout', 'timeout', 0],
    ['something unexpected', 'http', 500],
  ])('maps the binding error "%s" to %s %i', async (message, kind, status) => {
    const ai = fakeAi(() => new Error(message))
    await expect(workersAi.chat(request(), callWith(ai.binding))).rejects.toMatchObject({ kind, status })
  })

  it('reports an aborted call as a timeout', async () => {
    const controller = new AbortController()
    const ai = fakeAi(() => {
      controller.abort()
      return new DOMException('aborted', 'AbortError')
    })
    await expect(workersAi.chat(request(), callWith(ai.binding, undefined, controller.signal))).rejects.toMatchObject({ kind: 'timeout' })
  })
})

describe('workersAi.embeddings', () => {
  it('maps {shape, data} to an OpenAI embeddings response', async () => {
    const ai = fakeAi((_, inputs) => ({ shape: [2, 3], data: (inputs.text as string[]).map((t) => [t.length, 0, 1]) }))
    const call = callWith(ai.binding, '@cf/baai/bge-base-en-v1.5')
    const response = await workersAi.embeddings!({ model: 'embed', input: ['four', 'eighteen chars ok!'] }, call)
    expect(ai.calls[0]).toMatchObject({ model: '@cf/baai/bge-base-en-v1.5', inputs: { text: ['four', 'eighteen chars ok!'] } })
    expect(response).toEqual({
      object: 'list',
      data: [
        { object: 'embedding', index: 0, embedding: [4, 0, 1] },
        { object: 'embedding', index: 1, embedding: [18, 0, 1] },
      ],
      model: '@cf/baai/bge-base-en-v1.5',
      usage: { prompt_tokens: 6, total_tokens: 6 },
    })
    const single = await workersAi.embeddings!({ model: 'embed', input: 'one' }, call)
    expect(ai.calls[1]?.inputs).toEqual({ text: ['one'] })
    expect(single.data).toHaveLength(1)
  })

  it('refuses token-array input with a 400 instead of calling the model', async () => {
    const ai = fakeAi(() => ({ shape: [0, 0], data: [] }))
    await expect(workersAi.embeddings!({ model: 'embed', input: [[1, 2, 3]] }, callWith(ai.binding))).rejects.toMatchObject({ kind: 'http', status: 400 })
    expect(ai.calls).toHaveLength(0)
  })
})
