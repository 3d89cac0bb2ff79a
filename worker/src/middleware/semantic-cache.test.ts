import { createExecutionContext, env, waitOnExecutionContext } from 'cloudflare:test'
import { Hono } from 'hono'
import { describe, expect, it } from 'vitest'
import type { AppEnv, GatewayEnv } from '../env.ts'
import { notFound, toErrorResponse } from '../errors.ts'
import { sha256Hex } from '../lib/hash.ts'
import { compilePolicy } from '../policy/compile.ts'
import { chatRequestSchema } from '../schemas/chat-request.ts'
import { authenticate } from './authenticate.ts'
import { callUpstream } from './call-upstream.ts'
import { exactCache } from './exact-cache.ts'
import { requestId } from './request-id.ts'
import { resolveRoute } from './resolve-route.ts'
import { semanticCache } from './semantic-cache.ts'
import { validate } from './validate.ts'
import { paraphrasePair } from '../../test/semantic/paraphrases.ts'

const KEY = 'lgw_semantic_stage'
const KEY_NO_EXACT = 'lgw_semantic_no_exact'
const compiled = await compilePolicy([
  {
    path: 'stage.yaml',
    text: `
providers:
  openai: { type: openai, api_key: { secret: FAKE_OPENAI_KEY }, base_url: { var: FAKE_OPENAI_URL } }
models:
  gpt: { targets: [{ provider: openai, model: gpt-4o-mini }] }
projects:
  p:
    keys: [{ id: p, sha256: ${sha256Hex(KEY)} }]
    cache: { exact: { store: none }, semantic: { enabled: true, threshold: 0.8, verification: { enabled: false } } }
  no-exact:
    keys: [{ id: n, sha256: ${sha256Hex(KEY_NO_EXACT)} }]
    cache: { exact: { enabled: false }, semantic: { enabled: true, threshold: 0.8, verification: { enabled: false } } }
`,
  },
])
if (!compiled.ok) throw new Error(JSON.stringify(compiled.error))
const policy = compiled.value

/** The pipeline's cache stages around the real upstream stage, counting calls to the embeddings endpoint. */
function stage() {
  const embeddingCalls: string[] = []
  const counting: typeof fetch = async (input, init) => {
    embeddingCalls.push(String(JSON.parse(String(init?.body)).input))
    return fetch(input, init)
  }
  const app = new Hono<AppEnv>()
  app.use('*', requestId())
  app.use('/v1/*', authenticate(policy))
  app.post('/v1/chat/completions', validate('chat', chatRequestSchema), resolveRoute(policy), exactCache(), semanticCache(policy, { fetch: counting }), callUpstream())
  app.onError(toErrorResponse)
  app.notFound(notFound)

  const send = async (content: string, headers: Record<string, string> = {}, key = KEY) => {
    const ctx = createExecutionContext()
    const res = await app.fetch(
      new Request('http://gateway.test/v1/chat/completions', {
        method: 'POST',
        headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json', ...headers },
        body: JSON.stringify({ model: 'gpt', messages: [{ role: 'user', content }] }),
      }),
      env as unknown as GatewayEnv,
      ctx,
    )
    await res.text()
    await waitOnExecutionContext(ctx)
    return { cache: res.headers.get('x-watchllm-cache'), similarity: res.headers.get('x-watchllm-similarity') }
  }
  return { send, embeddingCalls }
}

const question = paraphrasePair

describe('semanticCache', () => {
  it('embeds the question once per miss: the lookup’s vector is the one stored', async () => {
    const { send, embeddingCalls } = stage()
    const ns = { 'x-watchllm-cache-namespace': `n-${crypto.randomUUID().slice(0, 8)}` }
    const { cached, paraphrase } = question()
    expect((await send(cached, ns)).cache).toBe('MISS')
    expect(embeddingCalls).toEqual([cached])
    const hit = await send(paraphrase, ns)
    expect(hit).toMatchObject({ cache: 'SEMANTIC', similarity: expect.stringMatching(/^(0\.\d{4}|1\.0000)$/) })
    // The score the decision compared with the test policy's threshold (0.8).
    expect(Number(hit.similarity)).toBeGreaterThanOrEqual(0.8)
    expect(embeddingCalls).toEqual([cached, paraphrase])
  })

  it('does not embed at all for an exact hit, a bypass, or an ineligible prompt', async () => {
    const { send, embeddingCalls } = stage()
    const { cached } = question()
    await send(cached)
    expect((await send(cached)).cache).toBe('HIT') // L0
    expect((await send(cached, { 'x-watchllm-cache': 'bypass' })).cache).toBe('BYPASS')
    expect((await send('Hi?')).cache).toBe('MISS')
    expect(embeddingCalls).toEqual([cached])
  })

  it('a refresh embeds once, after the response, to store the fresh answer', async () => {
    const { send, embeddingCalls } = stage()
    const ns = { 'x-watchllm-cache-namespace': `n-${crypto.randomUUID().slice(0, 8)}` }
    const { cached, paraphrase } = question()
    expect((await send(cached, { ...ns, 'x-watchllm-cache': 'refresh' })).cache).toBe('MISS')
    expect(embeddingCalls).toEqual([cached])
    expect((await send(paraphrase, ns)).cache).toBe('SEMANTIC')
  })

  it('works with the exact cache disabled by policy: MISS, then SEMANTIC', async () => {
    const { send } = stage()
    const { cached, paraphrase } = question()
    expect((await send(cached, {}, KEY_NO_EXACT)).cache).toBe('MISS')
    expect((await send(paraphrase, {}, KEY_NO_EXACT)).cache).toBe('SEMANTIC')
  })
})
