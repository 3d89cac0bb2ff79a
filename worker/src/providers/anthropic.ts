/**
 * Anthropic, through the official `@anthropic-ai/sdk`: the OpenAI chat request is mapped to the
 * Messages API (anthropic-request.ts), and the answer back to OpenAI's JSON (anthropic-response.ts)
 * or SSE chunks (anthropic-stream.ts). No embeddings: Anthropic has none.
 *
 * A stream is returned only once the SDK has the response headers, so a 4xx/5xx before the first
 * byte is thrown as an `UpstreamError` and failover can still try the next target.
 *
 * @example
 * // policies/providers.yaml
 * // anthropic: { type: anthropic, api_key: { secret: ANTHROPIC_API_KEY } }
 * const result = await anthropic.chat({ model: 'claude', messages: [{ role: 'user', content: 'Hi' }] }, call)
 */
import Anthropic from '@anthropic-ai/sdk'
import { toUpstreamError, UpstreamError } from '../upstream/upstream-error.ts'
import { anthropicCountTokens, anthropicMessages } from './anthropic-native.ts'
import { checkAnthropicMessage, checkFirstChunk } from './answer-shape.ts'
import { toAnthropicRequest } from './anthropic-request.ts'
import { toChatCompletion } from './anthropic-response.ts'
import { toOpenAiSse } from './anthropic-stream.ts'
import { cachedClient } from './client-cache.ts'
import type { ChatRequest, ChatResult, ProviderAdapter, ResolvedTarget, UpstreamCall } from './types.ts'

export function anthropicClient(target: ResolvedTarget): Anthropic {
  return cachedClient(
    target,
    () =>
      new Anthropic({
        apiKey: target.apiKey,
        // null, not undefined: never fall back to ANTHROPIC_BASE_URL from the process environment.
        baseURL: target.baseUrl ?? null,
        maxRetries: 0, // failover/retry.ts owns retries, with the route's budget
      }),
  )
}

/** Per request, not per client: the cached client is shared by targets with other timeouts and headers. */
const requestOptions = (call: UpstreamCall) => ({ signal: call.signal, timeout: call.target.timeoutMs, headers: call.target.headers })

export const anthropic: ProviderAdapter = {
  id: 'anthropic',
  messages: (body, call) => anthropicMessages(body, call),
  countTokens: (body, call) => anthropicCountTokens(body, call),
  async chat(request: ChatRequest, call: UpstreamCall): Promise<ChatResult> {
    // Without a key the SDK would go looking for credentials elsewhere; say what is wrong instead.
    if (!call.target.apiKey) throw new UpstreamError('http', 401, `provider '${call.target.provider}' has no API key configured`, 'missing_api_key')
    const mapped = toAnthropicRequest(request, call.target.model)
    if (!mapped.ok)
      throw new UpstreamError('http', 400, `${mapped.error.param}: ${mapped.error.message}`, 'invalid_request_error')
    const client = anthropicClient(call.target)
    const created = Math.floor(Date.now() / 1000)
    try {
      if (request.stream) {
        const events = await client.messages.create({ ...mapped.value, stream: true }, requestOptions(call))
        const body = toOpenAiSse(events, { created, model: call.target.model, signal: call.signal, abort: () => events.controller.abort() })
        return { type: 'stream', body: await checkFirstChunk(body, call.target.provider) }
      }
      const message = await client.messages.create(mapped.value, requestOptions(call))
      return { type: 'json', completion: toChatCompletion(checkAnthropicMessage(message, call.target.provider), created) }
    } catch (e) {
      throw toUpstreamError(e, call.signal)
    }
  },
}
