/**
 * worker/wrangler.jsonc is the one source of truth for the Worker's bindings: the program binds
 * exactly what it declares (checked both ways, against an independent reading of the file) and
 * adapts when it declares more (Hyperdrive, Durable Objects, rate limits, …).
 */
import { readdir, readFile } from 'node:fs/promises'
import { join, relative } from 'node:path'
import { parse } from 'jsonc-parser'
import { afterAll, beforeAll, describe, expect, test, vi } from 'vitest'
import { startFakeCloudflare, type FakeCloudflare } from './testing/fake-cloudflare-api.ts'
import { T, accountId, allOn, core, dbPassword, fx, loadFixtures, scriptBindings, secrets, sha256 } from './testing/fixtures.ts'
import { reveal } from './testing/mocks.ts'
import { fakeBundleDir, runProgram, tempTree, type ProgramRun } from './testing/program.ts'
import { declaredBindingNames } from './testing/wrangler-names.ts'

beforeAll(loadFixtures)

describe('bindings: worker/wrangler.jsonc is the one source of truth', () => {
  test('with every optional part on, the Worker binds exactly the declared names (both ways)', async () => {
    const declared = await declaredBindingNames('worker/wrangler.jsonc')
    const run = await runProgram({ settings: allOn(), secrets: secrets({ supabaseDbPassword: dbPassword }) })
    const bound = scriptBindings(run).filter((b) => b.type !== 'secret_text').map((b) => b.name).sort()
    expect(bound).toEqual(declared.all)
    expect(run.outputs['unboundOptionalBindings']).toEqual([])
  })

  test('with optional parts off, the only declared names left unbound are those parts’ bindings', async () => {
    const declared = await declaredBindingNames('worker/wrangler.jsonc')
    const run = await runProgram({ settings: core(), secrets: secrets() })
    const bound = scriptBindings(run).filter((b) => b.type !== 'secret_text').map((b) => b.name)
    const unbound = run.outputs['unboundOptionalBindings'] as string[]
    expect([...bound, ...unbound].sort()).toEqual(declared.all)
    expect([...unbound].sort()).toEqual([...declared.byKind['vectorize']!, ...declared.byKind['hyperdrive']!].sort())
  })

  test('each binding points at this stack’s resource', async () => {
    const run = await runProgram({ settings: allOn(), secrets: secrets({ supabaseDbPassword: dbPassword }) })
    const byName = Object.fromEntries(scriptBindings(run).map((b) => [b.name, b]))
    expect(byName['CACHE_KV']).toEqual({ name: 'CACHE_KV', type: 'kv_namespace', namespaceId: 'gateway-cache-kv-id' })
    expect(byName['DB']).toEqual({ name: 'DB', type: 'd1', id: 'uuid-d1-db-d1' })
    expect(byName['EVENTS']).toEqual({ name: 'EVENTS', type: 'queue', queueName: 'watchllm-test-events' })
    expect(byName['VECTORS']).toEqual({ name: 'VECTORS', type: 'vectorize', indexName: 'watchllm-test-semantic' })
    expect(byName['HYPERDRIVE']).toEqual({ name: 'HYPERDRIVE', type: 'hyperdrive', id: 'supabase-hyperdrive-id' })
    expect(byName['AI']).toEqual({ name: 'AI', type: 'ai' })
    expect(byName['WATCHLLM_ENV']).toEqual({ name: 'WATCHLLM_ENV', type: 'plain_text', text: 'production' })
  })

  test('the bundle from wrangler’s --outdir is uploaded by path and hash, extra modules included, the source map not', async () => {
    const run = await runProgram({ settings: core(), secrets: secrets() })
    const script = run.one(T.script).inputs
    const main = await readFile(join(fx.bundleDir, 'index.js'))
    // By path relative to the program's directory (the same on every checkout) and by hash.
    expect(script).toMatchObject({ mainModule: 'index.js', contentFile: relative(process.cwd(), join(fx.bundleDir, 'index.js')), contentSha256: sha256(main.toString()) })
    expect(Object.keys(script['files'] as object)).toEqual(['tokenizer.wasm'])
    expect(await readdir(fx.bundleDir)).toContain('index.js.map')
  })

  test('a prebuilt bundle compiled from another policy is refused', async () => {
    const stale = await fakeBundleDir('export default {} // policy 0000')
    await expect(runProgram({ settings: { ...core(), build: { workerBundleDir: stale } }, secrets: secrets() })).rejects.toThrow(
      /was built from another policy than infra\/testing\/production-policy \(hash [0-9a-f]{12}…\): rebuild it/,
    )
  })

  test('cron triggers: exactly the schedules worker/wrangler.jsonc declares (read independently), on the gateway', async () => {
    const raw = parse(await readFile('worker/wrangler.jsonc', 'utf8')) as { triggers?: { crons?: string[] } }
    expect(raw.triggers?.crons?.length).toBeGreaterThan(0)
    const run = await runProgram({ settings: core(), secrets: secrets() })
    expect(run.one(T.cron).inputs).toEqual({ accountId, scriptName: 'watchllm-test-gateway', schedules: (raw.triggers?.crons ?? []).map((cron) => ({ cron })) })
  })

  test('the scope ledgers: a Durable Object binding, its SQLite class created by the first deploy’s migration', async () => {
    const run = await runProgram({ settings: core(), secrets: secrets() })
    expect(scriptBindings(run).find((b) => b.name === 'LEDGER')).toEqual({ name: 'LEDGER', type: 'durable_object_namespace', className: 'ScopeLedger' })
    expect(run.one(T.script).inputs['migrations']).toEqual({ newTag: 'v1', steps: [{ newSqliteClasses: ['ScopeLedger'] }] })
  })

  test('queue consumers take their settings from wrangler.jsonc, with the dead-letter queue', async () => {
    const run = await runProgram({ settings: core(), secrets: secrets() })
    const events = run.ofType(T.consumer).find((c) => c.name === 'gateway-consumer-events')
    expect(events?.inputs).toEqual({
      accountId,
      queueId: 'queue-id-gateway-q-events',
      scriptName: 'watchllm-test-gateway',
      type: 'worker',
      deadLetterQueue: 'watchllm-test-events-dlq',
      settings: { batchSize: 100, maxRetries: 5, maxWaitTimeMs: 2000 },
    })
    expect(run.ofType(T.queue).map((q) => q.inputs['queueName'])).toEqual(['watchllm-test-events', 'watchllm-test-events-dlq'])
  })
})

