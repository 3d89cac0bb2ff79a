import { describe, expect, it } from 'vitest'
import { DEFAULT_MAX_TOKENS, toAnthropicRequest } from './anthropic-request.ts'
import type { ChatRequest } from './types.ts'

const map = (request: Partial<ChatRequest>) => toAnthropicRequest({ model: 'alias', messages: [], ...request }, 'claude-x')

function mapped(request: Partial<ChatRequest>) {
  const result = map(request)
  if (!result.ok) throw new Error(`unexpected mapping error: ${result.error.param}: ${result.error.message}`)
  return result.value
}

function refused(request: Partial<ChatRequest>) {
  const result = map(request)
  if (result.ok) throw new Error('expected a mapping error')
  return result.error
}

const user = (content: unknown) => ({ role: 'user', content })

describe('toAnthropicRequest', () => {
  it('moves system and developer messages to `system`, a single one as a string', () => {
    expect(mapped({ messages: [{ role: 'system', content: 'Be brief.' }, user('Hi')] })).toEqual({
      model: 'claude-x',
      max_tokens: DEFAULT_MAX_TOKENS,
      system: 'Be brief.',
      messages: [{ role: 'user', content: 'Hi' }],
    })
    const two = mapped({ messages: [{ role: 'system', content: 'A' }, { role: 'developer', content: [{ type: 'text', text: 'B' }] }, user('Hi')] })
    expect(two.system).toEqual([
      { type: 'text', text: 'A' },
      { type: 'text', text: 'B' },
    ])
  })

  it('merges consecutive same-role messages into one turn', () => {
    const request = mapped({ messages: [user('one'), user([{ type: 'text', text: 'two' }]), { role: 'assistant', content: 'ok' }] })
    expect(request.messages).toEqual([
      { role: 'user', content: [{ type: 'text', text: 'one' }, { type: 'text', text: 'two' }] },
      { role: 'assistant', content: 'ok' },
    ])
  })

  it('maps assistant tool_calls to tool_use and tool messages to tool_result blocks that open the next user turn', () => {
    const request = mapped({
      messages: [
        user('Weather?'),
        {
          role: 'assistant',
          content: 'Checking.',
          tool_calls: [
            { id: 'call_1', type: 'function', function: { name: 'weather', arguments: '{"city":"Paris"}' } },
            { id: 'call_2', type: 'function', function: { name: 'time', arguments: '' } },
          ],
        },
        { role: 'tool', tool_call_id: 'call_1', content: '18°C' },
        { role: 'tool', tool_call_id: 'call_2', content: [{ type: 'text', text: '10:00' }, { type: 'text', text: 'CET' }] },
        user('Thanks'),
      ],
    })
    expect(request.messages).toEqual([
      { role: 'user', content: 'Weather?' },
      {
        role: 'assistant',
        content: [
          { type: 'text', text: 'Checking.' },
          { type: 'tool_use', id: 'call_1', name: 'weather', input: { city: 'Paris' } },
          { type: 'tool_use', id: 'call_2', name: 'time', input: {} },
        ],
      },
      {
        role: 'user',
        content: [
          { type: 'tool_result', tool_use_id: 'call_1', content: '18°C' },
          { type: 'tool_result', tool_use_id: 'call_2', content: [{ type: 'text', text: '10:00' }, { type: 'text', text: 'CET' }] },
          { type: 'text', text: 'Thanks' },
        ],
      },
    ])
  })

  it('puts tool results first even when a user remark came before them', () => {
    const request = mapped({
      messages: [
        { role: 'assistant', content: null, tool_calls: [{ id: 'c', type: 'function', function: { name: 'f', arguments: '{}' } }] },
        user('wait'),
        { role: 'tool', tool_call_id: 'c', content: 'done' },
      ],
    })
    expect((request.messages[1]?.content as { type: string }[]).map((b) => b.type)).toEqual(['tool_result', 'text'])
  })

  it('maps image parts: data URLs to base64 sources, http URLs to url sources', () => {
    const request = mapped({
      messages: [
        user([
          { type: 'image_url', image_url: { url: 'data:image/jpg;base64,/9j/4AAQ' } },
          { type: 'image_url', image_url: { url: 'https://example.com/cat.png', detail: 'low' } },
          { type: 'file', file: { filename: 'a.pdf', file_data: 'data:application/pdf;base64,JVBERi0=' } },
        ]),
      ],
    })
    expect(request.messages[0]?.content).toEqual([
      { type: 'image', source: { type: 'base64', media_type: 'image/jpeg', data: '/9j/4AAQ' } },
      { type: 'image', source: { type: 'url', url: 'https://example.com/cat.png' } },
      { type: 'document', source: { type: 'base64', media_type: 'application/pdf', data: 'JVBERi0=' } },
    ])
  })

  it('maps function tools and every tool_choice form', () => {
    const tools = [{ type: 'function', function: { name: 'weather', description: 'By city', parameters: { type: 'object', properties: { city: { type: 'string' } } } } }]
    const base = { messages: [user('hi')], tools }
    expect(mapped(base).tools).toEqual([{ name: 'weather', description: 'By city', input_schema: { type: 'object', properties: { city: { type: 'string' } } } }])
    expect(mapped({ ...base, tools: [{ type: 'function', function: { name: 'now' } }] }).tools).toEqual([{ name: 'now', input_schema: { type: 'object', properties: {} } }])
    expect(mapped(base).tool_choice).toBeUndefined()
    expect(mapped({ ...base, tool_choice: 'auto' }).tool_choice).toEqual({ type: 'auto' })
    expect(mapped({ ...base, tool_choice: 'none' }).tool_choice).toEqual({ type: 'none' })
    expect(mapped({ ...base, tool_choice: 'required' }).tool_choice).toEqual({ type: 'any' })
    expect(mapped({ ...base, tool_choice: { type: 'function', function: { name: 'weather' } } }).tool_choice).toEqual({ type: 'tool', name: 'weather' })
    expect(mapped({ ...base, parallel_tool_calls: false }).tool_choice).toEqual({ type: 'auto', disable_parallel_tool_use: true })
    expect(mapped({ ...base, tool_choice: 'required', parallel_tool_calls: false }).tool_choice).toEqual({ type: 'any', disable_parallel_tool_use: true })
  })

  it('maps the sampling-independent parameters and drops the ones Anthropic refuses', () => {
    const request = mapped({
      messages: [user('hi')],
      max_tokens: 100,
      max_completion_tokens: 50,
      stop: 'END',
      user: 'u-1',
      temperature: 0.3,
      top_p: 0.9,
      seed: 7,
      response_format: { type: 'json_schema', json_schema: { name: 'x', schema: { type: 'object' } } },
    })
    expect(request).toEqual({
      model: 'claude-x',
      max_tokens: 50,
      messages: [{ role: 'user', content: 'hi' }],
      stop_sequences: ['END'],
      metadata: { user_id: 'u-1' },
      output_config: { format: { type: 'json_schema', schema: { type: 'object' } } },
    })
    expect(mapped({ messages: [user('hi')], max_tokens: 10, stop: ['a', '', 'b'] })).toMatchObject({ max_tokens: 10, stop_sequences: ['a', 'b'] })
  })

  it.each([
    [{ messages: [{ role: 'function', content: 'x' }] }, 'messages[0].role'],
    [{ messages: [user([{ type: 'input_audio', input_audio: {} }])] }, 'messages[0].content[0].type'],
    [{ messages: [user([{ type: 'image_url', image_url: { url: 'ftp://x/y.png' } }])] }, 'messages[0].content[0].image_url.url'],
    [{ messages: [user([{ type: 'image_url', image_url: { url: 'data:image/bmp;base64,Qk0=' } }])] }, 'messages[0].content[0].image_url.url'],
    [{ messages: [user([{ type: 'file', file: { file_id: 'file-1' } }])] }, 'messages[0].content[0].file'],
    [{ messages: [{ role: 'assistant', tool_calls: [{ id: 'c', type: 'function', function: { name: 'f', arguments: '{oops' } }] }] }, 'messages[0].tool_calls[0].function.arguments'],
    [{ messages: [{ role: 'assistant', tool_calls: [{ id: 'c', type: 'function', function: { name: 'f', arguments: '[1]' } }] }] }, 'messages[0].tool_calls[0].function.arguments'],
    [{ messages: [{ role: 'tool', content: 'x' }] }, 'messages[0].tool_call_id'],
    [{ messages: [{ role: 'system', content: [{ type: 'image_url', image_url: { url: 'https://x' } }] }] }, 'messages[0].content[0]'],
    [{ messages: [user('hi')], tools: [{ type: 'custom', custom: { name: 'x' } }] }, 'tools[0]'],
    [{ messages: [user('hi')], tool_choice: 'sometimes' }, 'tool_choice'],
    [{ messages: [user('hi')], max_tokens: 0 }, 'max_tokens'],
    [{ messages: [user('hi')], n: 2 }, 'n'],
  ])('refuses what Anthropic cannot express, naming the field (%#)', (request, param) => {
    expect(refused(request as Partial<ChatRequest>)).toMatchObject({ reason: 'unsupported_by_provider', param })
  })
})
