/**
 * Anthropic's own API, for clients that speak it (`/v1/messages`, `/v1/messages/count_tokens`):
 * the body goes through the official SDK untouched (cache_control blocks and their TTLs, thinking,
 * tools — only `model` is the target's), with the client's `anthropic-version` and `anthropic-beta`
 * in place of the SDK's own, and the answer comes back as raw bytes — JSON, or the event stream as
 * Anthropic sent it. A 4xx/5xx before the first byte is an `UpstreamError`, so failover still works.
 *
 * @example const result = await anthropicMessages({ model: 'claude', max_tokens: 64, messages }, call)
 */
import { toUpstreamError, UpstreamError } from '../upstream/upstream-error.ts'
import { anthropicClient } from './anthropic.ts'
import type { NativeCall, NativeResult } from './types.ts'

const optionsFor = (call: NativeCall) => ({
  signal: call.signal,
  timeout: call.target.timeoutMs,
  // The target's headers from policy, then what the client asked of the API version and betas.
  headers: { ...call.target.headers, ...call.headers },
})

function keyed(call: NativeCall): void {
  if (!call.target.apiKey) throw new UpstreamError('http', 401, `provider '${call.target.provider}' has no API key configured`, 'missing_api_key')
}

export async function anthropicMessages(body: Record<string, unknown>, call: NativeCall): Promise<NativeResult> {
  keyed(call)
  try {
    const response = await anthropicClient(call.target)
      .messages.create({ ...body, model: call.target.model } as never, optionsFor(call))
      .asResponse()
    if (body.stream !== true) return { type: 'json', raw: await response.text() }
    if (!response.body) throw new UpstreamError('protocol', response.status, 'upstream sent an empty stream')
    return { type: 'stream', body: response.body }
  } catch (e) {
    throw toUpstreamError(e, call.signal)
  }
}

export async function anthropicCountTokens(body: Record<string, unknown>, call: NativeCall): Promise<{ input_tokens: number }> {
  keyed(call)
  try {
    return await anthropicClient(call.target).messages.countTokens({ ...body, model: call.target.model } as never, optionsFor(call))
  } catch (e) {
    throw toUpstreamError(e, call.signal)
  }
}
