/**
 * A fake of Supabase's Management API as infra uses it: projects (which come up after a few
 * polls, like real ones), the pooler config, and the SQL query endpoint on real SQLite.
 */
import { route, startFakeServer, type FakeResponse, type FakeServer } from './fake-http.ts'
import { runSql, DatabaseSync } from './fake-sql.ts'

export interface FakeProject {
  id: string
  name: string
  organization_id: string
  region: string
  status: string
  created_at: string
  database: { host: string }
  /** What the creator sent as `db_pass` (tests assert it arrived, never print it). */
  dbPass: string
  /** GETs left before COMING_UP turns ACTIVE_HEALTHY. */
  pollsUntilHealthy: number
  db: DatabaseSync
}

export interface FakeSupabase extends FakeServer {
  projects: Map<string, FakeProject>
  /** How many status polls a new project needs before it is healthy. */
  setPollsUntilHealthy(n: number): void
  /** Status a new project ends in instead of ACTIVE_HEALTHY (e.g. INIT_FAILED). */
  setFinalStatus(status: string): void
}

const json = (status: number, body: unknown): FakeResponse => ({ status, body })

/** Runs a query for a project; the default is the project's in-memory SQLite database. */
export type QueryExecutor = (project: FakeProject, query: string) => Promise<Record<string, unknown>[]>

export async function startFakeSupabase(token: string, executor?: QueryExecutor): Promise<FakeSupabase> {
  const projects = new Map<string, FakeProject>()
  let polls = 2
  let finalStatus = 'ACTIVE_HEALTHY'
  let counter = 0
  const view = (p: FakeProject): Record<string, unknown> => ({
    id: p.id,
    ref: p.id,
    name: p.name,
    organization_id: p.organization_id,
    region: p.region,
    status: p.status,
    created_at: p.created_at,
    database: p.database,
  })

  const server = await startFakeServer(token, json(401, { message: 'Unauthorized' }), ({ method, path, body }) => {
    const input = (body ?? {}) as Record<string, unknown>
    if (path === '/v1/projects' && method === 'GET') return json(200, [...projects.values()].map(view))
    if (path === '/v1/projects' && method === 'POST') {
      for (const key of ['name', 'organization_id', 'region', 'db_pass'])
        if (typeof input[key] !== 'string' || input[key] === '') return json(400, { message: `${key} is required` })
      counter += 1
      const id = `ref${String(counter).padStart(17, '0')}`
      const project: FakeProject = {
        id,
        name: String(input['name']),
        organization_id: String(input['organization_id']),
        region: String(input['region']),
        status: 'COMING_UP',
        created_at: new Date(0).toISOString(),
        database: { host: `db.${id}.supabase.co` },
        dbPass: String(input['db_pass']),
        pollsUntilHealthy: polls,
        db: new DatabaseSync(':memory:'),
      }
      projects.set(id, project)
      return json(201, view(project))
    }
    let p = route('/v1/projects/:ref', path)
    if (p) {
      const project = projects.get(p['ref'] ?? '')
      if (!project) return json(404, { message: 'Project not found' })
      if (method === 'DELETE') {
        projects.delete(project.id)
        return json(200, { id: project.id, ref: project.id, name: project.name })
      }
      if (method === 'GET') {
        if (project.status === 'COMING_UP' && --project.pollsUntilHealthy <= 0) project.status = finalStatus
        return json(200, view(project))
      }
    }
    p = route('/v1/projects/:ref/config/database/pooler', path)
    if (p && method === 'GET') {
      const project = projects.get(p['ref'] ?? '')
      if (!project) return json(404, { message: 'Project not found' })
      const host = `aws-0-${project.region}.pooler.supabase.com`
      return json(200, [
        { database_type: 'PRIMARY', db_host: host, db_port: 6543, db_user: `postgres.${project.id}`, db_name: 'postgres', pool_mode: 'transaction' },
      ])
    }
    p = route('/v1/projects/:ref/database/query', path)
    if (p && method === 'POST') {
      const project = projects.get(p['ref'] ?? '')
      if (!project) return json(404, { message: 'Project not found' })
      const query = String(input['query'])
      return (executor ? executor(project, query) : Promise.resolve().then(() => runSql(project.db, query))).then(
        (rows) => json(201, rows),
        (error: unknown) => json(400, { message: `Failed to run sql query: ${error instanceof Error ? error.message : String(error)}` }),
      )
    }
    return json(404, { message: `no route ${method} ${path}` })
  })
  return {
    ...server,
    projects,
    setPollsUntilHealthy: (n) => {
      polls = n
    },
    setFinalStatus: (s) => {
      finalStatus = s
    },
  }
}
