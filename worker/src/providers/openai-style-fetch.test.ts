/**
 * The direct chat call against the SDK it replaces, on the same fake upstreams: what reaches the
 * upstream, and the error each failure becomes (class, status, message, body, headers), must match
 * what the SDK's own `chat.completions.create(…).asResponse()` gives.
 */
import OpenAI from 'openai'
import { describe, expect, it } from 'vitest'
import { callOf, marker, receivedBy, target, vars } from '../../test/providers/helpers.ts'
import { toUpstreamError } from '../upstream/upstream-error.ts'
import { groqClient, groqWire } from './groq.ts'
import { openAiClient, openAiWire } from './openai-compatible.ts'
import { postChatCompletion, urlOf, type SdkWire, type WireClient } from './openai-style-fetch.ts'
import type { ResolvedTarget } from './types.ts'

type Sdk = { client: (t: ResolvedTarget) => WireClient & { chat: { completions: { create(b: never, o: object): { asResponse(): Promise<Response> } } } }; wire: SdkWire<never>; url: string; key: string; path: string }

const sdks: Record<'openai' | 'groq', Sdk> = {
  openai: { client: openAiClient as never, wire: openAiWire as never, url: vars.FAKE_OPENAI_URL, key: vars.FAKE_OPENAI_KEY, path: '/v1/chat/completions' },
  groq: { client: groqClient as never, wire: groqWire as never, url: vars.FAKE_GROQ_URL, key: vars.FAKE_GROQ_KEY, path: '/openai/v1/chat/completions' },
}

/** Both calls, the SDK's and the direct one, on one target; each settles to its Response or its error. */
async function both(sdk: Sdk, resolved: ResolvedTarget, body: Record<string, unknown>) {
  const client = sdk.client(resolved)
  const viaSdk = await client.chat.completions
    .create(body as never, { signal: AbortSignal.timeout(5_000), timeout: resolved.timeoutMs, headers: resolved.headers })
    .asResponse()
    .then((r) => ({ ok: r }), (e: unknown) => ({ error: e as Error & Record<string, unknown> }))
  const direct = await postChatCompletion(sdk.wire, client as never, resolved, body, callOf(resolved).signal).then(
    (r) => ({ ok: r }),
    (e: unknown) => ({ error: e as Error & Record<string, unknown> }),
  )
  return { viaSdk, direct }
}

