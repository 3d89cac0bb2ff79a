import { createHash } from 'node:crypto'
import { afterAll, beforeAll, beforeEach, describe, expect, test, vi } from 'vitest'
import { readMigrationFiles } from '../lib/migration-files.ts'
import { startFakeSupabase, type FakeSupabase } from '../testing/fake-supabase-api.ts'
import { tableNames } from '../testing/fake-sql.ts'
import { throughSerialization } from '../testing/serialized.ts'
import { createTestDatabase, type TestDatabase } from '../testing/test-postgres.ts'
import type { MigrationFile } from './migrations.ts'
import { SupabaseMigrationsProvider, type SupabaseMigrationsOutputs } from './supabase-migrations.ts'
import { SupabaseProjectProvider } from './supabase-project.ts'

const token = 'sbp_test_token_migrations'
let api: FakeSupabase
let provider: SupabaseMigrationsProvider
let ref = ''

const m = (name: string, sql: string): MigrationFile => ({ name, sql, sha256: `sha-${name}-${sql.length}` })
const first = m('0001_usage.sql', 'CREATE TABLE usage_events (id text PRIMARY KEY, cost_usd numeric);')
const second = m('0002_index.sql', 'CREATE INDEX usage_cost ON usage_events (cost_usd)\n-- trailing comment')
const recorded = (): unknown[] => api.projects.get(ref)?.db.prepare('SELECT name, sha256 FROM watchllm_schema_migrations ORDER BY name').all() ?? []

beforeAll(async () => {
  api = await startFakeSupabase(token)
  vi.stubEnv('SUPABASE_ACCESS_TOKEN', token)
  const options = { apiBaseUrl: api.url, retries: 1, retryDelayMs: 1, timeoutMs: 5000, pollIntervalMs: 1, readyTimeoutMs: 5000 }
  provider = (await throughSerialization(new SupabaseMigrationsProvider(options))).provider
  api.setPollsUntilHealthy(1)
  ref = (await new SupabaseProjectProvider(options).create({ name: 'm', organizationId: 'o', region: 'us-east-1', dbPassword: 'x'.repeat(20) })).id
})
afterAll(async () => {
  vi.unstubAllEnvs()
  await api.close()
})
beforeEach(() => {
  const db = api.projects.get(ref)?.db
  for (const t of db ? tableNames(db) : []) db?.exec(`DROP TABLE ${t}`)
})

describe('SupabaseMigrationsProvider (serialised, against the fake query endpoint)', () => {
  test('create applies the files in order and records name and hash', async () => {
    const result = await provider.create({ projectRef: ref, migrations: [first, second] })
    expect(recorded()).toEqual([
      { name: '0001_usage.sql', sha256: first.sha256 },
      { name: '0002_index.sql', sha256: second.sha256 },
    ])
    expect(result.outs?.applied).toEqual(recorded())
  })

  test('it is idempotent: a second run applies nothing', async () => {
    await provider.create({ projectRef: ref, migrations: [first] })
    const before = api.requests.length
    await provider.create({ projectRef: ref, migrations: [first] })
    const queries = api.requests.slice(before).map((r) => String((r.body as { query: string }).query))
    expect(queries.some((q) => q.includes('usage_events ('))).toBe(false)
  })

  test('a failing file rolls back entirely: no table, no record', async () => {
    const bad = m('0002_bad.sql', 'CREATE TABLE half_done (a int);\nSELECT * FROM missing_table;')
    await expect(provider.create({ projectRef: ref, migrations: [first, bad] })).rejects.toThrow(
      /migration 0002_bad.sql failed: .*400 Failed to run sql query: no such table: missing_table/,
    )
    const db = api.projects.get(ref)?.db
    expect(db ? tableNames(db) : []).not.toContain('half_done')
    expect(recorded()).toEqual([{ name: '0001_usage.sql', sha256: first.sha256 }])
  })

  test('update applies new files and refuses an edited applied one (hash in the tracking table)', async () => {
    const outs = (await provider.create({ projectRef: ref, migrations: [first] })).outs as SupabaseMigrationsOutputs
    expect(await provider.diff?.('id', outs, { projectRef: ref, migrations: [first, second] })).toEqual({ changes: true, replaces: [] })
    await provider.update?.('id', outs, { projectRef: ref, migrations: [first, second] })
    expect(recorded()).toHaveLength(2)
    const edited = { ...first, sha256: 'edited' }
    await expect(provider.update?.('id', outs, { projectRef: ref, migrations: [edited, second] })).rejects.toThrow(/changed after it was applied/)
  })

  test('read lists what the database has applied', async () => {
    const outs = (await provider.create({ projectRef: ref, migrations: [first] })).outs as SupabaseMigrationsOutputs
    expect((await provider.read?.('id', outs))?.props?.applied).toEqual([{ name: '0001_usage.sql', sha256: first.sha256 }])
  })
})