describe('bindings adapt to what wrangler.jsonc declares', () => {
  const fixture = `// a later wrangler.jsonc: comments and trailing commas are fine
  {
    "name": "watchllm-gateway",
    "main": "src/index.ts",
    "compatibility_date": "2026-11-01",
    "vars": { "WATCHLLM_ENV": "production", "FEATURES": { "beta": true } },
    "kv_namespaces": [{ "binding": "CACHE_KV", "id": "x" }],
    "d1_databases": [{ "binding": "DB", "database_name": "watchllm", "database_id": "x", "migrations_dir": "d1" }],
    "queues": {
      "producers": [{ "binding": "EVENTS", "queue": "watchllm-events" }],
      "consumers": [{ "queue": "watchllm-events", "max_batch_size": 10, "dead_letter_queue": "watchllm-events-dlq" }],
    },
    "hyperdrive": [{ "binding": "HYPERDRIVE", "id": "x" }],
    "ai": { "binding": "AI" },
    "vectorize": [{ "binding": "VECTORS", "index_name": "watchllm-semantic" }],
    "durable_objects": { "bindings": [{ "name": "BUDGETS", "class_name": "BudgetCounter" }] },
    "migrations": [
      { "tag": "v1", "new_sqlite_classes": ["BudgetCounter"] },
      { "tag": "v2", "new_sqlite_classes": ["SessionCounter"] },
    ],
    "ratelimits": [{ "name": "RATE_LIMITER", "namespace_id": "1001", "simple": { "limit": 100, "period": 60 } }],
    "version_metadata": { "binding": "VERSION" },
  }`
  const cfToken = 'cf-token-for-the-do-tag-lookup'
  let api: FakeCloudflare
  let dir = ''
  beforeAll(async () => {
    api = await startFakeCloudflare(cfToken)
    vi.stubEnv('CLOUDFLARE_API_TOKEN', cfToken)
    dir = await tempTree({
      'wrangler.jsonc': fixture,
      'd1/0001_a.sql': 'CREATE TABLE a (x);',
      'd1/0002_b.sql': 'CREATE TABLE b (y);',
      'r2/wrangler.jsonc': fixture.replace('"kv_namespaces"', '"r2_buckets": [{ "binding": "FILES", "bucket_name": "f" }], "kv_namespaces"'),
    })
  })
  afterAll(async () => {
    vi.unstubAllEnvs()
    await api.close()
  })
  const run = (wranglerConfig: string, settings: Record<string, unknown> = {}): Promise<ProgramRun> =>
    runProgram({
      settings: {
        ...allOn(),
        ...settings,
        api: { cloudflare: api.url },
        build: { ...(allOn()['build'] as object), wranglerConfig },
      },
      secrets: secrets({ supabaseDbPassword: dbPassword }),
    })

  test('HYPERDRIVE, a Durable Object, a rate limit, a JSON var and version metadata are bound as declared (both ways)', async () => {
    api.scripts.set('watchllm-test-gateway', 'v1')
    const result = await run(join(dir, 'wrangler.jsonc'))
    const bindings = scriptBindings(result).filter((b) => b.type !== 'secret_text')
    expect(bindings.map((b) => b.name).sort()).toEqual((await declaredBindingNames(join(dir, 'wrangler.jsonc'))).all)
    const byName = Object.fromEntries(bindings.map((b) => [b.name, b]))
    expect(byName['HYPERDRIVE']).toEqual({ name: 'HYPERDRIVE', type: 'hyperdrive', id: 'supabase-hyperdrive-id' })
    expect(byName['BUDGETS']).toEqual({ name: 'BUDGETS', type: 'durable_object_namespace', className: 'BudgetCounter' })
    expect(byName['RATE_LIMITER']).toEqual({ name: 'RATE_LIMITER', type: 'ratelimit', namespaceId: '1001', simple: { limit: 100, period: 60 } })
    expect(byName['FEATURES']).toEqual({ name: 'FEATURES', type: 'json', json: '{"beta":true}' })
    expect(byName['VERSION']).toEqual({ name: 'VERSION', type: 'version_metadata' })
  })

  test('only the Durable Object migrations after the deployed tag are uploaded', async () => {
    api.scripts.set('watchllm-test-gateway', 'v1')
    expect((await run(join(dir, 'wrangler.jsonc'))).one(T.script).inputs['migrations']).toEqual({
      oldTag: 'v1',
      newTag: 'v2',
      steps: [{ newSqliteClasses: ['SessionCounter'] }],
    })
    api.scripts.clear()
    expect((await run(join(dir, 'wrangler.jsonc'))).one(T.script).inputs['migrations']).toEqual({
      newTag: 'v2',
      steps: [{ newSqliteClasses: ['BudgetCounter'] }, { newSqliteClasses: ['SessionCounter'] }],
    })
  })

  test('D1 migrations come from the declared migrations_dir, in order, with their hashes', async () => {
    const files = reveal((await run(join(dir, 'wrangler.jsonc'))).one(T.d1Migrations).inputs['migrations']) as { name: string; sha256: string }[]
    expect(files.map((f) => [f.name, f.sha256])).toEqual([
      ['0001_a.sql', sha256('CREATE TABLE a (x);')],
      ['0002_b.sql', sha256('CREATE TABLE b (y);')],
    ])
  })

  test('a binding kind infra cannot provision stops the program', async () => {
    await expect(run(join(dir, 'r2', 'wrangler.jsonc'))).rejects.toThrow(/declares r2_buckets, which infra\/ does not provision/)
  })

  test('an optional part turned on without its binding declared is refused', async () => {
    const noHyperdrive = await tempTree({ 'wrangler.jsonc': fixture.replace('"hyperdrive": [{ "binding": "HYPERDRIVE", "id": "x" }],', '') })
    await expect(run(join(noHyperdrive, 'wrangler.jsonc'))).rejects.toThrow(/supabase.enabled is true, but .* declares no hyperdrive binding/)
  })
})
