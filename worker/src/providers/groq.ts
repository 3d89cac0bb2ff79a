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
import { cachedClient } from './client-cache.ts'
import { withStandardUsage } from './groq-usage.ts'
import { openAiStyleAdapter } from './openai-compatible.ts'
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

const base = openAiStyleAdapter('groq', groqClient)

export const groq: ProviderAdapter = {
  ...base,
  async chat(request, call) {
    const result = await base.chat(request, call)
    return result.type === 'stream' ? { type: 'stream', body: withStandardUsage(result.body) } : result
  },
}
