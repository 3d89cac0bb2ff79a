/**
 * A fake of the slice of Cloudflare's v4 API that infra calls: Vectorize v2 indexes (list, create,
 * get, delete) and metadata indexes, the D1 query endpoint (on real SQLite), the Workers script list
 * and the account's workers.dev subdomain. Paths and shapes follow cloudflare-typescript (generated
 * from Cloudflare's OpenAPI spec); responses use the `{ success, errors, messages, result }` envelope.
 * Where the API publishes no status or code (a duplicate index name), the fake deliberately answers
 * one the providers must not depend on: 400 with the message Cloudflare sends.
 */
import { runSql, DatabaseSync } from './fake-sql.ts'
import { route, startFakeServer, type FakeResponse, type FakeServer } from './fake-http.ts'

export interface FakeVectorIndex {
  name: string
  description: string
  config: { dimensions: number; metric: string }
  created_on: string
  metadataIndexes: { propertyName: string; indexType: string }[]
}

export interface FakeCloudflare extends FakeServer {
  indexes: Map<string, FakeVectorIndex>
  /** One SQLite database per D1 database id, created on first use. */
  d1(databaseId: string): DatabaseSync
  /** Deployed Worker scripts: id → Durable Object migration tag. */
  scripts: Map<string, string | undefined>
  /** The account's workers.dev subdomain; undefined answers code 10007 (none registered). */
  subdomain: { value: string | undefined }
}

const ok = (result: unknown, status = 200): FakeResponse => ({ status, body: { success: true, errors: [], messages: [], result } })
const fail = (status: number, code: number, message: string): FakeResponse => ({
  status,
  body: { success: false, errors: [{ code, message }], messages: [], result: null },
})

export async function startFakeCloudflare(token: string): Promise<FakeCloudflare> {
  const indexes = new Map<string, FakeVectorIndex>()
  const databases = new Map<string, DatabaseSync>()
  const scripts = new Map<string, string | undefined>()
  const subdomain: { value: string | undefined } = { value: 'acme-team' }
  const d1 = (id: string): DatabaseSync => {
    const existing = databases.get(id)
    if (existing) return existing
    const db = new DatabaseSync(':memory:')
    databases.set(id, db)
    return db
  }

  const server = await startFakeServer(token, fail(403, 10000, 'Authentication error'), ({ method, path, body }) => {
    const input = (body ?? {}) as Record<string, unknown>
    let p = route('/accounts/:account/vectorize/v2/indexes', path)
    if (p && method === 'GET')
      return ok([...indexes.values()].map((i) => ({ name: i.name, description: i.description, config: i.config, created_on: i.created_on })))
    if (p && method === 'POST') {
      const name = String(input['name'])
      if (indexes.has(name)) return fail(400, 3002, `vectorize.index.duplicate_name - Index name "${name}" is already in use`)
      const config = (input['config'] ?? {}) as { dimensions: number; metric: string }
      const index = { name, description: String(input['description'] ?? ''), config, created_on: new Date(0).toISOString(), metadataIndexes: [] }
      indexes.set(name, index)
      return ok({ name, description: index.description, config, created_on: index.created_on })
    }
    p = route('/accounts/:account/vectorize/v2/indexes/:name', path)
    if (p) {
      const index = indexes.get(p['name'] ?? '')
      if (!index) return fail(404, 3000, 'vectorize.index.not_found')
      if (method === 'GET') return ok({ name: index.name, description: index.description, config: index.config, created_on: index.created_on })
      if (method === 'DELETE') {
        indexes.delete(index.name)
        return ok(null)
      }
    }
    p = route('/accounts/:account/vectorize/v2/indexes/:name/metadata_index/:op', path)
    if (p) {
      const index = indexes.get(p['name'] ?? '')
      if (!index) return fail(404, 3000, 'vectorize.index.not_found')
      if (p['op'] === 'list' && method === 'GET') return ok({ metadataIndexes: index.metadataIndexes })
      if (p['op'] === 'create' && method === 'POST') {
        const propertyName = String(input['propertyName'])
        if (index.metadataIndexes.some((m) => m.propertyName === propertyName)) return fail(409, 3004, 'metadata index already exists')
        index.metadataIndexes.push({ propertyName, indexType: String(input['indexType']) })
        return ok({ mutationId: `m-${index.metadataIndexes.length}` })
      }
      if (p['op'] === 'delete' && method === 'POST') {
        index.metadataIndexes = index.metadataIndexes.filter((m) => m.propertyName !== input['propertyName'])
        return ok({ mutationId: 'm-delete' })
      }
    }
    p = route('/accounts/:account/d1/database/:id/query', path)
    if (p && method === 'POST') {
      try {
        const results = runSql(d1(p['id'] ?? ''), String(input['sql']))
        return ok([{ results, success: true, meta: { changes: 0 } }])
      } catch (error) {
        return fail(400, 7500, `${error instanceof Error ? error.message : String(error)}: SQLITE_ERROR`)
      }
    }
    p = route('/accounts/:account/workers/subdomain', path)
    if (p && method === 'GET')
      return subdomain.value === undefined ? fail(404, 10007, 'workers.api.error.subdomain_not_found') : ok({ subdomain: subdomain.value })
    p = route('/accounts/:account/workers/scripts', path)
    if (p && method === 'GET') return ok([...scripts].map(([id, tag]) => ({ id, ...(tag ? { migration_tag: tag } : {}) })))
    return fail(404, 7003, `Could not route to ${path}`)
  })
  return { ...server, indexes, d1, scripts, subdomain }
}
