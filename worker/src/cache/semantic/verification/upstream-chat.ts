/**
 * One non-streamed chat call through a route, with its failover, for the verification loop: the
 * re-ask of a sampled semantic hit and an LLM judge's question. Never on a client's response path.
 */
import type { GatewayEnv } from '../../../env.ts'
import type { CompiledPolicy } from '../../../policy/compile.ts'
import { providers } from '../../../providers/registry.ts'
import type { ChatRequest, ResolvedRoute } from '../../../providers/types.ts'
import { priceSubjectFor } from '../../../telemetry/price-subject.ts'
import { priceUsage } from '../../../telemetry/pricing.ts'
import { usageFacts } from '../../../telemetry/usage.ts'
import { callWithFailover } from '../../../upstream/failover.ts'

export interface ChatAnswer {
  /** The first choice's text. */
  text: string
  /** The stored-answer JSON, as a client would have received it. */
  raw: string
  /** What the call cost, when the price table knows the model (a mock's cost is simulated). */
  costUsd: number | null
}

export async function chatOnce(policy: CompiledPolicy, route: ResolvedRoute, body: Record<string, unknown>, env: GatewayEnv): Promise<ChatAnswer> {
  const { stream: _stream, stream_options: _options, ...rest } = body
  const request = { ...rest, model: String(body.model) } as ChatRequest
  const answered = await callWithFailover(route, (target, signal) => providers[target.config.type].chat(request, { target, signal, env }))
  const result = answered.value
  if (result.type !== 'json') throw new Error('the provider streamed an answer that was asked for as JSON')
  const usage = usageFacts(result.completion)
  const { target } = answered
  const subject = priceSubjectFor(policy, { alias: route.alias, provider: target.provider, model: target.model, baseUrl: target.baseUrl }).subject
  const price = usage ? priceUsage(subject, usage) : undefined
  return {
    text: answerContent(result.completion),
    raw: result.raw ?? JSON.stringify(result.completion),
    costUsd: price?.status === 'priced' ? price.usd : null,
  }
}

/** The first choice's text of a chat completion (JSON text or parsed), '' when it has none. */
export function answerContent(completion: unknown): string {
  let value = completion
  if (typeof value === 'string') {
    try {
      value = JSON.parse(value)
    } catch {
      return ''
    }
  }
  const content = (value as { choices?: { message?: { content?: unknown } }[] } | null)?.choices?.[0]?.message?.content
  if (typeof content === 'string') return content
  if (Array.isArray(content)) return content.map((p) => (typeof (p as { text?: unknown }).text === 'string' ? (p as { text: string }).text : '')).join('')
  return ''
}
