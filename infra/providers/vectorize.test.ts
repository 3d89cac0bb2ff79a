import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, test, vi } from 'vitest'
import { startFakeCloudflare, type FakeCloudflare } from '../testing/fake-cloudflare-api.ts'
import { throughSerialization } from '../testing/serialized.ts'
import { VectorizeIndexProvider, type VectorizeIndexInputs, type VectorizeIndexOutputs } from './vectorize.ts'

const token = 'cf-test-token-vectorize'
let api: FakeCloudflare
let provider: VectorizeIndexProvider
let serializedText: string

const inputs = (over: Partial<VectorizeIndexInputs> = {}): VectorizeIndexInputs => ({
  accountId: 'acc123',
  name: 'watchllm-dev-semantic',
  dimensions: 768,
  metric: 'cosine',
  description: 'semantic cache',
  metadataIndexes: [
    { propertyName: 'project', indexType: 'string' },
    { propertyName: 'context', indexType: 'string' },
  ],
  ...over,
})

beforeAll(async () => {
  api = await startFakeCloudflare(token)
  const serialized = await throughSerialization(
    new VectorizeIndexProvider({ apiBaseUrl: api.url, retries: 2, retryDelayMs: 1, timeoutMs: 5000 }),
  )
  provider = serialized.provider
  serializedText = serialized.text
})
afterAll(() => api.close())
beforeEach(() => {
  vi.stubEnv('CLOUDFLARE_API_TOKEN', token)
  api.indexes.clear()
  api.requests.length = 0
})
afterEach(() => {
  vi.unstubAllEnvs()
})

async function created(over: Partial<VectorizeIndexInputs> = {}): Promise<VectorizeIndexOutputs> {
  const result = await provider.create(inputs(over))
  return result.outs as VectorizeIndexOutputs
}

