/**
 * Telemetry end to end in workerd: the real worker's requests reach D1 through the real queue and
 * consumer; the cost header; streams; and the faults — the queue failing, the queue and D1 both
 * failing, a queue that never answers — never cost the client its answer.
 */
import { createExecutionContext, waitOnExecutionContext } from 'cloudflare:test'
import { exports } from 'cloudflare:workers'
import OpenAI from 'openai'
import { describe, expect, it, vi } from 'vitest'
import { createApp } from '../../src/app.ts'
import type { GatewayEnv } from '../../src/env.ts'
import { sha256Hex } from '../../src/lib/hash.ts'
import { compilePolicy } from '../../src/policy/compile.ts'
import { priceUsage } from '../../src/telemetry/pricing.ts'
import { d1Events, failingD1, failingQueue, genv } from './helpers.ts'

const DEV_KEY = 'lgw_local_dev_key'
const unique = () => crypto.randomUUID().slice(0, 8)

async function eventFor(requestId: string): Promise<Record<string, unknown>> {
  return vi.waitFor(
    async () => {
      const row = await genv.DB.prepare('SELECT * FROM usage_events WHERE request_id = ?1 OR client_request_id = ?1').bind(requestId).first()
      if (!row) throw new Error(`no event yet for ${requestId}`)
      return row
    },
    { timeout: 10_000, interval: 100 },
  )
}

describe('through the deployed worker (real queue and consumer)', () => {
  const client = (requestId: string) =>
    new OpenAI({
      apiKey: DEV_KEY,
      baseURL: 'http://gateway.test/v1',
      maxRetries: 0,
      fetch: (input, init) => exports.default.fetch(new Request(input as RequestInfo, init)),
      defaultHeaders: { 'x-request-id': requestId },
    })

  it('an answer reaches D1 as one event with its tokens, latency and the cost its header showed', async () => {
    const id = `req-${unique()}-json`
    const { data, response } = await client(id).chat.completions
      .create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: `Price me ${id}` }], user: 'alice@example.com' })
      .withResponse()
    const header = response.headers.get('x-watchllm-cost-usd')
    expect(header).toMatch(/^0\.\d+$/)
    const event = await eventFor(id)
    expect(event).toMatchObject({
      project: 'demo',
      key_id: 'local-dev',
      endpoint: 'chat',
      model_requested: 'gpt-4o-mini',
      model_served: 'gpt-4o-mini',
      provider: 'mock',
      cache: 'MISS',
      status: 200,
      completed: 1,
      input_tokens: data.usage!.prompt_tokens,
      output_tokens: data.usage!.completion_tokens,
      price_status: 'simulated',
      // The demo project redacts e-mail addresses in the guard stage, `user` included, before telemetry sees it.
      user_id: '[EMAIL_1]',
      prompt: null,
    })
    expect(event.cost_usd).toBe(Number(header))
    expect(event.latency_ms as number).toBeGreaterThan(0)
  })

  it('a cache hit costs 0 and saves what the first answer cost', async () => {
    const question = `Cache me ${unique()}`
    const first = await client(`req-${unique()}-a`).chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: question }] }).withResponse()
    const cost = first.response.headers.get('x-watchllm-cost-usd')
    const id = `req-${unique()}-hit`
    const hit = await vi.waitFor(async () => {
      const again = await client(id).chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: question }] }).withResponse()
      if (again.response.headers.get('x-watchllm-cache') !== 'HIT') throw new Error('not cached yet')
      return again
    }, { timeout: 5_000 })
    expect(hit.response.headers.get('x-watchllm-cost-usd')).toBe('0')
    expect(hit.response.headers.get('x-watchllm-cost-saved-usd')).toBe(cost)
    expect(await eventFor(id)).toMatchObject({ cache: 'HIT', cost_usd: 0, cost_saved_usd: Number(cost), price_status: 'simulated' })
  })

  it("a stream carries no cost header; its event, written after the stream's end, has the usage and cost", async () => {
    const id = `req-${unique()}-stream`
    const { data, response } = await client(id).chat.completions
      .create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: `Stream ${id}` }], stream: true, stream_options: { include_usage: true } })
      .withResponse()
    expect(response.headers.get('x-watchllm-cost-usd')).toBeNull()
    let usage: OpenAI.CompletionUsage | undefined
    for await (const chunk of data) usage = chunk.usage ?? usage
    const event = await eventFor(id)
    expect(event).toMatchObject({ stream: 1, completed: 1, input_tokens: usage!.prompt_tokens, output_tokens: usage!.completion_tokens, price_status: 'simulated' })
    expect(event.cost_usd as number).toBeGreaterThan(0)
    expect(event.ttfb_ms as number).toBeLessThanOrEqual(event.latency_ms as number)
  })

  it('an error after authentication is recorded with its status and code; an unauthenticated call is not', async () => {
    const id = `req-${unique()}-404`
    await expect(client(id).chat.completions.create({ model: 'no-such-model', messages: [{ role: 'user', content: 'x' }] })).rejects.toThrow()
    expect(await eventFor(id)).toMatchObject({ status: 404, error_code: 'model_not_found', price_status: 'none', cost_usd: null })

    const anon = `req-${unique()}-401`
    const res = await exports.default.fetch(
      new Request('http://gateway.test/v1/chat/completions', { method: 'POST', headers: { 'x-request-id': anon, authorization: 'Bearer lgw_nobody' }, body: '{}' }),
    )
    expect(res.status).toBe(401)
    // The 404's event arrived through the same queue: had the 401 made one, it would be there too by now.
    await eventFor(id)
    expect(await genv.DB.prepare('SELECT 1 FROM usage_events WHERE client_request_id = ?').bind(anon).first()).toBeNull()
  })
})

