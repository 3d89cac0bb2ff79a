/**
 * The Postgres schema migrations (`worker/migrations/postgres/*.sql`) as a dynamic resource,
 * applied through the Management API's query endpoint: no Postgres driver and no open port
 * needed where `pulumi up` runs. Each file runs in a transaction together with its record in
 * `watchllm.schema_migrations`, so a failed file leaves nothing half-applied. The tracking table
 * lives in the project's own schema, never in `public`, which Supabase serves through its REST API.
 */
import * as pulumi from '@pulumi/pulumi'
import {
  migrationsKey,
  runMigrations,
  sqlString,
  terminated,
  type AppliedMigration,
  type MigrationFile,
  type MigrationTarget,
} from './migrations.ts'
import { supabaseApiDefaults, supabaseQuery, type SupabaseApiOptions } from './supabase-api.ts'
import { ensureTrackingTableSql, trackingTable } from '../lib/postgres-tracking.ts'

export interface SupabaseMigrationsInputs {
  projectRef: string
  migrations: MigrationFile[]
}

export interface SupabaseMigrationsOutputs extends SupabaseMigrationsInputs {
  applied: AppliedMigration[]
}

export function supabaseTarget(api: SupabaseApiOptions, ref: string): MigrationTarget {
  return {
    ensureTrackingTable: async () => {
      await supabaseQuery(api, ref, ensureTrackingTableSql)
    },
    listApplied: async () =>
      (await supabaseQuery(api, ref, `SELECT name, sha256 FROM ${trackingTable} ORDER BY name;`)).map((r) => ({
        name: String(r['name']),
        sha256: typeof r['sha256'] === 'string' ? r['sha256'] : undefined,
      })),
    apply: async (m) => {
      const record = `INSERT INTO ${trackingTable} (name, sha256) VALUES (${sqlString(m.name)}, ${sqlString(m.sha256)});`
      await supabaseQuery(api, ref, `BEGIN;\n${terminated(m.sql)}${record}\nCOMMIT;`)
    },
  }
}

export class SupabaseMigrationsProvider
  implements pulumi.dynamic.ResourceProvider<SupabaseMigrationsInputs, SupabaseMigrationsOutputs>
{
  private readonly api: SupabaseApiOptions

  constructor(api: SupabaseApiOptions = supabaseApiDefaults) {
    this.api = api
  }

  async diff(_id: string, olds: SupabaseMigrationsOutputs, news: SupabaseMigrationsInputs): Promise<pulumi.dynamic.DiffResult> {
    const replaces = olds.projectRef !== news.projectRef ? ['projectRef'] : []
    return { changes: replaces.length > 0 || migrationsKey(olds.migrations) !== migrationsKey(news.migrations), replaces }
  }

  async create(inputs: SupabaseMigrationsInputs): Promise<pulumi.dynamic.CreateResult<SupabaseMigrationsOutputs>> {
    const applied = await runMigrations(supabaseTarget(this.api, inputs.projectRef), inputs.migrations)
    return { id: `${inputs.projectRef}/migrations`, outs: { projectRef: inputs.projectRef, migrations: inputs.migrations, applied } }
  }

  async read(id: string, props?: SupabaseMigrationsOutputs): Promise<pulumi.dynamic.ReadResult<SupabaseMigrationsOutputs>> {
    if (!props) throw new Error('importing Postgres migrations is not supported: pulumi up applies them')
    const applied = await supabaseTarget(this.api, props.projectRef).listApplied()
    return { id, props: { ...props, applied } }
  }

  async update(
    _id: string,
    olds: SupabaseMigrationsOutputs,
    news: SupabaseMigrationsInputs,
  ): Promise<pulumi.dynamic.UpdateResult<SupabaseMigrationsOutputs>> {
    const applied = await runMigrations(supabaseTarget(this.api, news.projectRef), news.migrations, olds.applied)
    return { outs: { projectRef: news.projectRef, migrations: news.migrations, applied } }
  }

  /** Nothing to undo: the schema goes with the project. */
  async delete(_id: string, _props: SupabaseMigrationsOutputs): Promise<void> {}
}

export interface SupabaseMigrationsArgs {
  projectRef: pulumi.Input<string>
  migrations: pulumi.Input<MigrationFile[]>
}

export class SupabaseMigrations extends pulumi.dynamic.Resource {
  declare readonly applied: pulumi.Output<AppliedMigration[]>

  constructor(
    name: string,
    args: SupabaseMigrationsArgs,
    opts?: pulumi.CustomResourceOptions,
    provider = new SupabaseMigrationsProvider(),
  ) {
    super(provider, name, { ...args, applied: undefined }, opts, 'watchllm', 'SupabaseMigrations')
  }
}
