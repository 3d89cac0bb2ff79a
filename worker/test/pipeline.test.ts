/**
 * The whole pipeline in workerd against the fake upstreams (real wire formats) and the Upstash
 * shim over a real redis-server: failover, caches and their isolation, and every bad input.
 */
import OpenAI from 'openai'
import { describe, expect, it } from 'vitest'
import { createApp } from '../src/app.ts'
import type { GatewayEnv } from '../src/env.ts'
import { sha256Hex } from '../src/lib/hash.ts'
import { compilePolicy } from '../src/policy/compile.ts'
import { driveGateway } from './drive-gateway.ts'

const KEY_A = 'lgw_test_project_a'
const KEY_B = 'lgw_test_project_b'
const KEY_LOCAL = 'lgw_test_local_only'

const policyYaml = `
providers:
  openai: { type: openai, api_key: { secret: FAKE_OPENAI_KEY }, base_url: { var: FAKE_OPENAI_URL } }
  anthropic: { type: anthropic, api_key: { secret: FAKE_ANTHROPIC_KEY }, base_url: { var: FAKE_ANTHROPIC_URL } }
  groq: { type: groq, api_key: { secret: FAKE_GROQ_KEY }, base_url: { var: FAKE_GROQ_URL } }
  unconfigured: { type: openai, api_key: { secret: NOT_SET_ANYWHERE } }
models:
  primary-503:
    targets: [{ provider: openai, model: fail-503 }, { provider: anthropic, model: claude-haiku-4-5 }]
  primary-slow:
    targets: [{ provider: openai, model: slow-3000, timeout_ms: 300 }, { provider: groq, model: llama-3.1-8b-instant }]
  bad-request:
    targets: [{ provider: openai, model: fail-400 }, { provider: groq, model: llama-3.1-8b-instant }]
  all-down:
    targets: [{ provider: openai, model: fail-500 }, { provider: groq, model: fail-503 }]
  skips-unconfigured:
    targets: [{ provider: unconfigured, model: x }, { provider: openai, model: gpt-4o-mini }]
  gpt: { targets: [{ provider: openai, model: gpt-4o-mini }] }
  dies: { targets: [{ provider: openai, model: die-3 }] }
  claude-tools: { targets: [{ provider: anthropic, model: tools }] }
  embed: { kind: embeddings, targets: [{ provider: openai, model: text-embedding-3-small }] }
projects:
  a:
    keys: [{ id: a-key, sha256: ${sha256Hex(KEY_A)} }]
    cache: { exact: { store: redis } }
  b:
    keys: [{ id: b-key, sha256: ${sha256Hex(KEY_B)} }]
    models: [gpt, embed]
    request: { max_body_bytes: 2048 }
    cache: { exact: { store: kv } }
  local:
    keys: [{ id: dev, sha256: ${sha256Hex(KEY_LOCAL)}, local_only: true }]
`

const compiled = await compilePolicy([{ path: 'test.yaml', text: policyYaml }])
if (!compiled.ok) throw new Error(JSON.stringify(compiled.error))
const policy = compiled.value

/** One app = one isolate's L0; a second app shares only L1 (Redis/KV), like another isolate. */
const gateway = (app = createApp(policy), overrides: Partial<GatewayEnv> = {}) => driveGateway(app, KEY_A, overrides)

const post = (g: ReturnType<typeof gateway>, body: unknown, headers: Record<string, string> = {}, key = KEY_A) =>
  g.fetch('http://gateway.test/v1/chat/completions', {
    method: 'POST',
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  })
const ask = (model: string, content = `q ${crypto.randomUUID()}`) => ({ model, messages: [{ role: 'user', content }] })
const errorOf = async (res: Response) => ((await res.json()) as { error: { message: string; type: string; param: string | null; code: string } }).error

