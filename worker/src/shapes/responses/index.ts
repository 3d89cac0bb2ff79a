/**
 * OpenAI Responses (`POST /v1/responses`): what the `openai` client's `responses.create` /
 * `responses.stream` and the Vercel AI SDK's default `openai(model)` speak. Passed through to an
 * OpenAI target (the conversation a `previous_response_id` stands for sent as input); translated
 * to chat for any other.
 *
 * @example app.post('/v1/responses', validate('chat', responsesRequestSchema, responsesShape), …)
 */
import type { TokenUsage } from '../../telemetry/request-facts.ts'
import type { Shape } from '../types.ts'
import { responsesCodec } from './codec.ts'
import { chatToResponse, responseToChat } from './from-chat.ts'
import { mapResponsesTexts, restoreResponseJson, restoreResponseStream } from './pii.ts'
import { replayResponse } from './replay.ts'
import { responsesRequestSchema } from './schema.ts'
import { chatStreamToResponses } from './stream-from-chat.ts'
import { responsesToChat } from './to-chat.ts'

type Json = Record<string, unknown>

export const responsesShape: Shape = {
  id: 'responses',
  nativeProvider: 'openai',
  schema: responsesRequestSchema,
  toChat: responsesToChat,
  applyParams,
  mapTexts: mapResponsesTexts,
  fromChat: chatToResponse,
  toChatAnswer: responseToChat,
  usage: responseUsage,
  streamFromChat: chatStreamToResponses,
  replay: replayResponse,
  codec: responsesCodec,
  restoreJson: restoreResponseJson,
  restoreStream: restoreResponseStream,
}

/** Chat parameter names → Responses'; those Responses lacks (seed, n, stop, penalties) are not sent. */
function applyParams(body: Json, changed: Json): Json {
  const out = { ...body }
  for (const [key, value] of Object.entries(changed)) {
    if (key === 'max_tokens' || key === 'max_completion_tokens') out.max_output_tokens = value
    else if (key === 'temperature' || key === 'top_p' || key === 'parallel_tool_calls') out[key] = value
    else if (key === 'reasoning_effort') out.reasoning = { ...((out.reasoning as Json | null | undefined) ?? {}), effort: value }
  }
  return out
}

function responseUsage(response: Json): TokenUsage | undefined {
  const u = response.usage as Json | null | undefined
  if (!u) return undefined
  return {
    inputTokens: Number(u.input_tokens ?? 0),
    outputTokens: Number(u.output_tokens ?? 0),
    cachedInputTokens: Number((u.input_tokens_details as Json | undefined)?.cached_tokens ?? 0),
    reasoningTokens: Number((u.output_tokens_details as Json | undefined)?.reasoning_tokens ?? 0),
  }
}
