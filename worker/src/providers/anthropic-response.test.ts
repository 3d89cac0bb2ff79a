import type { Message } from '@anthropic-ai/sdk/resources/messages'
import { describe, expect, it } from 'vitest'
import { toChatCompletion, toFinishReason, toOpenAiUsage } from './anthropic-response.ts'

const usage = { input_tokens: 10, output_tokens: 5, cache_read_input_tokens: 0, cache_creation_input_tokens: 0 }

function message(content: unknown[], extra: Partial<Message> = {}): Message {
  return { id: 'msg_1', type: 'message', role: 'assistant', model: 'claude-x', content, stop_reason: 'end_turn', stop_sequence: null, usage, ...extra } as Message
}

describe('toChatCompletion', () => {
  it('joins text blocks into content and keeps id, model and the given timestamp', () => {
    const completion = toChatCompletion(message([{ type: 'text', text: 'Hello ' }, { type: 'thinking', thinking: '…', signature: 's' }, { type: 'text', text: 'world' }]), 1234)
    expect(completion).toEqual({
      id: 'msg_1',
      object: 'chat.completion',
      created: 1234,
      model: 'claude-x',
      choices: [{ index: 0, message: { role: 'assistant', content: 'Hello world', refusal: null }, finish_reason: 'stop', logprobs: null }],
      usage: { prompt_tokens: 10, completion_tokens: 5, total_tokens: 15, prompt_tokens_details: { cached_tokens: 0, cache_write_tokens: 0 } },
    })
  })

  it('turns tool_use blocks into tool_calls with JSON-string arguments and null content', () => {
    const completion = toChatCompletion(
      message(
        [
          { type: 'tool_use', id: 'toolu_1', name: 'weather', input: { city: 'Paris', days: [1, 2] } },
          { type: 'tool_use', id: 'toolu_2', name: 'time', input: {} },
        ],
        { stop_reason: 'tool_use' },
      ),
      0,
    )
    const choice = completion.choices[0]!
    expect(choice.finish_reason).toBe('tool_calls')
    expect(choice.message.content).toBeNull()
    expect(choice.message.tool_calls).toEqual([
      { id: 'toolu_1', type: 'function', function: { name: 'weather', arguments: '{"city":"Paris","days":[1,2]}' } },
      { id: 'toolu_2', type: 'function', function: { name: 'time', arguments: '{}' } },
    ])
  })
})

describe('toFinishReason', () => {
  it.each([
    ['end_turn', 'stop'],
    ['stop_sequence', 'stop'],
    ['pause_turn', 'stop'],
    ['max_tokens', 'length'],
    ['model_context_window_exceeded', 'length'],
    ['tool_use', 'tool_calls'],
    ['refusal', 'content_filter'],
    [null, 'stop'],
  ] as const)('%s → %s', (reason, finish) => {
    expect(toFinishReason(reason)).toBe(finish)
  })
})

describe('toOpenAiUsage', () => {
  it('counts cache reads and writes as prompt tokens, and reports reads as cached', () => {
    expect(toOpenAiUsage({ input_tokens: 20, output_tokens: 7, cache_read_input_tokens: 300, cache_creation_input_tokens: 50 })).toEqual({
      prompt_tokens: 370,
      completion_tokens: 7,
      total_tokens: 377,
      prompt_tokens_details: { cached_tokens: 300, cache_write_tokens: 50 },
    })
  })

  it('treats absent cache counts as zero', () => {
    expect(toOpenAiUsage({ input_tokens: 3, output_tokens: 1, cache_read_input_tokens: null })).toMatchObject({ prompt_tokens: 3, total_tokens: 4 })
  })
})
