/** Token usage as telemetry records it, from an OpenAI-shaped answer's `usage`. */
import type { TokenUsage } from './request-facts.ts'

interface OpenAiUsage {
  prompt_tokens?: number
  completion_tokens?: number
  prompt_tokens_details?: { cached_tokens?: number | null; cache_write_tokens?: number | null } | null
  completion_tokens_details?: { reasoning_tokens?: number | null } | null
}

export function usageFacts(body: unknown): TokenUsage | undefined {
  const usage = (body as { usage?: OpenAiUsage } | undefined)?.usage
  if (!usage) return undefined
  return {
    inputTokens: usage.prompt_tokens ?? 0,
    outputTokens: usage.completion_tokens ?? 0,
    cachedInputTokens: usage.prompt_tokens_details?.cached_tokens ?? 0,
    reasoningTokens: usage.completion_tokens_details?.reasoning_tokens ?? 0,
    // Anthropic's cache writes, as its adapter reports them in an OpenAI-shaped answer.
    ...(usage.prompt_tokens_details?.cache_write_tokens ? { cacheWriteTokens: usage.prompt_tokens_details.cache_write_tokens } : {}),
  }
}
