/**
 * A fake of Supabase's Management API as infra uses it, shaped by its published OpenAPI spec
 * (`V1CreateProjectBody`, `V1ProjectResponse`, `V1ProjectWithDatabaseResponse`, `V1ProjectRefResponse`,
 * `SupavisorConfigResponse`): projects (which come up after a few polls, like real ones), the pooler
 * config, and the SQL query endpoint (on real SQLite, or a real Postgres through `executor`). A create
 * body with the deprecated `organization_id` / `region`, or any unknown field, is refused with 400, so
 * a provider sending yesterday's shape fails here too.
 */
import { route, startFakeServer, type FakeResponse, type FakeServer } from './fake-http.ts'
import { runSql, DatabaseSync } from './fake-sql.ts'

export interface FakeProject {
  /** The ref (20 lower-case letters); also the deprecated `id`. */
  id: string
  name: string
  organization_slug: string
  region: string
  status: string
  created_at: string
  database: { host: string; version: string; postgres_engine: string; release_channel: string }
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
  /** Where the pooler config says Supavisor listens (tests run a fake pooler on 127.0.0.1). */
  setPoolerHost(host: string): void
  /** Adds a project as if made elsewhere (by hand, another stack, an interrupted `up`). */
  addProject(p: { name: string; organization_slug: string; region: string; status?: string }): FakeProject
}

const json = (status: number, body: unknown): FakeResponse => ({ status, body })

/** Runs a query for a project; the default is the project's in-memory SQLite database. */
export type QueryExecutor = (project: FakeProject, query: string) => Promise<Record<string, unknown>[]>

const createFields = new Set(['db_pass', 'name', 'organization_slug', 'region_selection', 'desired_instance_size', 'template_url'])

/** `V1CreateProjectBody` as the current spec wants it; a message like the API's validation errors otherwise. */
function createBodyProblem(input: Record<string, unknown>): string | undefined {
  for (const key of Object.keys(input)) if (!createFields.has(key)) return `property ${key} should not exist`
  if (typeof input['name'] !== 'string' || input['name'] === '' || input['name'].length > 256) return 'name must be a string of 1 to 256 characters'
  if (typeof input['organization_slug'] !== 'string' || !/^[\w-]+$/.test(input['organization_slug'])) return 'organization_slug must match /^[\\w-]+$/'
  if (typeof input['db_pass'] !== 'string' || input['db_pass'] === '') return 'db_pass should not be empty'
  const selection = input['region_selection'] as { type?: unknown; code?: unknown } | undefined
  if (!selection || (selection.type !== 'specific' && selection.type !== 'smartGroup') || typeof selection.code !== 'string' || selection.code === '')
    return 'region_selection must be { type: "specific" | "smartGroup", code }'
  return undefined
}

export async function startFakeSupabase(token: string, executor?: QueryExecutor): Promise<FakeSupabase> {
  const projects = new Map<string, FakeProject>()
  let polls = 2
  let finalStatus = 'ACTIVE_HEALTHY'
  let poolerHost: string | undefined
  let counter = 0
  const newRef = (): string => {
    counter += 1
    return `ref${String(counter).padStart(17, '0')}`.replace(/\d/g, (d) => 'abcdefghij'[Number(d)] ?? 'a')
  }
  const add = (p: { name: string; organization_slug: string; region: string; status?: string; dbPass?: string }): FakeProject => {
    const id = newRef()
    const project: FakeProject = {
      id,
      name: p.name,
      organization_slug: p.organization_slug,
      region: p.region,
      status: p.status ?? 'COMING_UP',
      created_at: new Date(0).toISOString(),
      database: { host: `db.${id}.supabase.co`, version: '17.4.1', postgres_engine: '17', release_channel: 'ga' },
      dbPass: p.dbPass ?? '',
      pollsUntilHealthy: polls,
      db: new DatabaseSync(':memory:'),
    }
    projects.set(id, project)
    return project
  }
  // V1ProjectResponse (create) and V1ProjectWithDatabaseResponse (get, list).
  const view = (p: FakeProject, withDatabase = true): Record<string, unknown> => ({
    id: p.id,
    ref: p.id,
    organization_id: `org-id-of-${p.organization_slug}`,
    organization_slug: p.organization_slug,
    name: p.name,
    region: p.region,
    created_at: p.created_at,
    status: p.status,
    ...(withDatabase ? { database: p.database } : {}),
  })

  const server = await startFakeServer(token, json(401, { message: 'Unauthorized' }), ({ method, path, body }) => {
    const input = (body ?? {}) as Record<string, unknown>
    if (path === '/v1/projects' && method === 'GET') return json(200, [...projects.values()].map((p) => view(p)))
    if (path === '/v1/projects' && method === 'POST') {
      const problem = createBodyProblem(input)
      if (problem) return json(400, { message: problem })
      const selection = input['region_selection'] as { code: string }
      const project = add({ name: String(input['name']), organization_slug: String(input['organization_slug']), region: selection.code, dbPass: String(input['db_pass']) })
      return json(201, view(project, false))
    }
    let p = route('/v1/projects/:ref', path)
    if (p) {
      const project = projects.get(p['ref'] ?? '')
      if (!project) return json(404, { message: 'Project not found' })
      if (method === 'DELETE') {
        projects.delete(project.id)
        return json(200, { id: 1, ref: project.id, name: project.name }) // V1ProjectRefResponse
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
      const host = poolerHost ?? `aws-0-${project.region}.pooler.supabase.com`
      const user = `postgres.${project.id}`
      const connection = `postgresql://${user}:[YOUR-PASSWORD]@${host}:6543/postgres`
      // SupavisorConfigResponse[]: the shared pooler listens for transactions on 6543 (sessions on 5432).
      return json(200, [
        {
          identifier: project.id,
          database_type: 'PRIMARY',
          is_using_scram_auth: true,
          db_user: user,
          db_host: host,
          db_port: 6543,
          db_name: 'postgres',
          connection_string: connection,
          connectionString: connection,
          default_pool_size: 15,
          max_client_conn: 200,
          pool_mode: 'transaction',
        },
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
    setPoolerHost: (host) => {
      poolerHost = host
    },
    addProject: (p) => add(p),
  }
}
