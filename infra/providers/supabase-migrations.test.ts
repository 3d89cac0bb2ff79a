/**
 * The Postgres migrations provider (serialised, as Pulumi runs it) through the fake Management API's
 * query endpoint, on a real throwaway database on the local PostgreSQL: Supabase runs Postgres, so
 * the SQL (schemas, DO blocks, transactions) is tested where it will run.
 */
import { createHash } from 'node:crypto'
import { afterAll, beforeAll, beforeEach, describe, expect, test, vi } from 'vitest'
import { readMigrationFiles } from '../lib/migration-files.ts'
import { startFakeSupabase, type FakeSupabase } from '../testing/fake-supabase-api.ts'
import { throughSerialization } from '../testing/serialized.ts'
import { createTestDatabase, type TestDatabase } from '../testing/test-postgres.ts'
import type { MigrationFile } from './migrations.ts'
import { SupabaseMigrationsProvider, type SupabaseMigrationsOutputs } from './supabase-migrations.ts'

const token = 'sbp_test_token_migrations'
let api: FakeSupabase
let db: TestDatabase
let provider: SupabaseMigrationsProvider
let ref = ''

const m = (name: string, sql: string): MigrationFile => ({ name, sql, sha256: `sha-${name}-${sql.length}` })
const first = m('0001_usage.sql', 'CREATE TABLE usage_events (id text PRIMARY KEY, cost_usd numeric);')
const second = m('0002_index.sql', 'CREATE INDEX usage_cost ON usage_events (cost_usd)\n-- trailing comment')
const recorded = () => db.query('SELECT name, sha256 FROM watchllm.schema_migrations ORDER BY name')
const exists = async (table: string) => (await db.query(`SELECT to_regclass('${table}') IS NOT NULL AS ok`))[0]?.['ok']

beforeAll(async () => {
  db = await createTestDatabase()
  api = await startFakeSupabase(token, db.executor)
  vi.stubEnv('SUPABASE_ACCESS_TOKEN', token)
  const options = { apiBaseUrl: api.url, retries: 0, retryDelayMs: 1, timeoutMs: 10_000, pollIntervalMs: 1, readyTimeoutMs: 5000 }
  provider = (await throughSerialization(new SupabaseMigrationsProvider(options))).provider
  ref = api.addProject({ name: 'm', organization_slug: 'o', region: 'us-east-1', status: 'ACTIVE_HEALTHY' }).id
})
afterAll(async () => {
  vi.unstubAllEnvs()
  await api.close()
  await db.drop()
})
beforeEach(async () => {
  vi.stubEnv('SUPABASE_ACCESS_TOKEN', token)
  await db.query('DROP SCHEMA IF EXISTS watchllm CASCADE; DROP TABLE IF EXISTS usage_events, half_done, public.watchllm_schema_migrations CASCADE;')
})

describe('SupabaseMigrationsProvider (serialised, on real Postgres)', () => {
  test('create applies the files in order and records name and hash in the project’s schema, not in public', async () => {
    const result = await provider.create({ projectRef: ref, migrations: [first, second] })
    expect(await recorded()).toEqual([
      { name: '0001_usage.sql', sha256: first.sha256 },
      { name: '0002_index.sql', sha256: second.sha256 },
    ])
    expect(result.outs?.applied).toEqual(await recorded())
    // Supabase's REST API (PostgREST) serves `public`: nothing of ours is there.
    expect(await exists('public.watchllm_schema_migrations')).toBe(false)
    expect(await exists('public.schema_migrations')).toBe(false)
  })

  test('a stack deployed before the move: its records come over from public, once, and the old table goes', async () => {
    await db.query(`CREATE TABLE public.watchllm_schema_migrations (name text PRIMARY KEY, sha256 text NOT NULL, applied_at timestamp NOT NULL DEFAULT now());
      INSERT INTO public.watchllm_schema_migrations (name, sha256) VALUES ('0001_usage.sql', '${first.sha256}');
      CREATE TABLE usage_events (id text PRIMARY KEY, cost_usd numeric);`)
    await provider.create({ projectRef: ref, migrations: [first, second] })
    expect(await recorded()).toEqual([
      { name: '0001_usage.sql', sha256: first.sha256 },
      { name: '0002_index.sql', sha256: second.sha256 },
    ])
    expect(await exists('public.watchllm_schema_migrations')).toBe(false)
  })

  test('it is idempotent: a second run applies nothing', async () => {
    await provider.create({ projectRef: ref, migrations: [first] })
    const before = api.requests.length
    await provider.create({ projectRef: ref, migrations: [first] })
    const queries = api.requests.slice(before).map((r) => String((r.body as { query: string }).query))
    expect(queries.some((q) => q.includes('usage_events ('))).toBe(false)
  })

  test('a failing file rolls back entirely: no table, no record', async () => {
    const bad = m('0002_bad.sql', 'CREATE TABLE half_done (a int);\nSELECT no_such_column FROM half_done;')
    await expect(provider.create({ projectRef: ref, migrations: [first, bad] })).rejects.toThrow(
      /migration 0002_bad.sql failed: .*400 Failed to run sql query: column "no_such_column" does not exist/,
    )
    expect(await exists('public.half_done')).toBe(false)
    expect(await recorded()).toEqual([{ name: '0001_usage.sql', sha256: first.sha256 }])
  })

  test('update applies new files and refuses an edited applied one (hash in the tracking table)', async () => {
    const outs = (await provider.create({ projectRef: ref, migrations: [first] })).outs as SupabaseMigrationsOutputs
    expect(await provider.diff?.('id', outs, { projectRef: ref, migrations: [first, second] })).toEqual({ changes: true, replaces: [] })
    await provider.update?.('id', outs, { projectRef: ref, migrations: [first, second] })
    expect(await recorded()).toHaveLength(2)
    const edited = { ...first, sha256: 'edited' }
    await expect(provider.update?.('id', outs, { projectRef: ref, migrations: [edited, second] })).rejects.toThrow(/changed after it was applied/)
  })

  test('read lists what the database has applied', async () => {
    const outs = (await provider.create({ projectRef: ref, migrations: [first] })).outs as SupabaseMigrationsOutputs
    expect((await provider.read?.('id', outs))?.props?.applied).toEqual([{ name: '0001_usage.sql', sha256: first.sha256 }])
  })

  test('the repository’s worker/migrations/postgres apply, are recorded with their hashes, and a second run is a no-op', async () => {
    const files = await readMigrationFiles('worker/migrations/postgres')
    expect(files.length).toBeGreaterThan(0)
    await provider.create({ projectRef: ref, migrations: files })
    expect(await recorded()).toEqual(files.map((f) => ({ name: f.name, sha256: createHash('sha256').update(f.sql).digest('hex') })))
    const tables = await db.query("SELECT table_schema || '.' || table_name AS t FROM information_schema.tables WHERE table_schema NOT IN ('pg_catalog', 'information_schema')")
    expect(tables.map((r) => r['t'])).toContain('watchllm.usage_events')
    expect(tables.map((r) => r['t']).filter((t) => String(t).startsWith('public.'))).toEqual([])
    const again = await provider.create({ projectRef: ref, migrations: files })
    expect(again.outs?.applied.map((a) => a.name)).toEqual(files.map((f) => f.name))
  })
})
