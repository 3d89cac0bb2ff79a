/**
 * Answers from a cache (exact HIT or SEMANTIC): the stored JSON verbatim, or replayed as an SSE
 * stream when the client asked for one — in the request's own shape: a /v1/messages or
 * /v1/responses answer kept in that shape is served as it was; one kept in another shape (a
 * semantic hit across endpoints) is rebuilt from its chat view. Fills in the request's facts as
 * the upstream would.
 */
import type { Context } from 'hono'
import type { ChatCompletion } from 'openai/resources/chat/completions'
import type { AppEnv, StoredAnswer } from '../env.ts'
import { shapes } from '../shapes/registry.ts'
import { replayAsStream } from '../stream/replay.ts'
import { answerHeaders, clientWantsUsage } from './answer-headers.ts'

export function respondFromCache(c: Context<AppEnv>, answer: StoredAnswer, how: { cache: 'HIT' | 'SEMANTIC'; similarity?: number }): Response {
  const facts = c.get('facts')
  facts.cache = how.cache
  if (how.similarity !== undefined) facts.similarity = how.similarity
  facts.provider = answer.provider
  facts.modelServed = answer.model
  facts.completed = true
  facts.usage = answer.usage
  const stream = answer.endpoint === 'chat' && c.get('body').stream === true
  const headers = answerHeaders(c, { cache: how.cache, provider: answer.provider, model: answer.model, similarity: how.similarity, format: stream ? 'sse' : 'json' })
  const native = c.get('native')
  if (!native) {
    const body = stream ? replayAsStream(JSON.parse(answer.raw) as ChatCompletion, clientWantsUsage(c.get('body'))) : answer.raw
    return new Response(body, { status: 200, headers })
  }
  const shape = shapes[native.shape]
  const json = answer.shape === native.shape && answer.native ? answer.native : JSON.stringify(shape.fromChat(JSON.parse(answer.raw) as ChatCompletion, native))
  c.set('hit', { ...answer, shape: native.shape, native: json })
  return new Response(stream ? shape.replay(JSON.parse(json) as Record<string, unknown>) : json, { status: 200, headers })
}
