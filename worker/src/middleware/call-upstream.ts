/**
 * The upstream stage: calls the route's targets through their adapters with failover, then
 * answers. JSON answers are sent whole; streams are relayed event by event with headers sent
 * before the first one, while the full answer is assembled on the side for cache and usage.
 *
 * @example app.post('/v1/chat/completions', …, callUpstream())
 */
import type { Context, MiddlewareHandler } from 'hono'
import type { AppEnv, StoredAnswer } from '../env.ts'
import { GatewayError } from '../errors.ts'
import { inRequestedEncoding } from '../providers/embedding-encoding.ts'
import { providers } from '../providers/registry.ts'
import type { ChatRequest, EmbeddingsRequest, ProviderAdapter, ResolvedTarget } from '../providers/types.ts'
import { answerHeaders, clientWantsUsage } from '../respond/answer-headers.ts'
import { relayStream } from '../stream/relay.ts'
import { usageFacts } from '../telemetry/usage.ts'
import { callShaped } from '../upstream/call-shaped.ts'
import { callWithFailover } from '../upstream/failover.ts'
import { UpstreamError } from '../upstream/upstream-error.ts'

export function callUpstream(now: () => number = Date.now): MiddlewareHandler<AppEnv> {
  return async function callUpstreamStage(c) {
    const facts = c.get('facts')
    const onAttempt = (a: (typeof facts.attempts)[number]) => facts.attempts.push(a)
    const clientSignal = c.req.raw.signal
    // /v1/messages, /v1/responses: passed through to a provider of their shape, else translated.
    if (c.get('native')) return callShaped(c, now)

    if (c.get('endpoint') === 'embeddings') {
      const answered = await callWithFailover(
        c.get('route'),
        (target, signal) => {
          const adapter = adapterFor(target)
          if (!adapter.embeddings) throw new GatewayError(400, 'wrong_endpoint', `${target.provider} has no embeddings endpoint.`)
          return adapter.embeddings(c.get('body') as EmbeddingsRequest, { target, signal, env: c.env })
        },
        { clientSignal, now, onAttempt },
      ).catch((e: unknown) => passRetryAfter(c, e))
      const value = inRequestedEncoding(answered.value, (c.get('body') as EmbeddingsRequest).encoding_format)
      return answerJson(c, answered.target, answered.ms, value, JSON.stringify(value))
    }

    const answered = await callWithFailover(
      c.get('route'),
      (target, signal) => adapterFor(target).chat(c.get('body') as ChatRequest, { target, signal, env: c.env }),
      { clientSignal, now, onAttempt },
    ).catch((e: unknown) => passRetryAfter(c, e))
    const result = answered.value
    if (result.type === 'json')
      return answerJson(c, answered.target, answered.ms, result.completion, result.raw ?? JSON.stringify(result.completion))

    const target = answered.target
    facts.provider = target.provider
    facts.modelServed = target.model
    facts.upstreamMs = answered.ms
    const started = c.get('startedAt')
    const relayed = relayStream(result.body, {
      clientWantsUsage: clientWantsUsage(c.get('body')),
      onFirstByte: () => (facts.ttfbMs = now() - started),
      // The target's timeout bounded the wait for headers; it also bounds each silence after them.
      idleTimeoutMs: target.timeoutMs,
      meter: c.get('limits')?.meterFor?.(target), // counts the output; cuts it where a budget ends
    })
    c.set(
      'answer',
      relayed.answer.then((completion): StoredAnswer | undefined => {
        facts.completed = completion !== undefined
        facts.usage = usageFacts(completion) ?? facts.usage // a budget cut leaves its estimate
        if (!completion) return undefined
        return { endpoint: 'chat', provider: target.provider, model: target.model, usage: facts.usage, raw: JSON.stringify(completion), ...simulated(target) }
      }),
    )
    const headers = answerHeaders(c, { cache: facts.cache ?? 'MISS', provider: target.provider, model: target.model, format: 'sse' })
    return new Response(relayed.body, { status: 200, headers })
  }
}

function answerJson(c: Context<AppEnv>, target: ResolvedTarget, upstreamMs: number, body: unknown, raw: string): Response {
  const facts = c.get('facts')
  facts.provider = target.provider
  facts.modelServed = target.model
  facts.upstreamMs = upstreamMs
  facts.usage = usageFacts(body)
  facts.completed = true
  const answer: StoredAnswer = { endpoint: c.get('endpoint'), provider: target.provider, model: target.model, usage: facts.usage, raw, ...simulated(target) }
  c.set('answer', Promise.resolve(answer))
  const headers = answerHeaders(c, { cache: facts.cache ?? 'MISS', provider: target.provider, model: target.model, format: 'json' })
  return new Response(raw, { status: 200, headers })
}

/**
 * The last provider was rate limiting (429) or overloaded (503) and said when to come back: the
 * client's SDK gets the same `Retry-After`, so it backs off as long as the provider asked.
 */
function passRetryAfter(c: Context<AppEnv>, e: unknown): never {
  const cause = e instanceof GatewayError ? e.cause : undefined
  if (cause instanceof UpstreamError && cause.retryAfter && (cause.status === 429 || cause.status === 503)) c.header('Retry-After', cause.retryAfter)
  throw e
}

/** Marks answers the `mock` provider made up, so no cache outside local development keeps them. */
const simulated = (target: ResolvedTarget): { simulated?: true } => (target.config.type === 'mock' ? { simulated: true } : {})

function adapterFor(target: ResolvedTarget): ProviderAdapter {
  return providers[target.config.type]
}