describe.each(Object.keys(sdks) as ('openai' | 'groq')[])('%s: the direct chat call against the SDK', (name) => {
  const sdk = sdks[name]
  const on = (model: string, apiKey = sdk.key) => target(name, { baseUrl: sdk.url, apiKey, model })

  it('sends the same method, path, body and headers (the target’s own last, once)', async () => {
    const mark = marker()
    const body = { model: 'gpt-4o-mini', messages: [{ role: 'user', content: mark }] }
    const { viaSdk, direct } = await both(sdk, on('gpt-4o-mini'), body)
    expect('ok' in viaSdk && 'ok' in direct).toBe(true)
    const [bySdk, byFetch] = await receivedBy(sdk.url, mark)
    expect(byFetch?.method).toBe(bySdk?.method)
    expect(byFetch?.path).toBe(sdk.path)
    expect(byFetch?.path).toBe(bySdk?.path)
    expect(byFetch?.body).toEqual(bySdk?.body)
    for (const header of ['authorization', 'content-type', 'accept', 'x-watchllm-test', 'user-agent'])
      expect(byFetch?.headers[header], header).toBe(bySdk?.headers[header])
  })

  it.each(['fail-400', 'fail-401', 'fail-404', 'fail-429', 'fail-500', 'fail-503'])('%s: the same error object as the SDK throws', async (model) => {
    const { viaSdk, direct } = await both(sdk, on(model), { model, messages: [{ role: 'user', content: marker() }] })
    if (!('error' in viaSdk) || !('error' in direct)) throw new Error('expected both calls to fail')
    expect(direct.error.constructor).toBe(viaSdk.error.constructor)
    for (const field of ['status', 'message', 'error', 'code', 'type', 'param']) expect(direct.error[field], field).toEqual(viaSdk.error[field])
    expect((direct.error.headers as Headers).get('retry-after')).toBe((viaSdk.error.headers as Headers).get('retry-after'))
    expect(sameUpstreamError(direct.error, viaSdk.error)).toBe(true)
  })

  it('a wrong key: the same 401 and code, the key not echoed', async () => {
    const { viaSdk, direct } = await both(sdk, on('gpt-4o-mini', 'sk-wrong-key-for-the-parity-test'), { model: 'm', messages: [{ role: 'user', content: marker() }] })
    if (!('error' in viaSdk) || !('error' in direct)) throw new Error('expected both calls to fail')
    const upstream = toUpstreamError(direct.error)
    expect(sameUpstreamError(direct.error, viaSdk.error)).toBe(true)
    expect(upstream).toMatchObject({ kind: 'http', status: 401 })
    expect(upstream.message).not.toContain('sk-wrong-key-for-the-parity-test')
  })

  it('an upstream nobody listens on: the SDK’s connection error, and the same UpstreamError', async () => {
    const closed = { ...on('gpt-4o-mini'), baseUrl: 'http://127.0.0.1:9/v1' }
    const { viaSdk, direct } = await both(sdk, closed, { model: 'm', messages: [{ role: 'user', content: marker() }] })
    if (!('error' in viaSdk) || !('error' in direct)) throw new Error('expected both calls to fail')
    expect(direct.error.constructor).toBe(viaSdk.error.constructor)
    expect(sameUpstreamError(direct.error, viaSdk.error)).toBe(true)
    // Unreachable, not "an answer the gateway could not read": the client sees upstream_unreachable.
    expect(toUpstreamError(direct.error)).toMatchObject({ kind: 'network', status: 0 })
  })
})

/** What failover decides on: kind, status, code, Retry-After and the message the client may see. */
function sameUpstreamError(a: unknown, b: unknown): boolean {
  const [x, y] = [toUpstreamError(a), toUpstreamError(b)]
  expect([x.kind, x.status, x.code, x.retryAfter, x.message]).toEqual([y.kind, y.status, y.code, y.retryAfter, y.message])
  return true
}

describe('the direct call', () => {
  it('times out with the call’s signal, as an abort that toUpstreamError reads as a timeout', async () => {
    const resolved = target('openai', { baseUrl: vars.FAKE_OPENAI_URL, apiKey: vars.FAKE_OPENAI_KEY, model: 'slow-3000' })
    const call = callOf(resolved, 200)
    const started = Date.now()
    const error = await postChatCompletion(openAiWire, openAiClient(resolved), resolved, { model: 'slow-3000', messages: [{ role: 'user', content: marker() }] }, call.signal).catch((e: unknown) => e)
    expect(Date.now() - started).toBeLessThan(2_000)
    expect(toUpstreamError(error, call.signal)).toMatchObject({ kind: 'timeout', status: 0 })
  })

  it('joins base URL and path as the SDK does', () => {
    expect(urlOf('http://h/v1', '/chat/completions')).toBe('http://h/v1/chat/completions')
    expect(urlOf('http://h/v1/', '/chat/completions')).toBe('http://h/v1/chat/completions')
    expect(urlOf('https://api.groq.com', '/openai/v1/chat/completions')).toBe('https://api.groq.com/openai/v1/chat/completions')
    expect(urlOf('https://r.example/openai/v1?api-version=2024-10-21', '/chat/completions')).toBe('https://r.example/openai/v1/chat/completions?api-version=2024-10-21')
    expect(new OpenAI({ apiKey: 'k', baseURL: null }).baseURL).toBe('https://api.openai.com/v1')
  })
})
