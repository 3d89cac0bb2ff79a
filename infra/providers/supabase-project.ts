/**
 * A Supabase project (the long-term Postgres store for usage events) as a dynamic resource on
 * Supabase's Management API (request and response shapes from its published OpenAPI spec): create,
 * wait until healthy and until the pooler accepts the project, read, delete. Organization, region
 * and name cannot change in place: changing them replaces the project, deleting the old one first
 * (two projects of one name would be ambiguous) — and with it its data.
 *
 * A project this stack did not create is never taken over silently: one with the same name,
 * organization and region already there stops `create`, unless `adoptRef` names it.
 */
import * as pulumi from '@pulumi/pulumi'
import { probePooler } from './pooler-probe.ts'
import { supabaseApiDefaults, supabaseCall, type SupabaseApiOptions } from './supabase-api.ts'

export interface SupabaseProjectInputs {
  name: string
  /** The organization's slug (dashboard → Organization settings); sent as `organization_slug`. */
  organizationId: string
  /** e.g. `us-east-1`, `eu-central-1`; sent as `region_selection: { type: specific, code }`. */
  region: string
  /** Only used at creation; Supabase never returns it. */
  dbPassword: string
  /** Take over this existing project (its ref) instead of creating one: only when the stack says so. */
  adoptRef?: string
}

export interface SupabaseProjectOutputs {
  name: string
  organizationId: string
  region: string
  adoptRef?: string
  /** The project ref, also the resource id. */
  ref: string
  status: string
  /** Where Hyperdrive connects: Supavisor session mode (IPv4) when available. */
  dbHost: string
  dbPort: number
  dbUser: string
  dbName: string
}

const failedStatuses = ['INIT_FAILED', 'REMOVED', 'GOING_DOWN', 'INACTIVE', 'RESTORE_FAILED', 'PAUSE_FAILED']

function field(record: unknown, key: string): unknown {
  return ((record ?? {}) as Record<string, unknown>)[key]
}

/** The organization a project belongs to: `organization_slug`, or the deprecated `organization_id`. */
const orgOf = (project: unknown): string => String(field(project, 'organization_slug') ?? field(project, 'organization_id') ?? '')
const refOf = (project: unknown): string => String(field(project, 'ref') ?? field(project, 'id') ?? '')

export class SupabaseProjectProvider implements pulumi.dynamic.ResourceProvider<SupabaseProjectInputs, SupabaseProjectOutputs> {
  private readonly api: SupabaseApiOptions

  constructor(api: SupabaseApiOptions = supabaseApiDefaults) {
    this.api = api
  }

  async check(_olds: SupabaseProjectInputs, news: SupabaseProjectInputs): Promise<pulumi.dynamic.CheckResult<SupabaseProjectInputs>> {
    const failures: pulumi.dynamic.CheckFailure[] = []
    if (!news.name || news.name.length > 256) failures.push({ property: 'name', reason: 'must be 1–256 characters' })
    if (!/^[\w-]+$/.test(news.organizationId ?? '')) failures.push({ property: 'organizationId', reason: 'must be the organization slug (letters, digits, _ or -)' })
    if (!/^[a-z]{2}-[a-z]+-\d$/.test(news.region)) failures.push({ property: 'region', reason: 'must be a region like us-east-1' })
    if (!news.dbPassword || news.dbPassword.length < 16) failures.push({ property: 'dbPassword', reason: 'must be at least 16 characters' })
    if (news.adoptRef !== undefined && !/^[a-z]{20}$/.test(news.adoptRef)) failures.push({ property: 'adoptRef', reason: 'must be a project ref (20 lower-case letters)' })
    return { inputs: news, failures }
  }

  async diff(_id: string, olds: SupabaseProjectOutputs, news: SupabaseProjectInputs): Promise<pulumi.dynamic.DiffResult> {
    // The password is write-once (rotate it in Supabase, then in stack config): not a reason to replace.
    // adoptRef only steers `create`: once the project is in state, forgetting it changes nothing.
    const replaces = (['name', 'organizationId', 'region'] as const).filter((k) => olds[k] !== news[k])
    return { changes: replaces.length > 0, replaces, deleteBeforeReplace: true }
  }

