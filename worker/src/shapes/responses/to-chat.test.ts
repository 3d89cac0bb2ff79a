import { describe, expect, it } from 'vitest'
import { responsesToChat } from './to-chat.ts'

const view = (body: Record<string, unknown>, history?: Record<string, unknown>[]) => {
  const result = responsesToChat({ model: 'gpt', ...body }, history)
  if (!result.ok) throw new Error(result.error.message)
  return result.value
}

describe('OpenAI Responses → chat view', () => {
  it('puts instructions first, then the chain’s items, then the input; function calls join the assistant turn', () => {
    const history = [
      { role: 'user', content: 'Weather in Oslo?' },
      { type: 'message', role: 'assistant', content: [{ type: 'output_text', text: 'Let me check.' }] },
      { type: 'function_call', call_id: 'call_1', name: 'get_weather', arguments: '{"city":"Oslo"}' },
      { type: 'reasoning', id: 'rs_1', summary: [] },
    ]
    const v = view({ instructions: 'Be brief.', input: [{ type: 'function_call_output', call_id: 'call_1', output: '-3°C' }], max_output_tokens: 64 }, history)
    expect(v.chat.messages).toEqual([
      { role: 'system', content: 'Be brief.' },
      { role: 'user', content: 'Weather in Oslo?' },
      { role: 'assistant', content: 'Let me check.', tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Oslo"}' } }] },
      { role: 'tool', tool_call_id: 'call_1', content: '-3°C' },
    ])
    expect(v.chat.max_completion_tokens).toBe(64)
    expect(v.dropped).toEqual(['reasoning'])
  })

  it('maps function tools, tool_choice and a JSON schema format; refuses built-in tools naming them', () => {
    const v = view({
      input: [{ role: 'user', content: [{ type: 'input_text', text: 'Hi' }, { type: 'input_image', image_url: 'https://example.com/a.png' }] }],
      tools: [{ type: 'web_search' }, { type: 'function', name: 'f', parameters: { type: 'object' }, strict: true }],
      tool_choice: { type: 'function', name: 'f' },
      text: { format: { type: 'json_schema', name: 'answer', schema: { type: 'object' }, strict: true } },
    })
    expect(v.untranslatable.map((u) => u.param)).toEqual(['tools.0.type'])
    expect(v.chat.tools).toEqual([{ type: 'function', function: { name: 'f', parameters: { type: 'object' }, strict: true } }])
    expect(v.chat.tool_choice).toEqual({ type: 'function', function: { name: 'f' } })
    expect(v.chat.response_format).toEqual({ type: 'json_schema', json_schema: { name: 'answer', schema: { type: 'object' }, strict: true } })
    expect(v.chat.messages).toEqual([{ role: 'user', content: [{ type: 'text', text: 'Hi' }, { type: 'image_url', image_url: { url: 'https://example.com/a.png' } }] }])
  })
})
