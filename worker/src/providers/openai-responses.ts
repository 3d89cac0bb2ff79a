/**
 * OpenAI's Responses API, for clients that speak it (`/v1/responses`): the body goes through the
 * official SDK as the client sent it — but for `model`, and with the conversation a
 * `previous_response_id` stood for already in `input` (shapes/native.ts) — and the answer comes
 * back as raw bytes: the Response JSON, or OpenAI's typed event stream as sent.
 *
 * @example const result = await openAiResponses({ model: 'gpt-4o-mini', input: 'Hi' }, call)
 */
import { toUpstreamError, UpstreamError } from '../upstream/upstream-error.ts'
import { openAiClient } from './openai-compatible.ts'
import type { NativeCall, NativeResult } from './types.ts'

export async function openAiResponses(body: Record<string, unknown>, call: NativeCall): Promise<NativeResult> {
  try {
    const response = await openAiClient(call.target)
      .responses.create({ ...body, model: call.target.model } as never, { signal: call.signal, timeout: call.target.timeoutMs, headers: call.target.headers })
      .asResponse()
    if (body.stream !== true) return { type: 'json', raw: await response.text() }
    if (!response.body) throw new UpstreamError('protocol', response.status, 'upstream sent an empty stream')
    return { type: 'stream', body: response.body }
  } catch (e) {
    throw toUpstreamError(e, call.signal)
  }
}