describe('SupabaseMigrationsProvider on real Postgres (the repository’s worker/migrations/postgres)', () => {
  let pgApi: FakeSupabase
  let db: TestDatabase
  let pg: SupabaseMigrationsProvider
  let pgRef = ''
  const pgToken = 'sbp_test_token_real_postgres'

  beforeAll(async () => {
    db = await createTestDatabase()
    pgApi = await startFakeSupabase(pgToken, db.executor)
    const options = { apiBaseUrl: pgApi.url, retries: 0, retryDelayMs: 1, timeoutMs: 10_000, pollIntervalMs: 1, readyTimeoutMs: 5000 }
    pgApi.setPollsUntilHealthy(1)
    vi.stubEnv('SUPABASE_ACCESS_TOKEN', pgToken)
    pgRef = (await new SupabaseProjectProvider(options).create({ name: 'pg', organizationId: 'o', region: 'us-east-1', dbPassword: 'x'.repeat(20) })).id
    pg = (await throughSerialization(new SupabaseMigrationsProvider(options))).provider
  })
  afterAll(async () => {
    await pgApi.close()
    await db.drop()
  })

  test('they apply, are recorded with their hashes, and a second run is a no-op', async () => {
    vi.stubEnv('SUPABASE_ACCESS_TOKEN', pgToken)
    const files = await readMigrationFiles('worker/migrations/postgres')
    expect(files.length).toBeGreaterThan(0)
    await pg.create({ projectRef: pgRef, migrations: files })
    const rows = await db.query('SELECT name, sha256 FROM watchllm_schema_migrations ORDER BY name')
    expect(rows).toEqual(files.map((f) => ({ name: f.name, sha256: createHash('sha256').update(f.sql).digest('hex') })))
    const tables = await db.query("SELECT table_schema || '.' || table_name AS t FROM information_schema.tables WHERE table_schema NOT IN ('pg_catalog', 'information_schema')")
    expect(tables.map((r) => r['t'])).toContain('watchllm.usage_events')
    const again = await pg.create({ projectRef: pgRef, migrations: files })
    expect(again.outs?.applied.map((a) => a.name)).toEqual(files.map((f) => f.name))
  })

  test('a failing file rolls back on Postgres too: its table is gone and it is not recorded', async () => {
    vi.stubEnv('SUPABASE_ACCESS_TOKEN', pgToken)
    const files = await readMigrationFiles('worker/migrations/postgres')
    const bad = { name: '9999_bad.sql', sha256: 'bad', sql: 'CREATE TABLE half_done (a int);\nSELECT no_such_column FROM half_done;' }
    await expect(pg.update?.('id', { projectRef: pgRef, migrations: files, applied: [] }, { projectRef: pgRef, migrations: [...files, bad] })).rejects.toThrow(
      /migration 9999_bad.sql failed: .*column "no_such_column" does not exist/,
    )
    expect(await db.query("SELECT to_regclass('public.half_done') AS t")).toEqual([{ t: null }])
    expect((await db.query("SELECT name FROM watchllm_schema_migrations WHERE name = '9999_bad.sql'")).length).toBe(0)
  })
})
