import { describe, expect, test } from 'vitest'
import { buildUnderMocks, secretness } from '../testing/component.ts'
import { Database } from './Database.ts'
import { VectorIndex } from './VectorIndex.ts'

describe('Database', () => {
  test('a D1 database whose id is only handed out after its migrations ran', async () => {
    const migrations = [{ name: '0001_telemetry.sql', sha256: 'a', sql: 'CREATE TABLE t (x);' }]
    const built = await buildUnderMocks((opts) => new Database('d1', { accountId: 'acc', databaseName: 'watchllm-dev', migrations, primaryLocationHint: 'weur' }, opts))
    expect(built.propsOf('cloudflare:index/d1Database:D1Database')).toEqual({ accountId: 'acc', name: 'watchllm-dev', primaryLocationHint: 'weur' })
    expect(built.resources.find((r) => r.type === 'pulumi-nodejs:dynamic/watchllm:D1Migrations')?.inputs).toMatchObject({ accountId: 'acc', databaseId: 'uuid-d1-d1', migrations })
    // The id output depends on the migrations resource, so the Worker binding it waits for the schema.
    const deps = await (built.component.databaseId as unknown as { allResources?: () => Promise<Set<{ constructor: { name: string } }>> }).allResources?.()
    expect([...(deps ?? [])].map((r) => r.constructor.name).sort()).toEqual(['D1Database', 'D1Migrations'])
    expect((await secretness(built.component.databaseId)).value).toBe('uuid-d1-d1')
  })
})

describe('VectorIndex', () => {
  test('dimensions and metric come from the embedder’s shape; cache metadata is indexed', async () => {
    const built = await buildUnderMocks((opts) =>
      new VectorIndex('vectors', { accountId: 'acc', indexName: 'watchllm-dev-semantic', embedder: '@cf/baai/bge-small-en-v1.5', shape: { dimensions: 384, metric: 'cosine' } }, opts),
    )
    const index = built.resources.find((r) => r.type === 'pulumi-nodejs:dynamic/watchllm:VectorizeIndex')?.inputs
    expect(index).toMatchObject({
      name: 'watchllm-dev-semantic',
      dimensions: 384,
      metric: 'cosine',
      description: 'WatchLLM semantic cache (@cf/baai/bge-small-en-v1.5)',
      metadataIndexes: [
        { propertyName: 'project', indexType: 'string' },
        { propertyName: 'model', indexType: 'string' },
        { propertyName: 'context', indexType: 'string' },
      ],
    })
    expect(typeof index?.['__provider']).toBe('string')
  })
})
