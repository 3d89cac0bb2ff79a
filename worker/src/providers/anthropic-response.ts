/**
 * Anthropic Message → OpenAI ChatCompletion (pure): text blocks become `content`, `tool_use` blocks
 * become `tool_calls` with JSON-string arguments, the stop reason becomes a finish reason, and usage
 * is counted the way OpenAI counts it (cached prompt tokens are part of `prompt_tokens`).
 */
import type { Message, StopReason } from '@anthropic-ai/sdk/resources/messages'
import type { ChatCompletion, ChatCompletionMessageToolCall } from 'openai/resources/chat/completions'
import type { CompletionUsage } from 'openai/resources/completions'

export type FinishReason = ChatCompletion.Choice['finish_reason']

/** The token counts Anthropic reports, in a message or (cumulatively) in a stream. */
export interface AnthropicUsage {
  input_tokens: number
  output_tokens: number
  cache_read_input_tokens?: number | null
  cache_creation_input_tokens?: number | null
}

export function toChatCompletion(message: Message, created: number): ChatCompletion {
  let text = ''
  const toolCalls: ChatCompletionMessageToolCall[] = []
  for (const block of message.content) {
    if (block.type === 'text') text += block.text
    else if (block.type === 'tool_use')
      toolCalls.push({ id: block.id, type: 'function', function: { name: block.name, arguments: JSON.stringify(block.input ?? {}) } })
    // thinking, redacted_thinking and server-side tool blocks have no OpenAI chat equivalent.
  }
  const choice: ChatCompletion.Choice = {
    index: 0,
    message: { role: 'assistant', content: text === '' && toolCalls.length > 0 ? null : text, refusal: null },
    finish_reason: toFinishReason(message.stop_reason),
    logprobs: null,
  }
  if (toolCalls.length > 0) choice.message.tool_calls = toolCalls
  return { id: message.id, object: 'chat.completion', created, model: message.model, choices: [choice], usage: toOpenAiUsage(message.usage) }
}

export function toFinishReason(reason: StopReason | null | undefined): FinishReason {
  switch (reason) {
    case 'max_tokens':
    case 'model_context_window_exceeded':
      return 'length'
    case 'tool_use':
      return 'tool_calls'
    case 'refusal':
      return 'content_filter'
    default:
      // end_turn, stop_sequence, pause_turn: the model stopped on its own terms.
      return 'stop'
  }
}

/**
 * Anthropic's `input_tokens` excludes cache reads and writes; OpenAI's `prompt_tokens` includes
 * cached tokens and reports them again under `prompt_tokens_details.cached_tokens`.
 */
export function toOpenAiUsage(usage: AnthropicUsage): CompletionUsage {
  const cacheRead = usage.cache_read_input_tokens ?? 0
  const cacheWrite = usage.cache_creation_input_tokens ?? 0
  const prompt = usage.input_tokens + cacheRead + cacheWrite
  return {
    prompt_tokens: prompt,
    completion_tokens: usage.output_tokens,
    total_tokens: prompt + usage.output_tokens,
    prompt_tokens_details: { cached_tokens: cacheRead, cache_write_tokens: cacheWrite },
  }
}
