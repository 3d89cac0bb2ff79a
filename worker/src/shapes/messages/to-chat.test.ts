import { describe, expect, it } from 'vitest'
import { messagesToChat } from './to-chat.ts'

const view = (body: Record<string, unknown>) => {
  const result = messagesToChat({ model: 'claude', max_tokens: 100, ...body })
  if (!result.ok) throw new Error(result.error.message)
  return result.value
}

describe('Anthropic Messages → chat view', () => {
  it('puts the system prompt first, tool results before the user’s text, tool_use as tool_calls', () => {
    const v = view({
      system: [{ type: 'text', text: 'Be brief.', cache_control: { type: 'ephemeral' } }],
      messages: [
        { role: 'user', content: 'Weather in Rome?' },
        { role: 'assistant', content: [{ type: 'text', text: 'Checking.' }, { type: 'tool_use', id: 'toolu_1', name: 'get_weather', input: { city: 'Rome' } }] },
        { role: 'user', content: [{ type: 'text', text: 'Thanks' }, { type: 'tool_result', tool_use_id: 'toolu_1', content: [{ type: 'text', text: '24°C' }], is_error: false }] },
      ],
    })
    expect(v.chat.messages).toEqual([
      { role: 'system', content: 'Be brief.' },
      { role: 'user', content: 'Weather in Rome?' },
      { role: 'assistant', content: 'Checking.', tool_calls: [{ id: 'toolu_1', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Rome"}' } }] },
      { role: 'tool', tool_call_id: 'toolu_1', content: '24°C' },
      { role: 'user', content: 'Thanks' },
    ])
    expect(v.chat.max_completion_tokens).toBe(100)
    expect(v.dropped).toEqual(['cache_control'])
    expect(v.untranslatable).toEqual([])
  })

  it('lists what chat cannot carry, naming each field, and drops Anthropic-only tuning', () => {
    const v = view({
      top_k: 5,
      thinking: { type: 'enabled', budget_tokens: 1024 },
      tools: [{ type: 'web_search_20250305', name: 'web_search' }, { name: 'ok', input_schema: { type: 'object' } }],
      messages: [{ role: 'user', content: [{ type: 'document', source: { type: 'url', url: 'https://example.com/a.pdf' } }] }],
    })
    expect(v.untranslatable.map((u) => u.param)).toEqual(['top_k', 'messages.0.content.0.source', 'tools.0.type'])
    expect(v.dropped).toEqual(['thinking'])
    expect(v.chat.tools).toEqual([{ type: 'function', function: { name: 'ok', parameters: { type: 'object' } } }])
  })

  it('maps tool_choice and stop sequences, and an error result says so', () => {
    const v = view({
      tools: [{ name: 'f', input_schema: { type: 'object' } }],
      tool_choice: { type: 'any', disable_parallel_tool_use: true },
      stop_sequences: ['END'],
      metadata: { user_id: 'u-1' },
      messages: [
        { role: 'assistant', content: [{ type: 'tool_use', id: 't', name: 'f', input: {} }] },
        { role: 'user', content: [{ type: 'tool_result', tool_use_id: 't', content: 'boom', is_error: true }] },
      ],
    })
    expect(v.chat).toMatchObject({ tool_choice: 'required', parallel_tool_calls: false, stop: ['END'], user: 'u-1' })
    expect(v.chat.messages.at(-1)).toEqual({ role: 'tool', tool_call_id: 't', content: 'Error: boom' })
  })
})