describe('failover', () => {
  it('answers from the fallback when the primary returns 503, and the header names it', async () => {
    const { data, response } = await gateway().client().chat.completions.create(ask('primary-503') as never).withResponse()
    expect(response.headers.get('x-watchllm-provider')).toBe('anthropic')
    expect(response.headers.get('x-watchllm-model')).toBe('claude-haiku-4-5')
    expect((data as OpenAI.ChatCompletion).choices[0]?.message.content).toContain('You said')
  })

  it('answers from the fallback when the primary times out', async () => {
    const started = Date.now()
    const res = await post(gateway(), ask('primary-slow'))
    expect(res.status).toBe(200)
    expect(res.headers.get('x-watchllm-provider')).toBe('groq')
    expect(Date.now() - started).toBeLessThan(2500)
  })

  it('also fails over on a stream, before any byte reaches the client', async () => {
    const stream = await gateway().client().chat.completions.create({ ...ask('primary-503'), stream: true } as never)
    let text = ''
    for await (const chunk of stream as unknown as AsyncIterable<OpenAI.ChatCompletionChunk>) text += chunk.choices[0]?.delta.content ?? ''
    expect(text).toContain('You said')
  })

  it('returns the provider’s 400 to the client without failing over', async () => {
    const res = await post(gateway(), ask('bad-request'))
    expect(res.status).toBe(400)
    const error = await errorOf(res)
    expect(error.type).toBe('invalid_request_error')
    expect(error.message).toContain('openai')
  })

  it('answers 502 in the OpenAI shape when every target fails, and never caches it', async () => {
    const g = gateway()
    const body = ask('all-down', 'same failing question')
    const first = await post(g, body)
    expect(first.status).toBe(502)
    expect(await errorOf(first)).toMatchObject({ type: 'upstream_error', code: 'upstream_error' })
    const second = await post(g, body)
    expect(second.status).toBe(502)
  })

  it('skips a target whose provider secret is not set', async () => {
    const res = await post(gateway(), ask('skips-unconfigured'))
    expect(res.status).toBe(200)
    expect(res.headers.get('x-watchllm-provider')).toBe('openai')
  })
})

describe('exact cache', () => {
  it('serves a hit from Upstash Redis (L1) to another isolate', async () => {
    const body = ask('gpt')
    expect((await post(gateway(), body)).headers.get('x-watchllm-cache')).toBe('MISS')
    const other = await post(gateway(), body) // fresh app: empty L0
    expect(other.headers.get('x-watchllm-cache')).toBe('HIT')
    expect(other.headers.get('x-watchllm-provider')).toBe('openai')
  })

  it('serves a hit from KV (L1) to another isolate', async () => {
    const body = ask('gpt')
    expect((await post(gateway(), body, {}, KEY_B)).headers.get('x-watchllm-cache')).toBe('MISS')
    expect((await post(gateway(), body, {}, KEY_B)).headers.get('x-watchllm-cache')).toBe('HIT')
  })

  it('never shares entries between projects or namespaces', async () => {
    const g = gateway()
    const body = ask('gpt')
    await post(g, body)
    expect((await post(g, body)).headers.get('x-watchllm-cache')).toBe('HIT')
    expect((await post(g, body, {}, KEY_B)).headers.get('x-watchllm-cache')).toBe('MISS')
    expect((await post(g, body, { 'x-watchllm-cache-namespace': 'team-2' })).headers.get('x-watchllm-cache')).toBe('MISS')
  })

  it('honours no-store (BYPASS, nothing stored) and refresh (fresh answer stored)', async () => {
    const g = gateway()
    const body = ask('gpt')
    expect((await post(g, body, { 'cache-control': 'no-store' })).headers.get('x-watchllm-cache')).toBe('BYPASS')
    expect((await post(g, body)).headers.get('x-watchllm-cache')).toBe('MISS')
    expect((await post(g, body, { 'x-watchllm-cache': 'refresh' })).headers.get('x-watchllm-cache')).toBe('MISS')
    expect((await post(g, body)).headers.get('x-watchllm-cache')).toBe('HIT')
  })

  it('does not store a stream that broke midway', async () => {
    const g = gateway()
    const body = { ...ask('dies'), stream: true }
    const first = await post(g, body)
    await first.text().catch(() => '')
    const second = await post(g, body)
    expect(second.headers.get('x-watchllm-cache')).toBe('MISS')
    await second.text().catch(() => '')
  })

  it('caches embeddings', async () => {
    const g = gateway()
    const client = g.client(KEY_B)
    const input = `embed ${crypto.randomUUID()}`
    const first = await client.embeddings.create({ model: 'embed', input }).withResponse()
    const second = await client.embeddings.create({ model: 'embed', input }).withResponse()
    expect(first.response.headers.get('x-watchllm-cache')).toBe('MISS')
    expect(second.response.headers.get('x-watchllm-cache')).toBe('HIT')
    expect(second.data.data[0]?.embedding).toEqual(first.data.data[0]?.embedding)
  })
})

