import { describe, expect, it } from 'vitest'
import { type AnthropicStreamEvent, createChunkMapper, toOpenAiSse } from './anthropic-stream.ts'

/** A recorded Anthropic stream: text, then a tool_use whose JSON arrives in three fragments. */
const recorded = [
  {
    type: 'message_start',
    message: {
      id: 'msg_9',
      type: 'message',
      role: 'assistant',
      model: 'claude-x-2026',
      content: [],
      stop_reason: null,
      stop_sequence: null,
      usage: { input_tokens: 30, output_tokens: 1, cache_read_input_tokens: 100, cache_creation_input_tokens: 0 },
    },
  },
  { type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } },
  { type: 'ping' },
  { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: 'Let me ' } },
  { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: 'check.' } },
  { type: 'content_block_stop', index: 0 },
  { type: 'content_block_start', index: 1, content_block: { type: 'tool_use', id: 'toolu_7', name: 'weather', input: {} } },
  { type: 'content_block_delta', index: 1, delta: { type: 'input_json_delta', partial_json: '' } },
  { type: 'content_block_delta', index: 1, delta: { type: 'input_json_delta', partial_json: '{"city": ' } },
  { type: 'content_block_delta', index: 1, delta: { type: 'input_json_delta', partial_json: '"Par' } },
  { type: 'content_block_delta', index: 1, delta: { type: 'input_json_delta', partial_json: 'is"}' } },
  { type: 'content_block_stop', index: 1 },
  { type: 'message_delta', delta: { stop_reason: 'tool_use', stop_sequence: null }, usage: { output_tokens: 42 } },
  { type: 'message_stop' },
] as unknown as AnthropicStreamEvent[]

async function* replay(events: AnthropicStreamEvent[], thenThrow?: Error) {
  for (const e of events) yield e
  if (thenThrow) throw thenThrow
}

async function sse(body: ReadableStream<Uint8Array>): Promise<unknown[]> {
  const text = await new Response(body).text()
  return text
    .split('\n\n')
    .filter(Boolean)
    .map((e) => e.replace(/^data: /, ''))
    .map((d) => (d === '[DONE]' ? d : (JSON.parse(d) as unknown)))
}

describe('createChunkMapper', () => {
  it('produces the chunk sequence OpenAI would stream', () => {
    const mapper = createChunkMapper(77, 'claude-x')
    const chunks = recorded.flatMap((e) => mapper.next(e))
    expect(mapper.finished).toBe(true)
    const deltas = chunks.map((c) => c.choices[0]?.delta)
    expect(deltas).toEqual([
      { role: 'assistant', content: '' },
      { content: 'Let me ' },
      { content: 'check.' },
      { tool_calls: [{ index: 0, id: 'toolu_7', type: 'function', function: { name: 'weather', arguments: '' } }] },
      { tool_calls: [{ index: 0, function: { arguments: '{"city": ' } }] },
      { tool_calls: [{ index: 0, function: { arguments: '"Par' } }] },
      { tool_calls: [{ index: 0, function: { arguments: 'is"}' } }] },
      {},
      undefined,
    ])
    expect(chunks.at(-2)?.choices[0]?.finish_reason).toBe('tool_calls')
    expect(chunks.every((c) => c.id === 'msg_9' && c.created === 77 && c.model === 'claude-x-2026')).toBe(true)
    expect(chunks.at(-1)).toEqual({
      id: 'msg_9',
      object: 'chat.completion.chunk',
      created: 77,
      model: 'claude-x-2026',
      choices: [],
      usage: { prompt_tokens: 130, completion_tokens: 42, total_tokens: 172, prompt_tokens_details: { cached_tokens: 100, cache_write_tokens: 0 } },
    })
  })

  it('numbers tool calls by their order, whatever their Anthropic block index', () => {
    const mapper = createChunkMapper(0, 'm')
    const start = (index: number, id: string) =>
      ({ type: 'content_block_start', index, content_block: { type: 'tool_use', id, name: 'f', input: {} } }) as unknown as AnthropicStreamEvent
    const delta = (index: number, partial_json: string) => ({ type: 'content_block_delta', index, delta: { type: 'input_json_delta', partial_json } }) as unknown as AnthropicStreamEvent
    const out = [start(3, 'a'), start(5, 'b'), delta(5, '{"b":1}'), delta(3, '{"a":1}')].flatMap((e) => mapper.next(e))
    expect(out.map((c) => c.choices[0]?.delta.tool_calls?.[0]?.index)).toEqual([0, 1, 1, 0])
  })

  it('takes the final usage from message_delta, keeping message_start values it leaves null', () => {
    const mapper = createChunkMapper(0, 'm')
    mapper.next(recorded[0]!)
    mapper.next({ type: 'message_delta', delta: { stop_reason: 'max_tokens' }, usage: { output_tokens: 9, input_tokens: null, cache_read_input_tokens: 120 } } as unknown as AnthropicStreamEvent)
    const [finish, usage] = mapper.next({ type: 'message_stop' })
    expect(finish?.choices[0]?.finish_reason).toBe('length')
    expect(usage?.usage).toMatchObject({ prompt_tokens: 150, completion_tokens: 9, prompt_tokens_details: { cached_tokens: 120 } })
  })
})

describe('toOpenAiSse', () => {
  it('encodes the chunks as SSE and ends with [DONE]', async () => {
    const events = await sse(toOpenAiSse(replay(recorded), { created: 1, model: 'm' }))
    expect(events.at(-1)).toBe('[DONE]')
    expect(events).toHaveLength(10)
  })

  it('turns an error event into an OpenAI error event and stops, without [DONE]', async () => {
    const events = await sse(
      toOpenAiSse(replay([recorded[0]!, { type: 'error', error: { type: 'overloaded_error', message: 'Overloaded' } }, recorded[13]!]), { created: 1, model: 'm' }),
    )
    expect(events).toEqual([
      expect.objectContaining({ object: 'chat.completion.chunk' }),
      { error: { message: 'Overloaded', type: 'server_error', param: null, code: 'overloaded_error' } },
    ])
  })

  it('reports a stream that ends before message_stop, or breaks, as an error without [DONE]', async () => {
    const ended = await sse(toOpenAiSse(replay(recorded.slice(0, 5)), { created: 1, model: 'm' }))
    expect(ended.at(-1)).toMatchObject({ error: { type: 'server_error', message: expect.stringContaining('message_stop') } })
    const broken = await sse(toOpenAiSse(replay(recorded.slice(0, 5), new TypeError('network connection lost')), { created: 1, model: 'm' }))
    expect(broken).not.toContain('[DONE]')
    expect(broken.at(-1)).toHaveProperty('error')
  })

  it('aborts the upstream request when the client cancels', async () => {
    let aborted = false
    const body = toOpenAiSse(replay(recorded), { created: 1, model: 'm', abort: () => (aborted = true) })
    const reader = body.getReader()
    await reader.read()
    await reader.cancel()
    expect(aborted).toBe(true)
  })
})
