/**
 * The upstream stage for a /v1/messages or /v1/responses request. Per target, with failover:
 * a provider that speaks the request's shape gets it untouched (native passthrough: Anthropic for
 * Messages, OpenAI for Responses) and its answer is relayed as it is; any other gets the chat view
 * — unless the request uses something chat cannot carry: then that target answers 400 naming the
 * field — and its answer is translated to the shape (JSON, or event by event). Either way the
 * answer is kept in its shape and as chat (`StoredAnswer.native` / `raw`) for caches and telemetry.
 */
import type { Context } from 'hono'
import type { ChatCompletion } from 'openai/resources/chat/completions'
import type { AppEnv, StoredAnswer } from '../env.ts'
import { GatewayError } from '../errors.ts'
import { providers } from '../providers/registry.ts'
import type { ChatRequest, ChatResult, NativeResult, ResolvedTarget } from '../providers/types.ts'
import { answerHeaders } from '../respond/answer-headers.ts'
import { upstreamBody } from '../shapes/native.ts'
import { shapes } from '../shapes/registry.ts'
import { relayEvents, relayStream } from '../stream/relay.ts'
import type { TokenUsage } from '../telemetry/request-facts.ts'
import { usageFacts } from '../telemetry/usage.ts'
import { callWithFailover } from './failover.ts'
import { UpstreamError } from './upstream-error.ts'

type Json = Record<string, unknown>
type Answered = { native: true; result: NativeResult } | { native: false; result: ChatResult }

export async function callShaped(c: Context<AppEnv>, now: () => number): Promise<Response> {
  const native = c.get('native')!
  const shape = shapes[native.shape]
  const facts = c.get('facts')
  const answered = await callWithFailover(
    c.get('route'),
    async (target, signal): Promise<Answered> => {
      const adapter = providers[target.config.type]
      const call = shape.id === 'messages' ? adapter.messages : adapter.responses
      if (target.config.type === shape.nativeProvider && call)
        return { native: true, result: await call(upstreamBody(c, shape), { target, signal, env: c.env, headers: native.passHeaders }) }
      const refused = native.view.untranslatable[0]
      if (refused) throw new UpstreamError('http', 400, `${refused.param} ${refused.message} (this target is ${target.config.type})`, 'unsupported_by_provider')
      return { native: false, result: await adapter.chat(c.get('body') as ChatRequest, { target, signal, env: c.env }) }
    },
    { clientSignal: c.req.raw.signal, now, onAttempt: (a) => facts.attempts.push(a) },
  )
  const target = answered.target
  facts.provider = target.provider
  facts.modelServed = target.model
  facts.upstreamMs = answered.ms
  const { native: isNative, result } = answered.value
  const stored = (chat: ChatCompletion, nativeJson: string, usage: TokenUsage | undefined): StoredAnswer => ({
    endpoint: 'chat',
    provider: target.provider,
    model: target.model,
    usage,
    raw: JSON.stringify(chat),
    shape: shape.id,
    native: nativeJson,
    ...(target.config.type === 'mock' ? { simulated: true as const } : {}),
  })
  const headers = (format: 'json' | 'sse') => {
    const h = answerHeaders(c, { cache: facts.cache ?? 'MISS', provider: target.provider, model: target.model, format })
    // What a provider speaking chat was not told (Anthropic's cache_control, thinking…): said, never silent.
    if (!isNative && native.view.dropped.length > 0) h['X-WatchLLM-Dropped'] = native.view.dropped.join(', ')
    return h
  }

  if (result.type === 'json') {
    const nativeJson = isNative ? result.raw : JSON.stringify(shape.fromChat(result.completion, native))
    const parsed = isNative ? parseAnswer(result.raw, target) : undefined
    const chat = parsed ? shape.toChatAnswer(parsed) : (result as Extract<ChatResult, { type: 'json' }>).completion
    facts.usage = parsed ? shape.usage(parsed) : usageFacts(chat)
    facts.completed = true
    c.set('answer', Promise.resolve(stored(chat, nativeJson, facts.usage)))
    return new Response(nativeJson, { status: 200, headers: headers('json') })
  }

  const started = c.get('startedAt')
  const options = {
    onFirstByte: () => (facts.ttfbMs = now() - started),
    idleTimeoutMs: target.timeoutMs,
    meter: c.get('limits')?.meterFor?.(target),
  }
  let body: ReadableStream<Uint8Array>
  let answer: Promise<StoredAnswer | undefined>
  if (isNative) {
    const relayed = relayEvents(result.body, shape.codec(), options)
    body = relayed.body
    answer = relayed.answer.then((json) => {
      facts.completed = json !== undefined
      if (!json) return undefined
      facts.usage = shape.usage(json) ?? facts.usage
      return stored(shape.toChatAnswer(json), JSON.stringify(json), facts.usage)
    })
  } else {
    // The usage chunk goes on to the translation, which reports it in the shape's last event.
    const relayed = relayStream(result.body, { ...options, clientWantsUsage: true })
    body = shape.streamFromChat(relayed.body, native)
    answer = relayed.answer.then((completion) => {
      facts.completed = completion !== undefined
      facts.usage = usageFacts(completion) ?? facts.usage // a budget cut leaves its estimate
      if (!completion) return undefined
      return stored(completion, JSON.stringify(shape.fromChat(completion, native)), facts.usage)
    })
  }
  c.set('answer', answer)
  return new Response(body, { status: 200, headers: headers('sse') })
}

function parseAnswer(raw: string, target: ResolvedTarget): Json {
  try {
    return JSON.parse(raw) as Json
  } catch {
    throw new GatewayError(502, 'upstream_error', `${target.provider} (${target.model}) sent an answer the gateway could not read.`)
  }
}


