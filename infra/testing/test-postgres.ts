/**
 * A throwaway database on the local PostgreSQL (127.0.0.1:5432, user postgres — the server the
 * worker's telemetry tests use) behind the fake Supabase query endpoint, so Postgres migrations
 * are tested on real Postgres. Each query gets its own session, as Supabase's endpoint does.
 */
import { randomBytes } from 'node:crypto'
import postgres from 'postgres'
import type { QueryExecutor } from './fake-supabase-api.ts'

const server = 'postgres://postgres:postgres@127.0.0.1:5432'
const options = { max: 1, connect_timeout: 5, idle_timeout: 1, onnotice: () => undefined }

export interface TestDatabase {
  name: string
  executor: QueryExecutor
  /** Runs a query directly (for assertions). */
  query(text: string): Promise<Record<string, unknown>[]>
  drop(): Promise<void>
}

async function withSession<T>(url: string, run: (sql: postgres.Sql) => Promise<T>): Promise<T> {
  const sql = postgres(url, options)
  try {
    return await run(sql)
  } finally {
    await sql.end({ timeout: 1 })
  }
}

export async function createTestDatabase(): Promise<TestDatabase> {
  const name = `watchllm_infra_${randomBytes(4).toString('hex')}`
  await withSession(`${server}/postgres`, (sql) => sql.unsafe(`CREATE DATABASE "${name}"`))
  const url = `${server}/${name}`
  const query = (text: string): Promise<Record<string, unknown>[]> =>
    withSession(url, async (sql) => {
      const result = (await sql.unsafe(text).simple()) as unknown as unknown[]
      // Several statements give one result per statement; the endpoint answers with the last one's rows.
      const rows = result.length > 0 && Array.isArray(result[0]) ? (result.at(-1) as unknown[]) : result
      return JSON.parse(JSON.stringify(rows)) as Record<string, unknown>[]
    })
  return {
    name,
    executor: (_project, text) => query(text),
    query,
    drop: () =>
      withSession(`${server}/postgres`, async (sql) => {
        await sql`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = ${name} AND pid <> pg_backend_pid()`
        await sql.unsafe(`DROP DATABASE IF EXISTS "${name}"`)
      }),
  }
}