  async create(inputs: SupabaseProjectInputs): Promise<pulumi.dynamic.CreateResult<SupabaseProjectOutputs>> {
    let ref = inputs.adoptRef ?? ''
    if (ref) {
      const found = await supabaseCall(this.api, 'GET', `/v1/projects/${ref}`)
      if (found.status === 404) throw new Error(`Supabase project ${ref} (watchllm:supabase.adoptProjectRef) does not exist`)
      const mismatch = (['name', 'organization', 'region'] as const).filter(
        (k) => (k === 'organization' ? orgOf(found.body) : String(field(found.body, k))) !== (k === 'organization' ? inputs.organizationId : inputs[k]),
      )
      if (mismatch.length > 0)
        throw new Error(`Supabase project ${ref} differs from the stack's settings in ${mismatch.join(', ')}: fix the settings or adopt another project`)
    } else {
      const listed = await supabaseCall(this.api, 'GET', '/v1/projects')
      const twin = (Array.isArray(listed.body) ? (listed.body as unknown[]) : []).find(
        (p) => field(p, 'name') === inputs.name && orgOf(p) === inputs.organizationId && field(p, 'region') === inputs.region && field(p, 'status') !== 'REMOVED',
      )
      if (twin)
        throw new Error(
          `a Supabase project named ${inputs.name} already exists in ${inputs.organizationId}/${inputs.region} (ref ${refOf(twin)}), and this stack has no record of creating it. ` +
            `To use it (say a previous \`pulumi up\` was interrupted after creating it): pulumi config set --path 'supabase.adoptProjectRef' ${refOf(twin)}; otherwise delete it or change watchllm:name.`,
        )
      const created = await supabaseCall(this.api, 'POST', '/v1/projects', {
        name: inputs.name,
        organization_slug: inputs.organizationId,
        region_selection: { type: 'specific', code: inputs.region },
        db_pass: inputs.dbPassword,
      })
      ref = refOf(created.body)
      if (!ref) throw new Error('Supabase API POST /v1/projects returned no project ref')
    }
    const project = await this.waitUntilHealthy(ref)
    const outs = await this.describe(ref, project, inputs)
    await this.waitForPooler(outs)
    return { id: ref, outs }
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

  /** Healthy is not enough: Hyperdrive is created next and must be able to connect through the pooler. */
  private async waitForPooler(outs: SupabaseProjectOutputs): Promise<void> {
    if (outs.dbUser === 'postgres') return // no pooler: the direct host is up once the project is healthy
    const timeoutMs = this.api.poolerTimeoutMs ?? 10 * 60_000
    const deadline = Date.now() + timeoutMs
    for (;;) {
      const probe = await probePooler(outs.dbHost, outs.dbPort, outs.dbUser, outs.dbName, Math.min(10_000, timeoutMs))
      if (probe.ready) return
      if (Date.now() >= deadline)
        throw new Error(`the pooler ${outs.dbHost}:${outs.dbPort} still refuses ${outs.dbUser} after ${Math.round(timeoutMs / 1000)} s (${probe.reason}); run pulumi up again to keep waiting`)
      await new Promise((resolve) => setTimeout(resolve, this.api.pollIntervalMs))
    }
  }

  /** Outputs from the project plus its pooler config (falls back to the direct host). */
  private async describe(
    ref: string,
    project: unknown,
    inputs: { name: string; organizationId: string; region: string; adoptRef?: string },
  ): Promise<SupabaseProjectOutputs> {
    const pooler = await supabaseCall(this.api, 'GET', `/v1/projects/${ref}/config/database/pooler`)
    const entries = Array.isArray(pooler.body) ? (pooler.body as unknown[]) : []
    const primary = entries.find((e) => field(e, 'database_type') === 'PRIMARY') ?? entries[0]
    const poolerHost = field(primary, 'db_host')
    const database = field(project, 'database')
    const directHost = field(database, 'host')
    return {
      name: String(field(project, 'name') ?? inputs.name),
      organizationId: orgOf(project) || inputs.organizationId,
      region: String(field(project, 'region') ?? inputs.region),
      ...(inputs.adoptRef ? { adoptRef: inputs.adoptRef } : {}),
      ref,
      status: String(field(project, 'status') ?? 'UNKNOWN'),
      dbHost: typeof poolerHost === 'string' ? poolerHost : typeof directHost === 'string' ? directHost : `db.${ref}.supabase.co`,
      // Session mode (transaction mode, 6543, breaks the prepared statements Hyperdrive relies on).
      dbPort: typeof poolerHost === 'string' ? (this.api.poolerSessionPort ?? 5432) : 5432,
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
  adoptRef?: pulumi.Input<string>
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
