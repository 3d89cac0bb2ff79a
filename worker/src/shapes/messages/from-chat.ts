/**
 * OpenAI chat answer → Anthropic Message (pure), for a /v1/messages request a provider speaking
 * chat answered: text and tool calls become content blocks (arguments parsed back into `input`),
 * the finish reason a stop reason, and usage is counted Anthropic's way (`input_tokens` without the
 * cached part, which is `cache_read_input_tokens`).
 */
import type { Message, StopReason } from '@anthropic-ai/sdk/resources/messages'
import type { ChatCompletion } from 'openai/resources/chat/completions'
import type { CompletionUsage } from 'openai/resources/completions'

export function stopReasonOf(finish: string | null | undefined): StopReason {
  switch (finish) {
    case 'length':
      return 'max_tokens'
    case 'tool_calls':
    case 'function_call':
      return 'tool_use'
    case 'content_filter':
      return 'refusal'
    default:
      return 'end_turn'
  }
}

export function anthropicUsageOf(usage: CompletionUsage | null | undefined): Message['usage'] {
  const details = usage?.prompt_tokens_details as { cached_tokens?: number | null; cache_write_tokens?: number | null } | null | undefined
  const read = details?.cached_tokens ?? 0
  const write = details?.cache_write_tokens ?? 0
  return {
    input_tokens: Math.max(0, (usage?.prompt_tokens ?? 0) - read - write),
    output_tokens: usage?.completion_tokens ?? 0,
    cache_read_input_tokens: read,
    cache_creation_input_tokens: write,
  } as Message['usage']
}

export function chatToMessage(completion: ChatCompletion, id: string): Record<string, unknown> {
  const choice = completion.choices[0]
  const content: Record<string, unknown>[] = []
  const text = choice?.message.content ?? choice?.message.refusal ?? ''
  if (text) content.push({ type: 'text', text })
  for (const call of choice?.message.tool_calls ?? []) {
    if (call.type !== 'function') continue
    content.push({ type: 'tool_use', id: call.id, name: call.function.name, input: parseInput(call.function.arguments) })
  }
  return {
    id,
    type: 'message',
    role: 'assistant',
    model: completion.model,
    content,
    stop_reason: stopReasonOf(choice?.finish_reason),
    stop_sequence: null,
    usage: anthropicUsageOf(completion.usage),
  }
}

/** Tool arguments as an object (Anthropic's `input`); text that is not a JSON object is kept under `_raw`, never lost. */
export function parseInput(args: string): Record<string, unknown> {
  if (!args) return {}
  try {
    const value: unknown = JSON.parse(args)
    if (value && typeof value === 'object' && !Array.isArray(value)) return value as Record<string, unknown>
  } catch {
    // fall through
  }
  return { _raw: args }
}
