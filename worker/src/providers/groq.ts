/**
 * Groq, through the official `groq-sdk` on the shared OpenAI-style base. Groq accepts
 * `stream_options.include_usage` (the base always sets it) and then ends the stream with OpenAI's
 * `choices: []` usage chunk; it also reports usage in `x_groq.usage` on the finish chunk. If a stream
 * carries only the latter (as Groq did before it supported the option), `withStandardUsage`
 * (groq-usage.ts) adds the standard usage chunk, so the gateway always prices from OpenAI's field.
 *
 * @example
 * // policies/providers.yaml
 * // groq: { type: groq, api_key: { secret: GROQ_API_KEY } }
 */
import Groq from 'groq-sdk'
import { VERSION } from 'groq-sdk/version'
import { cachedClient } from './client-cache.ts'
import { withStandardUsage } from './groq-usage.ts'
import { openAiStyleAdapter } from './openai-compatible.ts'
import type { SdkWire } from './openai-style-fetch.ts'
import type { ProviderAdapter, ResolvedTarget } from './types.ts'

export function groqClient(target: ResolvedTarget): Groq {
  return cachedClient(
    target,
    () =>
      new Groq({
        // A placeholder rather than undefined: the SDK would otherwise read GROQ_API_KEY from the environment.
        apiKey: target.apiKey ?? 'unused',
        baseURL: target.baseUrl ?? null,
        maxRetries: 0, // failover/retry.ts owns retries, with the route's budget
        timeout: target.timeoutMs,
        defaultHeaders: target.headers,
      }),
  )
}

/** What `groq-sdk` sends for a chat completion, and the errors it throws (its client's `makeStatusError`). */
export const groqWire: SdkWire<Groq> = {
  chatPath: '/openai/v1/chat/completions',
  userAgent: `Groq/JS ${VERSION}`,
  statusError: (status, body, message, headers) => Groq.APIError.generate(status, body as object | undefined, message, headers),
  connectionError: (cause) => new Groq.APIConnectionError({ cause: cause instanceof Error ? cause : undefined }),
}

const base = openAiStyleAdapter('groq', groqClient, groqWire)

export const groq: ProviderAdapter = {
  ...base,
  async chat(request, call) {
    const result = await base.chat(request, call)
    return result.type === 'stream' ? { type: 'stream', body: withStandardUsage(result.body) } : result
  },
}
