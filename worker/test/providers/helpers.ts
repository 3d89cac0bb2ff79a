/**
 * Shared by the adapter integration tests: a hand-built ResolvedTarget pointing at a fake upstream,
 * an UpstreamCall with a bounded signal, an SSE reader, and the fake's record of what reached it.
 * Fakes are scripted through the model name, and each test puts a unique marker in its prompt to
 * find its own requests: both travel in the body, which SDK clients (cached per provider, with the
 * first target's default headers) never share between requests. Nothing needs resetting.
 */
import { env } from 'cloudflare:test'
import type { GatewayEnv } from '../../src/env.ts'
import type { ProviderType } from '../../src/policy/schema.ts'
import type { ResolvedTarget, UpstreamCall } from '../../src/providers/types.ts'
import { UpstreamError } from '../../src/upstream/upstream-error.ts'

export interface FakeVars {
  FAKE_OPENAI_URL: string
  FAKE_ANTHROPIC_URL: string
  FAKE_GROQ_URL: string
  FAKE_OPENAI_KEY: string
  FAKE_ANTHROPIC_KEY: string
  FAKE_GROQ_KEY: string
}

export const vars = env as unknown as FakeVars & GatewayEnv

export function target(type: ProviderType, options: { baseUrl: string; apiKey: string; model: string; timeoutMs?: number }): ResolvedTarget {
  return {
    provider: type,
    config: { type, failover_on_auth_error: false },
    model: options.model,
    apiKey: options.apiKey,
    baseUrl: options.baseUrl,
    headers: { 'x-watchllm-test': 'provider-adapters' },
    timeoutMs: options.timeoutMs ?? 5_000,
  }
}

/** A word no other test sends: the fakes quote it back, and `receivedBy` finds requests by it. */
export const marker = (): string => `m${crypto.randomUUID().replaceAll('-', '').slice(0, 12)}`

export function callOf(resolved: ResolvedTarget, timeoutMs = 5_000, environment: GatewayEnv = vars): UpstreamCall {
  return { target: resolved, signal: AbortSignal.timeout(timeoutMs), env: environment }
}

export interface RecordedRequest {
  method: string
  path: string
  headers: Record<string, string>
  body: Record<string, unknown>
}

/** What the fake received for one test (the requests whose body contains its marker). */
export async function receivedBy(baseUrl: string, mark: string): Promise<RecordedRequest[]> {
  const all = (await (await fetch(`${new URL(baseUrl).origin}/__requests`)).json()) as RecordedRequest[]
  return all.filter((r) => JSON.stringify(r.body).includes(mark))
}

/** Every `data:` payload of an SSE body, JSON-parsed except the `[DONE]` marker. */
export async function readSse(body: ReadableStream<Uint8Array>): Promise<unknown[]> {
  const text = await new Response(body).text()
  return text
    .split('\n\n')
    .filter((event) => event.startsWith('data: '))
    .map((event) => event.slice(6))
    .map((data) => (data === '[DONE]' ? data : (JSON.parse(data) as unknown)))
}

export async function upstreamErrorOf(promise: Promise<unknown>): Promise<UpstreamError> {
  try {
    await promise
  } catch (e) {
    if (e instanceof UpstreamError) return e
    throw new Error(`expected an UpstreamError, got ${String(e)}`)
  }
  throw new Error('expected the call to fail')
}

/** Tool-call arguments concatenated per index, as an OpenAI client assembles them. */
export function assembleToolCalls(events: unknown[]): { id?: string; name?: string; arguments: string }[] {
  const calls: { id?: string; name?: string; arguments: string }[] = []
  for (const e of events) {
    const deltas = (e as { choices?: { delta?: { tool_calls?: { index: number; id?: string; function?: { name?: string; arguments?: string } }[] } }[] })
      .choices?.[0]?.delta?.tool_calls ?? []
    for (const d of deltas) {
      const call = (calls[d.index] ??= { arguments: '' })
      if (d.id) call.id = d.id
      if (d.function?.name) call.name = d.function.name
      call.arguments += d.function?.arguments ?? ''
    }
  }
  return calls
}
