/**
 * Anthropic Messages (`POST /v1/messages`): what the official `@anthropic-ai/sdk` and tools that
 * take an Anthropic base URL (Claude Code) speak. Passed through untouched to an Anthropic target;
 * translated to chat for any other (see README "Native APIs").
 *
 * @example app.post('/v1/messages', validate('chat', messagesRequestSchema, messagesShape), …)
 */
import type { Message } from '@anthropic-ai/sdk/resources/messages'
import { toChatCompletion } from '../../providers/anthropic-response.ts'
import type { TokenUsage } from '../../telemetry/request-facts.ts'
import type { Shape } from '../types.ts'
import { messagesCodec } from './codec.ts'
import { chatToMessage } from './from-chat.ts'
import { mapMessagesTexts, restoreMessageJson, restoreMessageStream } from './pii.ts'
import { replayMessage } from './replay.ts'
import { messagesRequestSchema } from './schema.ts'
import { chatStreamToMessages } from './stream-from-chat.ts'
import { messagesToChat } from './to-chat.ts'

type Json = Record<string, unknown>

export const messagesShape: Shape = {
  id: 'messages',
  nativeProvider: 'anthropic',
  schema: messagesRequestSchema,
  toChat: (body) => messagesToChat(body),
  applyParams,
  mapTexts: mapMessagesTexts,
  fromChat: (completion, request) => chatToMessage(completion, request.id),
  toChatAnswer: (answer) => toChatCompletion(answer as unknown as Message, Math.floor(Date.now() / 1000)),
  usage: messageUsage,
  streamFromChat: (chat, request) => chatStreamToMessages(chat, request.id),
  replay: replayMessage,
  codec: messagesCodec,
  restoreJson: restoreMessageJson,
  restoreStream: restoreMessageStream,
}

/** Chat parameter names → Anthropic's; those with no Anthropic meaning (seed, n, penalties) are not sent. */
function applyParams(body: Json, changed: Json): Json {
  const out = { ...body }
  for (const [key, value] of Object.entries(changed)) {
    if (key === 'max_tokens' || key === 'max_completion_tokens') out.max_tokens = value
    else if (key === 'temperature' || key === 'top_p') out[key] = value
    else if (key === 'stop') out.stop_sequences = typeof value === 'string' ? [value] : value
    else if (key === 'parallel_tool_calls' && Array.isArray(out.tools))
      out.tool_choice = { ...((out.tool_choice as Json | undefined) ?? { type: 'auto' }), disable_parallel_tool_use: value === false }
  }
  return out
}

/** Anthropic counts cache reads and writes apart from `input_tokens`; telemetry's input is all of them. */
export function messageUsage(message: Json): TokenUsage | undefined {
  const u = message.usage as Message['usage'] | undefined
  if (!u) return undefined
  const read = u.cache_read_input_tokens ?? 0
  const write = u.cache_creation_input_tokens ?? 0
  const oneHour = (u.cache_creation as { ephemeral_1h_input_tokens?: number } | null | undefined)?.ephemeral_1h_input_tokens ?? 0
  return {
    inputTokens: (u.input_tokens ?? 0) + read + write,
    outputTokens: u.output_tokens ?? 0,
    cachedInputTokens: read,
    reasoningTokens: 0,
    cacheWriteTokens: write,
    cacheWrite1hTokens: Math.min(oneHour, write),
  }
}
