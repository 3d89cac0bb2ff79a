/** The headers every answer carries, whether it came from a provider or a cache. */
import type { Context } from 'hono'
import type { AppEnv } from '../env.ts'
import type { CacheStatus } from '../telemetry/request-facts.ts'

export function answerHeaders(
  c: Context<AppEnv>,
  answer: { cache: CacheStatus; provider: string; model: string; similarity?: number; format: 'json' | 'sse' },
): Record<string, string> {
  const headers: Record<string, string> = {
    ...(answer.format === 'sse' ? { 'Content-Type': 'text/event-stream; charset=utf-8', 'Cache-Control': 'no-cache' } : { 'Content-Type': 'application/json' }),
    'X-WatchLLM-Cache': answer.cache,
    'X-WatchLLM-Provider': answer.provider,
    'X-WatchLLM-Model': answer.model,
    'X-WatchLLM-Request-Id': c.get('requestId'),
  }
  if (answer.similarity !== undefined) headers['X-WatchLLM-Similarity'] = answer.similarity.toFixed(4)
  return headers
}

/** Whether the client asked for the usage chunk at the end of a stream (it is dropped otherwise). */
export function clientWantsUsage(body: Record<string, unknown>): boolean {
  return (body.stream_options as { include_usage?: boolean } | null | undefined)?.include_usage === true
}
