/** The headers every answer carries, whether it came from a provider or a cache. */
import type { Context } from 'hono'
import type { AppEnv } from '../env.ts'
import type { CacheStatus } from '../telemetry/request-facts.ts'

export function answerHeaders(
  c: Context<AppEnv>,
  answer: { cache: CacheStatus; provider: string; model: string; similarity?: number },
): Record<string, string> {
  const headers: Record<string, string> = {
    'X-WatchLLM-Cache': answer.cache,
    'X-WatchLLM-Provider': answer.provider,
    'X-WatchLLM-Model': answer.model,
    'X-WatchLLM-Request-Id': c.var.requestId,
  }
  if (answer.similarity !== undefined) headers['X-WatchLLM-Similarity'] = answer.similarity.toFixed(4)
  return headers
}
