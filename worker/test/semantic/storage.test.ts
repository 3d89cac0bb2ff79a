/**
 * What the semantic cache stores, and when it does not look: only complete 2xx chat answers are
 * kept (an upstream error or a cut stream never is), the exact cache's bypass / refresh controls
 * apply, ineligible requests are left alone, and a failing embedder only means "no semantic cache".
 */
import { beforeEach, describe, expect, it } from 'vitest'
import { paraphrasePair } from './paraphrases.ts'
import { ask, freshNamespace, gateway, KEY_STRICT, KEY_TOOLS, storedRows } from './harness.ts'

/** A question and a paraphrase the decision accepts, unique to the test. */
const pair = paraphrasePair

let g = gateway()
let headers: Record<string, string> = {}
beforeEach(() => {
  g = gateway()
  headers = freshNamespace()
})

describe('only complete 2xx answers are stored', () => {
  it('an upstream error is never cached, so it can never be served', async () => {
    const { cached, paraphrase } = pair()
    expect((await ask(g, cached, { headers, model: 'all-down' })).status).toBe(502)
    expect((await ask(g, paraphrase, { headers, model: 'all-down' })).status).toBe(502)
    expect((await ask(g, cached, { headers, model: 'bad-request' })).status).toBe(400)
    expect(await storedRows(cached)).toBe(0)
  })

  it('a stream cut midway is never cached', async () => {
    const { cached, paraphrase } = pair()
    await ask(g, cached, { headers, model: 'dies', stream: true }).catch(() => undefined)
    expect(await storedRows(cached)).toBe(0)
    await ask(g, paraphrase, { headers, model: 'dies', stream: true }).catch(() => undefined)
    expect(await storedRows(paraphrase)).toBe(0)
  })

  it('a complete stream is cached and serves a later JSON request', async () => {
    const { cached, paraphrase } = pair()
    // Read to its very end, as curl does. (The openai v7 client stops at [DONE] and cancels the
    // body before it closes, which the stream relay currently counts as a cut stream.)
    const res = await g.fetch('http://gateway.test/v1/chat/completions', {
      method: 'POST',
      headers: { authorization: 'Bearer lgw_semantic_project_a', 'content-type': 'application/json', ...headers },
      body: JSON.stringify({ model: 'gpt', stream: true, messages: [{ role: 'user', content: cached }] }),
    })
    expect(await res.text()).toContain('data: [DONE]')
    expect(await storedRows(cached)).toBe(1)
    expect(await ask(g, paraphrase, { headers })).toMatchObject({ cache: 'SEMANTIC', content: `You said: ${cached}` })
  })
})

describe('the exact cache controls apply', () => {
  it('no-store: nothing read, nothing stored', async () => {
    const { cached, paraphrase } = pair()
    expect((await ask(g, cached, { headers: { ...headers, 'cache-control': 'no-store' } })).cache).toBe('BYPASS')
    expect(await storedRows(cached)).toBe(0)
    expect((await ask(g, paraphrase, { headers })).cache).toBe('MISS')
  })

  it('bypass: a paraphrase of a cached question goes upstream', async () => {
    const { cached, paraphrase } = pair()
    await ask(g, cached, { headers })
    expect(await ask(g, paraphrase, { headers: { ...headers, 'x-watchllm-cache': 'bypass' } })).toMatchObject({ cache: 'BYPASS', content: `You said: ${paraphrase}` })
  })

  it('refresh: skips the lookup, stores the fresh answer (embedded after the response)', async () => {
    const { cached, paraphrase } = pair()
    await ask(g, cached, { headers })
    expect(await ask(g, paraphrase, { headers: { ...headers, 'x-watchllm-cache': 'refresh' } })).toMatchObject({ cache: 'MISS', content: `You said: ${paraphrase}` })
    expect(await storedRows(paraphrase)).toBe(1)
  })
})

describe('X-WatchLLM-Semantic-Threshold', () => {
  it('may raise the threshold (1 turns a hit into a MISS)', async () => {
    const { cached, paraphrase } = pair()
    await ask(g, cached, { headers })
    expect((await ask(g, paraphrase, { headers: { ...headers, 'x-watchllm-semantic-threshold': '0.5' } })).cache).toBe('SEMANTIC')
    expect((await ask(g, paraphrase, { headers: { ...headers, 'x-watchllm-semantic-threshold': '1' } })).cache).toBe('MISS')
  })

  it('may not lower the policy threshold', async () => {
    const { cached, paraphrase } = pair()
    await ask(g, cached, { headers, key: KEY_STRICT }) // policy threshold: 1
    expect((await ask(g, paraphrase, { headers: { ...headers, 'x-watchllm-semantic-threshold': '0' }, key: KEY_STRICT })).cache).toBe('MISS')
  })

  it('a malformed value is a 400 in the OpenAI error shape', async () => {
    const res = await g.client('lgw_semantic_project_a', { 'x-watchllm-semantic-threshold': 'high' }).chat.completions
      .create({ model: 'gpt', messages: [{ role: 'user', content: pair().cached }] })
      .catch((e: unknown) => e)
    expect(res).toMatchObject({ status: 400, error: { type: 'invalid_request_error', code: 'invalid_request' } })
  })
})

describe('eligibility and failure', () => {
  it('a request with tools is neither looked up nor stored unless the project allows tools', async () => {
    const { cached, paraphrase } = pair()
    const tools = [{ type: 'function' as const, function: { name: 'lookup_account', parameters: { type: 'object', properties: {} } } }]
    await ask(g, cached, { headers, params: { tools } })
    expect(await storedRows(cached)).toBe(0)
    await ask(g, cached, { headers, params: { tools }, key: KEY_TOOLS })
    expect((await ask(g, paraphrase, { headers, params: { tools }, key: KEY_TOOLS })).cache).toBe('SEMANTIC')
  })

  it('a prompt under min_prompt_chars is left to the exact cache', async () => {
    await ask(g, 'Hi?', { headers })
    expect(await storedRows('Hi?')).toBe(0)
  })

  it('an unreachable embedder means MISS, never an error', async () => {
    const { cached, paraphrase } = pair()
    await ask(g, cached, { headers })
    const down = gateway(undefined, { EMBEDDINGS_URL: 'http://127.0.0.1:9' })
    expect(await ask(down, paraphrase, { headers })).toMatchObject({ status: 200, cache: 'MISS', content: `You said: ${paraphrase}` })
  })

  it('embeddings calls are not semantically cached', async () => {
    const client = g.client('lgw_semantic_project_a', headers)
    const input = `Embed this sentence ${crypto.randomUUID().slice(0, 8)}`
    const { response } = await client.embeddings.create({ model: 'embed', input }).withResponse()
    expect(response.headers.get('x-watchllm-cache')).toBe('MISS')
    expect(await storedRows(input)).toBe(0)
  })
})
