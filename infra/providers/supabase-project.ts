/**
 * A Supabase project (the long-term Postgres store for usage events) as a dynamic resource on
 * Supabase's Management API: create (and wait until healthy), read, delete. Organization, region
 * and name cannot change in place, so changing them replaces the project — and its data.
 */
import * as pulumi from '@pulumi/pulumi'
import { supabaseApiDefaults, supabaseCall, type SupabaseApiOptions } from './supabase-api.ts'

export interface SupabaseProjectInputs {
  name: string
  /** The organization's slug/id (dashboard → Organization settings). */
  organizationId: string
  /** e.g. `us-east-1`, `eu-central-1`. */
  region: string
  /** Only used at creation; Supabase never returns it. */
  dbPassword: string
}

export interface SupabaseProjectOutputs {
  name: string
  organizationId: string
  region: string
  /** The project ref, also the resource id. */
  ref: string
  status: string
  /** Where Hyperdrive connects: Supavisor session mode (IPv4, port 5432) when available. */
  dbHost: string
  dbPort: number
  dbUser: string
  dbName: string
}

const failedStatuses = ['INIT_FAILED', 'REMOVED', 'GOING_DOWN', 'INACTIVE']

function field(record: unknown, key: string): unknown {
  return ((record ?? {}) as Record<string, unknown>)[key]
}

export class SupabaseProjectProvider implements pulumi.dynamic.ResourceProvider<SupabaseProjectInputs, SupabaseProjectOutputs> {
  private readonly api: SupabaseApiOptions

  constructor(api: SupabaseApiOptions = supabaseApiDefaults) {
    this.api = api
  }

  async check(_olds: SupabaseProjectInputs, news: SupabaseProjectInputs): Promise<pulumi.dynamic.CheckResult<SupabaseProjectInputs>> {
    const failures: pulumi.dynamic.CheckFailure[] = []
    if (!news.name || news.name.length > 256) failures.push({ property: 'name', reason: 'must be 1–256 characters' })
    if (!news.organizationId) failures.push({ property: 'organizationId', reason: 'is required' })
    if (!/^[a-z]{2}-[a-z]+-\d$/.test(news.region)) failures.push({ property: 'region', reason: 'must be a region like us-east-1' })
    if (!news.dbPassword || news.dbPassword.length < 16) failures.push({ property: 'dbPassword', reason: 'must be at least 16 characters' })
    return { inputs: news, failures }
  }

  async diff(_id: string, olds: SupabaseProjectOutputs, news: SupabaseProjectInputs): Promise<pulumi.dynamic.DiffResult> {
    // The password is write-once (rotate it in Supabase, then in stack config): not a reason to replace.
    const replaces = (['name', 'organizationId', 'region'] as const).filter((k) => olds[k] !== news[k])
    return { changes: replaces.length > 0, replaces, deleteBeforeReplace: false }
  }

  async create(inputs: SupabaseProjectInputs): Promise<pulumi.dynamic.CreateResult<SupabaseProjectOutputs>> {
    // Adopt a project this stack created before a crash or timeout, instead of creating a twin.
    const listed = await supabaseCall(this.api, 'GET', '/v1/projects')
    const existing = Array.isArray(listed.body)
      ? (listed.body as unknown[]).find((p) => field(p, 'name') === inputs.name && field(p, 'organization_id') === inputs.organizationId)
      : undefined
    let ref = typeof field(existing, 'id') === 'string' ? String(field(existing, 'id')) : ''
    if (!ref) {
      const created = await supabaseCall(this.api, 'POST', '/v1/projects', {
        name: inputs.name,
        organization_id: inputs.organizationId,
        region: inputs.region,
        db_pass: inputs.dbPassword,
      })
      ref = String(field(created.body, 'id') ?? '')
      if (!ref) throw new Error('Supabase API POST /v1/projects returned no project id')
    }
    const project = await this.waitUntilHealthy(ref)
    return { id: ref, outs: await this.describe(ref, project, inputs) }
  }