describe('VectorizeIndexProvider (serialised, against a fake Cloudflare API)', () => {
  test('create makes the index with the embedder’s dimensions and metric, plus its metadata indexes', async () => {
    const result = await provider.create(inputs())
    expect(result.id).toBe('watchllm-dev-semantic')
    const index = api.indexes.get('watchllm-dev-semantic')
    expect(index?.config).toEqual({ dimensions: 768, metric: 'cosine' })
    expect(index?.metadataIndexes).toEqual([
      { propertyName: 'project', indexType: 'string' },
      { propertyName: 'context', indexType: 'string' },
    ])
    expect(result.outs).toMatchObject({ dimensions: 768, metric: 'cosine', createdOn: new Date(0).toISOString() })
  })

  test('create is idempotent: an existing index with the same config is adopted', async () => {
    await created()
    const again = await provider.create(inputs())
    expect(again.id).toBe('watchllm-dev-semantic')
    expect(api.indexes.size).toBe(1)
  })

  test('create refuses to adopt an existing index with other dimensions', async () => {
    await created({ dimensions: 384 })
    await expect(provider.create(inputs())).rejects.toThrow(/already exists with 384 dimensions\/cosine, not 768\/cosine/)
  })

  test('read reflects the live index, and reports a deleted one as gone', async () => {
    const outs = await created()
    api.indexes.get(outs.name)?.metadataIndexes.pop()
    const read = await provider.read?.(outs.name, outs)
    expect(read?.props?.metadataIndexes).toEqual([{ propertyName: 'project', indexType: 'string' }])
    api.indexes.delete(outs.name)
    expect(await provider.read?.(outs.name, outs)).toEqual({})
  })

  test('changing dimensions or metric replaces the index; metadata indexes update in place', async () => {
    const outs = await created()
    expect(await provider.diff?.(outs.name, outs, inputs({ dimensions: 1024 }))).toMatchObject({ changes: true, replaces: ['dimensions'] })
    expect(await provider.diff?.(outs.name, outs, inputs({ metric: 'euclidean' }))).toMatchObject({ replaces: ['metric'] })
    const renamedMeta = inputs({ metadataIndexes: [{ propertyName: 'model', indexType: 'string' }] })
    expect(await provider.diff?.(outs.name, outs, renamedMeta)).toEqual({ changes: true, replaces: [], deleteBeforeReplace: true })
    expect(await provider.diff?.(outs.name, outs, inputs())).toMatchObject({ changes: false })
  })

  test('update adds and removes metadata indexes to match', async () => {
    const outs = await created()
    const next = inputs({
      metadataIndexes: [
        { propertyName: 'project', indexType: 'string' },
        { propertyName: 'model', indexType: 'string' },
      ],
    })
    await provider.update?.(outs.name, outs, next)
    expect(api.indexes.get(outs.name)?.metadataIndexes).toEqual([
      { propertyName: 'project', indexType: 'string' },
      { propertyName: 'model', indexType: 'string' },
    ])
  })

  test('delete removes the index and is idempotent', async () => {
    const outs = await created()
    await provider.delete?.(outs.name, outs)
    expect(api.indexes.has(outs.name)).toBe(false)
    await expect(provider.delete?.(outs.name, outs)).resolves.toBeUndefined()
  })

  test('transient 5xx and 429 answers are retried', async () => {
    api.failNext(1, 503, { success: false, errors: [{ code: 10013, message: 'service unavailable' }] })
    api.failNext(1, 429, { success: false, errors: [{ code: 971, message: 'rate limited' }] })
    await created()
    expect(api.indexes.size).toBe(1)
    // The first call (the list) was answered twice with a transient failure, then went through.
    expect(api.requests.slice(0, 3).map((r) => `${r.method} ${r.path.split('/').slice(-1)[0]}`)).toEqual(['GET indexes', 'GET indexes', 'GET indexes'])
  })

  test('reads before it creates: an existing index is never POSTed again', async () => {
    await created()
    api.requests.length = 0
    await provider.create(inputs())
    expect(api.requests.filter((r) => r.method === 'POST' && r.path.endsWith('/indexes'))).toEqual([])
  })

  test('an index that appears between the list and the create (a refused POST, whatever its status) is adopted', async () => {
    // Another `up` created it just after this one listed: the list says none, the POST is refused with 400.
    api.indexes.set('watchllm-dev-semantic', { name: 'watchllm-dev-semantic', description: '', config: { dimensions: 768, metric: 'cosine' }, created_on: 'earlier', metadataIndexes: [] })
    api.failNext(1, 200, { success: true, errors: [], messages: [], result: [] })
    const result = await provider.create(inputs())
    expect(result.outs).toMatchObject({ createdOn: 'earlier' })
    expect(api.requests.map((r) => `${r.method} ${r.path.split('/').slice(-1)[0]}`).slice(0, 3)).toEqual(['GET indexes', 'POST indexes', 'GET indexes'])
  })

  test('a persistent 5xx fails after the bounded retries with Cloudflare’s message', async () => {
    api.failNext(3, 500, { success: false, errors: [{ code: 10002, message: 'internal error' }] })
    await expect(provider.create(inputs())).rejects.toThrow(/failed after 3 attempts: 500 \[10002\] internal error/)
  })

  test('a 4xx is not retried and names the API error, never the token', async () => {
    vi.stubEnv('CLOUDFLARE_API_TOKEN', 'wrong-token-value')
    const error = await provider.create(inputs()).catch((e: unknown) => e)
    expect(String(error)).toMatch(/403 \[10000\] Authentication error/)
    expect(String(error)).not.toContain('wrong-token-value')
  })

  test('without CLOUDFLARE_API_TOKEN it says which variable to set', async () => {
    vi.stubEnv('CLOUDFLARE_API_TOKEN', '')
    await expect(provider.create(inputs())).rejects.toThrow(/CLOUDFLARE_API_TOKEN is not set/)
  })

  test('check rejects what Vectorize would refuse', async () => {
    const result = await provider.check?.(inputs(), inputs({ name: 'Bad_Name', dimensions: 4096, metric: 'manhattan' as 'cosine' }))
    expect(result?.failures?.map((f) => f.property)).toEqual(['name', 'dimensions', 'metric'])
  })

  test('the serialised provider carries the API base URL but no token', () => {
    expect(serializedText).toContain(api.url)
    expect(serializedText).not.toContain(token)
  })
})