describe('with a policy of its own (app.fetch with chosen bindings)', async () => {
  const KEY = 'lgw_telemetry_test_key'
  const project = `t-${unique()}`
  const logged = `l-${unique()}`
  const compiled = await compilePolicy([
    {
      path: 'telemetry.yaml',
      text: `
providers:
  mock: { type: mock }
  openai-cached:
    type: openai
    api_key: { secret: FAKE_OPENAI_KEY }
    base_url: { var: FAKE_OPENAI_URL }
    headers: { x-fake-script: cached-30 }
models:
  house: { targets: [{ provider: mock, model: house-model-unlisted }] }
  cheap: { targets: [{ provider: openai-cached, model: gpt-4o-mini }] }
projects:
  ${project}:
    keys: [{ id: k, sha256: ${sha256Hex(KEY)} }]
    cache: { exact: { enabled: false } }
  ${logged}:
    keys: [{ id: k2, sha256: ${sha256Hex(`${KEY}_2`)} }]
    telemetry: { log_prompts: true }
`,
    },
  ])
  if (!compiled.ok) throw new Error(JSON.stringify(compiled.error))
  const app = createApp(compiled.value)

  async function call(body: Record<string, unknown>, env: Partial<GatewayEnv> = {}, key = KEY) {
    const ctx = createExecutionContext()
    const res = await app.fetch(
      new Request('http://gateway.test/v1/chat/completions', {
        method: 'POST',
        headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      }),
      { ...genv, ...env },
      ctx,
    )
    return { res, json: (await res.json()) as Record<string, unknown>, settled: waitOnExecutionContext(ctx) }
  }

  it('an unknown model is "unpriced" in the header and null in the event, never $0', async () => {
    const { res, settled } = await call({ model: 'house', messages: [{ role: 'user', content: 'hi' }] })
    expect(res.headers.get('x-watchllm-cost-usd')).toBe('unpriced')
    await settled
    const event = await eventFor(res.headers.get('x-watchllm-request-id')!)
    expect(event).toMatchObject({ price_status: 'unpriced', cost_usd: null, model_served: 'house-model-unlisted' })
  })

  it("a real provider's answer is priced on the usage it reported, cached input tokens at their own rate", async () => {
    const { res, json, settled } = await call({ model: 'cheap', messages: [{ role: 'user', content: `cached tokens ${unique()}` }] })
    const usage = json.usage as { prompt_tokens: number; completion_tokens: number; prompt_tokens_details: { cached_tokens: number } }
    expect(usage.prompt_tokens_details.cached_tokens).toBeGreaterThan(0)
    const expected = priceUsage(
      { providerId: 'openai', model: 'gpt-4o-mini' },
      { inputTokens: usage.prompt_tokens, outputTokens: usage.completion_tokens, cachedInputTokens: usage.prompt_tokens_details.cached_tokens, reasoningTokens: 0 },
    )
    expect(expected.status).toBe('priced')
    expect(Number(res.headers.get('x-watchllm-cost-usd'))).toBe(expected.status === 'priced' ? expected.usd : NaN)
    await settled
    const event = await eventFor(res.headers.get('x-watchllm-request-id')!)
    expect(event).toMatchObject({ provider: 'openai-cached', price_status: 'priced', cached_tokens: usage.prompt_tokens_details.cached_tokens })
  })

  it('Queue send failing: the answer is served and the event is written straight to D1', async () => {
    const { res, settled } = await call({ model: 'house', messages: [{ role: 'user', content: 'queue down' }] }, { EVENTS: failingQueue() })
    expect(res.status).toBe(200)
    await settled
    const rows = (await d1Events(project)).filter((r) => r.request_id === res.headers.get('x-watchllm-request-id'))
    expect(rows).toHaveLength(1)
  })

  it('Queue and D1 both failing: the answer is served and the whole event is logged as a dead letter', async () => {
    const errors = vi.spyOn(console, 'error').mockImplementation(() => undefined)
    try {
      const { res, settled } = await call({ model: 'house', messages: [{ role: 'user', content: 'all down' }] }, { EVENTS: failingQueue(), DB: failingD1() })
      expect(res.status).toBe(200)
      await settled
      const lines = errors.mock.calls.map((c) => JSON.parse(String(c[0])) as { telemetry?: string; event?: { request_id: string } })
      const letter = lines.find((l) => l.telemetry === 'dead_letter')
      expect(letter?.event?.request_id).toBe(res.headers.get('x-watchllm-request-id'))
    } finally {
      errors.mockRestore()
    }
  })

  it('a queue that never answers does not hold the response back', async () => {
    const stuck = { send: () => new Promise<void>(() => undefined), sendBatch: () => new Promise<void>(() => undefined) } as unknown as Queue
    const ctx = createExecutionContext()
    const res = await app.fetch(
      new Request('http://gateway.test/v1/chat/completions', {
        method: 'POST',
        headers: { authorization: `Bearer ${KEY}`, 'content-type': 'application/json' },
        body: JSON.stringify({ model: 'house', messages: [{ role: 'user', content: 'stuck queue' }] }),
      }),
      { ...genv, EVENTS: stuck },
      ctx,
    )
    expect(res.status).toBe(200)
    expect(((await res.json()) as { object: string }).object).toBe('chat.completion')
  })

  it('a project that opted in keeps its prompt and answer, redacted: PII kinds, never values', async () => {
    const { res, settled } = await call(
      { model: 'house', messages: [{ role: 'system', content: 'Be brief.' }, { role: 'user', content: 'Mail bob@example.com, card 4111 1111 1111 1111' }] },
      {},
      `${KEY}_2`,
    )
    await settled
    const event = await eventFor(res.headers.get('x-watchllm-request-id')!)
    expect(event.prompt).toBe('system: Be brief.\nuser: Mail [email], card [card]')
    expect(event.answer).toBe('[mock] You said: Mail [email], card [card]')
    expect(JSON.stringify(event)).not.toContain('bob@example.com')
    expect(JSON.stringify(event)).not.toContain('4111')
  })

  it('with telemetry switched off there is no cost header and no event', async () => {
    const { res, settled } = await call({ model: 'house', messages: [{ role: 'user', content: 'off' }] }, { WATCHLLM_TELEMETRY: 'off' } as Partial<GatewayEnv>)
    await settled
    expect(res.headers.get('x-watchllm-cost-usd')).toBeNull()
    expect(await genv.DB.prepare('SELECT 1 FROM usage_events WHERE request_id = ?').bind(res.headers.get('x-watchllm-request-id')).first()).toBeNull()
  })
})
