import { env } from 'cloudflare:workers'
import { describe, expect, it } from 'vitest'
import type { GatewayEnv } from '../../env.ts'
import type { ProviderPolicy } from '../../policy/schema.ts'
import { embedderFor, LOCAL_EMBEDDING_MODEL } from './embedder.ts'
import { openAiEmbedder } from './openai-embedder.ts'
import { dot } from './quantize.ts'
import { workersAiEmbedder } from './workers-ai-embedder.ts'

const gatewayEnv = env as unknown as GatewayEnv
const auto = { type: 'auto' as const, timeout_ms: 5_000 }
const providers: Record<string, ProviderPolicy> = {
  openai: { type: 'openai', api_key: { secret: 'FAKE_OPENAI_KEY' }, base_url: { var: 'FAKE_OPENAI_URL' }, failover_on_auth_error: false },
  unset: { type: 'openai', api_key: { secret: 'NOT_SET_ANYWHERE' }, failover_on_auth_error: false },
  mock: { type: 'mock', failover_on_auth_error: false },
}

describe('embedderFor', () => {
  it('auto picks the local endpoint when Workers AI is not bound, and nothing when neither is', () => {
    expect(embedderFor(auto, providers, gatewayEnv)?.id).toBe(`local:${LOCAL_EMBEDDING_MODEL}`)
    expect(embedderFor(auto, providers, { ...gatewayEnv, EMBEDDINGS_URL: undefined })).toBeUndefined()
    expect(embedderFor({ ...auto, type: 'workers-ai' }, providers, gatewayEnv)).toBeUndefined()
  })

  it('a policy provider needs its secret set and an OpenAI-shaped /embeddings (never the mock)', () => {
    const pick = (provider: string) => embedderFor({ type: 'provider', provider, model: 'text-embedding-3-small', timeout_ms: 1000 }, providers, gatewayEnv)
    expect(pick('openai')?.id).toBe('provider:openai:text-embedding-3-small')
    expect(pick('unset')).toBeUndefined()
    expect(pick('mock')).toBeUndefined()
    expect(pick('missing')).toBeUndefined()
  })
})

describe('the local embedder (the real USE-lite endpoint)', () => {
  const local = () => embedderFor(auto, providers, gatewayEnv)

  it('returns one 512-d unit vector per text, closer for a paraphrase than for another question', async () => {
    const [a, b, c] = (await local()?.embed(['How do I reset my password?', 'How can I reset my password?', 'What is the capital of France?'])) ?? []
    expect(a?.length).toBe(512)
    if (!a || !b || !c) return
    expect(dot(a, a)).toBeCloseTo(1, 4)
    expect(dot(a, b)).toBeGreaterThan(0.95)
    expect(dot(a, c)).toBeLessThan(dot(a, b) - 0.3)
  })

  it('refuses an endpoint serving another model than the one asked for', async () => {
    const other = openAiEmbedder({ id: 'x', baseUrl: `${gatewayEnv.EMBEDDINGS_URL}/v1`, model: 'some-other-model', timeoutMs: 5_000, requireModel: true })
    await expect(other.embed(['How do I reset my password?'])).rejects.toThrow(/serves use-lite-512/)
  })

  it('gives up after its timeout', async () => {
    const hanging: typeof fetch = (_input, init) =>
      new Promise((_, reject) => init?.signal?.addEventListener('abort', () => reject(new Error('aborted'))))
    const slow = openAiEmbedder({ id: 'x', baseUrl: 'http://127.0.0.1:9/v1', model: 'm', timeoutMs: 50, fetch: hanging })
    const started = Date.now()
    await expect(slow.embed(['hello there'])).rejects.toThrow()
    expect(Date.now() - started).toBeLessThan(2_000)
  })
})

describe('the Workers AI embedder', () => {
  // The AI binding's documented output shape for bge models: { shape, data: number[][] }.
  const binding = (output: unknown, calls: unknown[] = []) => ({ run: async (...args: unknown[]) => (calls.push(args), output) }) as unknown as Ai

  it('asks bge-base for every text and brings the vectors to unit length', async () => {
    const calls: unknown[] = []
    const e = workersAiEmbedder(binding({ shape: [1, 2], data: [[3, 4]] }, calls))
    expect(e.id).toBe('workers-ai:@cf/baai/bge-base-en-v1.5')
    const [v] = await e.embed(['hi'])
    expect(Array.from(v ?? [])).toEqual([Math.fround(0.6), Math.fround(0.8)])
    expect(calls).toEqual([['@cf/baai/bge-base-en-v1.5', { text: ['hi'] }]])
  })

  it('rejects an answer of the wrong shape or count', async () => {
    await expect(workersAiEmbedder(binding({ response: 'text' })).embed(['hi'])).rejects.toThrow(/unexpected shape/)
    await expect(workersAiEmbedder(binding({ data: [] })).embed(['hi'])).rejects.toThrow(/wrong number/)
  })
})