  async read(id: string, props?: SupabaseProjectOutputs): Promise<pulumi.dynamic.ReadResult<SupabaseProjectOutputs>> {
    const found = await supabaseCall(this.api, 'GET', `/v1/projects/${id}`)
    if (found.status === 404 || field(found.body, 'status') === 'REMOVED') return {}
    // Without prior state (`pulumi import`), name, organization and region come from the API.
    const known = props ?? { name: '', organizationId: '', region: '' }
    return { id, props: await this.describe(id, found.body, known) }
  }

  async delete(id: string, _props: SupabaseProjectOutputs): Promise<void> {
    // A 404 means it is already gone.
    await supabaseCall(this.api, 'DELETE', `/v1/projects/${id}`)
  }

  private async waitUntilHealthy(ref: string): Promise<unknown> {
    const deadline = Date.now() + this.api.readyTimeoutMs
    for (;;) {
      const { status, body } = await supabaseCall(this.api, 'GET', `/v1/projects/${ref}`)
      const state = String(field(body, 'status') ?? (status === 404 ? 'NOT_FOUND' : 'UNKNOWN'))
      if (state === 'ACTIVE_HEALTHY') return body
      if (failedStatuses.includes(state) || status === 404) throw new Error(`Supabase project ${ref} is ${state}, not ACTIVE_HEALTHY`)
      if (Date.now() >= deadline)
        throw new Error(`Supabase project ${ref} still ${state} after ${Math.round(this.api.readyTimeoutMs / 1000)} s; run pulumi up again to keep waiting`)
      await new Promise((resolve) => setTimeout(resolve, this.api.pollIntervalMs))
    }
  }

  /** Outputs from the project plus its pooler config (falls back to the direct host). */
  private async describe(
    ref: string,
    project: unknown,
    inputs: { name: string; organizationId: string; region: string },
  ): Promise<SupabaseProjectOutputs> {
    const pooler = await supabaseCall(this.api, 'GET', `/v1/projects/${ref}/config/database/pooler`)
    const entries = Array.isArray(pooler.body) ? (pooler.body as unknown[]) : []
    const primary = entries.find((e) => field(e, 'database_type') === 'PRIMARY') ?? entries[0]
    const poolerHost = field(primary, 'db_host')
    const database = field(project, 'database')
    const directHost = field(database, 'host')
    return {
      name: String(field(project, 'name') ?? inputs.name),
      organizationId: String(field(project, 'organization_id') ?? inputs.organizationId),
      region: String(field(project, 'region') ?? inputs.region),
      ref,
      status: String(field(project, 'status') ?? 'UNKNOWN'),
      dbHost: typeof poolerHost === 'string' ? poolerHost : typeof directHost === 'string' ? directHost : `db.${ref}.supabase.co`,
      // Session mode listens on 5432 (transaction mode, 6543, breaks prepared statements Hyperdrive relies on).
      dbPort: 5432,
      dbUser: typeof poolerHost === 'string' ? String(field(primary, 'db_user') ?? `postgres.${ref}`) : 'postgres',
      dbName: String(field(primary, 'db_name') ?? 'postgres'),
    }
  }
}

export interface SupabaseProjectArgs {
  name: pulumi.Input<string>
  organizationId: pulumi.Input<string>
  region: pulumi.Input<string>
  dbPassword: pulumi.Input<string>
}

export class SupabaseProject extends pulumi.dynamic.Resource {
  declare readonly ref: pulumi.Output<string>
  declare readonly dbHost: pulumi.Output<string>
  declare readonly dbPort: pulumi.Output<number>
  declare readonly dbUser: pulumi.Output<string>
  declare readonly dbName: pulumi.Output<string>

  constructor(name: string, args: SupabaseProjectArgs, opts?: pulumi.CustomResourceOptions, provider = new SupabaseProjectProvider()) {
    const outputs = { ref: undefined, status: undefined, dbHost: undefined, dbPort: undefined, dbUser: undefined, dbName: undefined }
    super(provider, name, { ...args, dbPassword: pulumi.secret(args.dbPassword), ...outputs }, opts, 'watchllm', 'SupabaseProject')
  }
}
