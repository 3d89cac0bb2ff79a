import { afterAll, beforeAll, beforeEach, describe, expect, test, vi } from 'vitest'
import { startFakeCloudflare, type FakeCloudflare } from '../testing/fake-cloudflare-api.ts'
import { tableNames } from '../testing/fake-sql.ts'
import { throughSerialization } from '../testing/serialized.ts'
import { D1MigrationsProvider, type D1MigrationsInputs, type D1MigrationsOutputs } from './d1-migrations.ts'
import type { MigrationFile } from './migrations.ts'

const token = 'cf-test-token-d1'
let api: FakeCloudflare
let provider: D1MigrationsProvider
let dbCounter = 0
let databaseId = ''

const m = (name: string, sql: string): MigrationFile => ({ name, sql, sha256: `sha-${sql.length}-${name}` })
const first = m('0001_events.sql', 'CREATE TABLE usage_events (id TEXT PRIMARY KEY, project TEXT NOT NULL);\n-- no IF NOT EXISTS: re-running it would fail')
const second = m('0002_rollups.sql', 'CREATE TABLE usage_rollups (day TEXT, project TEXT);\nCREATE INDEX rollups_day ON usage_rollups (day)')
const inputs = (migrations: MigrationFile[]): D1MigrationsInputs => ({ accountId: 'acc123', databaseId, migrations })
const appliedRows = (): unknown[] => api.d1(databaseId).prepare('SELECT name FROM d1_migrations ORDER BY id').all()

beforeAll(async () => {
  api = await startFakeCloudflare(token)
  vi.stubEnv('CLOUDFLARE_API_TOKEN', token)
  provider = (await throughSerialization(new D1MigrationsProvider({ apiBaseUrl: api.url, retries: 1, retryDelayMs: 1, timeoutMs: 5000 }))).provider
})
afterAll(async () => {
  vi.unstubAllEnvs()
  await api.close()
})
beforeEach(() => {
  databaseId = `db-${++dbCounter}`
})

describe('D1MigrationsProvider (serialised, against a fake D1 query API on SQLite)', () => {
  test('create applies every file in order and records each in wrangler’s d1_migrations table', async () => {
    const result = await provider.create(inputs([first, second]))
    expect(tableNames(api.d1(databaseId))).toEqual(['d1_migrations', 'sqlite_sequence', 'usage_events', 'usage_rollups'])
    expect(appliedRows()).toEqual([{ name: '0001_events.sql' }, { name: '0002_rollups.sql' }])
    expect(result.outs?.applied).toEqual([
      { name: '0001_events.sql', sha256: first.sha256 },
      { name: '0002_rollups.sql', sha256: second.sha256 },
    ])
  })

  test('running again applies nothing (a re-run of 0001 would fail on the existing table)', async () => {
    await provider.create(inputs([first]))
    const again = await provider.create(inputs([first]))
    expect(again.outs?.applied.map((a) => a.name)).toEqual(['0001_events.sql'])
  })

  test('files wrangler already applied (same tracking table) are skipped', async () => {
    const db = api.d1(databaseId)
    db.exec("CREATE TABLE d1_migrations(id INTEGER PRIMARY KEY AUTOINCREMENT, name TEXT UNIQUE, applied_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP NOT NULL); INSERT INTO d1_migrations (name) VALUES ('0001_events.sql');")
    await provider.create(inputs([first, second]))
    expect(tableNames(db)).toEqual(['d1_migrations', 'sqlite_sequence', 'usage_rollups'])
  })

  test('update applies only the new file; diff notices added files but not unchanged ones', async () => {
    const outs = (await provider.create(inputs([first]))).outs as D1MigrationsOutputs
    expect(await provider.diff?.('id', outs, inputs([first]))).toEqual({ changes: false, replaces: [] })
    expect(await provider.diff?.('id', outs, inputs([first, second]))).toEqual({ changes: true, replaces: [] })
    const updated = await provider.update?.('id', outs, inputs([first, second]))
    expect(updated?.outs?.applied.map((a) => a.name)).toEqual(['0001_events.sql', '0002_rollups.sql'])
    expect(appliedRows()).toHaveLength(2)
  })

  test('editing an applied file is refused on update', async () => {
    const outs = (await provider.create(inputs([first]))).outs as D1MigrationsOutputs
    const edited = { ...first, sql: `${first.sql}\nALTER TABLE usage_events ADD COLUMN x TEXT;`, sha256: 'edited' }
    await expect(provider.update?.('id', outs, inputs([edited]))).rejects.toThrow(/0001_events.sql changed after it was applied/)
  })

  test('a failing file stops the run with D1’s message and is not recorded', async () => {
    const bad = m('0002_bad.sql', 'INSERT INTO no_such_table VALUES (1);')
    await expect(provider.create(inputs([first, bad]))).rejects.toThrow(/migration 0002_bad.sql failed: .*no such table: no_such_table/)
    expect(appliedRows()).toEqual([{ name: '0001_events.sql' }])
  })

  test('read reports what the database has applied; delete leaves the schema alone', async () => {
    const outs = (await provider.create(inputs([first]))).outs as D1MigrationsOutputs
    const read = await provider.read?.('id', outs)
    expect(read?.props?.applied).toEqual([{ name: '0001_events.sql', sha256: first.sha256 }])
    await provider.delete?.('id', outs)
    expect(tableNames(api.d1(databaseId))).toContain('usage_events')
  })

  test('changing the database replaces the resource', async () => {
    const outs = (await provider.create(inputs([first]))).outs as D1MigrationsOutputs
    expect(await provider.diff?.('id', outs, { ...inputs([first]), databaseId: 'other' })).toEqual({ changes: true, replaces: ['databaseId'] })
  })
})