describe('an Anthropic stream with tool use, through the gateway', () => {
  it('arrives as OpenAI chunks the openai SDK assembles into a tool call', async () => {
    const stream = gateway().client().chat.completions.stream({
      model: 'claude-tools',
      messages: [{ role: 'user', content: `weather in Oslo? ${crypto.randomUUID()}` }],
      tools: [{ type: 'function', function: { name: 'get_weather', parameters: { type: 'object', properties: { city: { type: 'string' } } } } }],
    })
    const final = await stream.finalChatCompletion()
    const choice = final.choices[0]
    expect(choice?.finish_reason).toBe('tool_calls')
    const call = choice?.message.tool_calls?.[0]
    expect(call?.type).toBe('function')
    if (call?.type !== 'function') return
    expect(call.id).toMatch(/^toolu_/)
    expect(JSON.parse(call.function.arguments)).toBeTypeOf('object')
  })
})

describe('bad input is a clear 4xx in the OpenAI shape, never a 500', () => {
  const g = gateway()

  it('accepts the key as x-api-key too', async () => {
    const res = await g.fetch('http://gateway.test/v1/models', { headers: { 'x-api-key': KEY_A } })
    expect(res.status).toBe(200)
  })

  it('refuses a local-only key outside WATCHLLM_ENV=local', async () => {
    const prod = gateway(createApp(policy), { WATCHLLM_ENV: 'production' } as Partial<GatewayEnv>)
    expect((await post(prod, ask('gpt'), {}, KEY_LOCAL)).status).toBe(401)
    expect((await post(gateway(), ask('gpt'), {}, KEY_LOCAL)).status).toBe(200)
  })

  it.each([
    ['no key', {}, ask('gpt'), 401, 'missing_api_key', null],
    ['unknown model', {}, ask('gpt-9'), 404, 'model_not_found', 'model'],
    ['a model the project may not use', { key: KEY_B }, ask('primary-503'), 403, 'model_not_allowed', 'model'],
    ['a chat call to an embeddings model', {}, ask('embed'), 400, 'wrong_endpoint', 'model'],
    ['a bad role', {}, { model: 'gpt', messages: [{ role: 'robot', content: 'x' }] }, 400, 'invalid_request', 'messages.0.role'],
    ['no messages', {}, { model: 'gpt', messages: [] }, 400, 'invalid_request', 'messages'],
    ['temperature out of range', {}, { ...ask('gpt'), temperature: 7 }, 400, 'invalid_request', 'temperature'],
    ['a JSON array body', {}, '[1,2]', 400, 'invalid_request', null],
    ['truncated JSON', {}, '{"model":', 400, 'invalid_json', null],
    ['a body over the project limit', { key: KEY_B }, ask('gpt', 'x'.repeat(4096)), 413, 'payload_too_large', null],
    ['a bad cache namespace', { headers: { 'x-watchllm-cache-namespace': 'a b' } }, ask('gpt'), 400, 'invalid_request', null],
  ])('%s', async (_, opts: { key?: string; headers?: Record<string, string> }, body, status, code, param) => {
    const headers = { ...(opts.headers ?? {}) }
    const res =
      code === 'missing_api_key'
        ? await g.fetch('http://gateway.test/v1/chat/completions', { method: 'POST', body: JSON.stringify(body) })
        : await post(g, body, headers, opts.key ?? KEY_A)
    expect(res.status).toBe(status)
    const error = await errorOf(res)
    expect(error.code).toBe(code)
    expect(error.param).toBe(param)
    expect(error.message.length).toBeGreaterThan(5)
  })

  it('answers an unknown path with 404 and a wrong content type with 415', async () => {
    expect((await g.fetch('http://gateway.test/v2/nothing')).status).toBe(404)
    const res = await post(g, ask('gpt'), { 'content-type': 'application/x-www-form-urlencoded' })
    expect(res.status).toBe(415)
  })
})
