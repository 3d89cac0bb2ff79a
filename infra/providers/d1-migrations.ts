/**
 * D1 migrations as a dynamic resource, applied by `pulumi up` through Cloudflare's D1 query API.
 * It keeps wrangler's own tracking table (`d1_migrations`), so `wrangler d1 migrations list --remote`
 * agrees with it and the same files also apply locally under `npm start`.
 */
import * as pulumi from '@pulumi/pulumi'
import { cloudflareApiDefaults, cloudflareCall } from './cloudflare-api.ts'
import type { ApiClientOptions } from './http.ts'
import {
  migrationsKey,
  runMigrations,
  sqlString,
  terminated,
  type AppliedMigration,
  type MigrationFile,
  type MigrationTarget,
} from './migrations.ts'

export interface D1MigrationsInputs {
  accountId: string
  databaseId: string
  migrations: MigrationFile[]
}

export interface D1MigrationsOutputs extends D1MigrationsInputs {
  applied: AppliedMigration[]
}

/** The tracking table exactly as wrangler creates it. */
const trackingTable = `CREATE TABLE IF NOT EXISTS d1_migrations(
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  name TEXT UNIQUE,
  applied_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP NOT NULL
);`

/** Rows of the last statement in a D1 `/query` result (one entry per statement). */
function lastRows(result: unknown): Record<string, unknown>[] {
  if (!Array.isArray(result) || result.length === 0) return []
  const rows = ((result[result.length - 1] ?? {}) as Record<string, unknown>)['results']
  return Array.isArray(rows) ? (rows as Record<string, unknown>[]) : []
}

export function d1Target(api: ApiClientOptions, accountId: string, databaseId: string): MigrationTarget {
  const query = async (sql: string): Promise<Record<string, unknown>[]> =>
    lastRows((await cloudflareCall(api, 'POST', `/accounts/${accountId}/d1/database/${databaseId}/query`, { sql })).result)
  return {
    ensureTrackingTable: async () => {
      await query(trackingTable)
    },
    listApplied: async () =>
      (await query('SELECT name FROM d1_migrations ORDER BY id;')).map((r) => ({ name: String(r['name']), sha256: undefined })),
    // One request: D1 runs a multi-statement query as one batch, so the file and its record land together.
    apply: async (m) => {
      await query(`${terminated(m.sql)}INSERT INTO d1_migrations (name) VALUES (${sqlString(m.name)});`)
    },
  }
}

export class D1MigrationsProvider implements pulumi.dynamic.ResourceProvider<D1MigrationsInputs, D1MigrationsOutputs> {
  private readonly api: ApiClientOptions

  constructor(api: ApiClientOptions = cloudflareApiDefaults) {
    this.api = api
  }

  async diff(_id: string, olds: D1MigrationsOutputs, news: D1MigrationsInputs): Promise<pulumi.dynamic.DiffResult> {
    const replaces = (['accountId', 'databaseId'] as const).filter((k) => olds[k] !== news[k])
    return { changes: replaces.length > 0 || migrationsKey(olds.migrations) !== migrationsKey(news.migrations), replaces }
  }

  async create(inputs: D1MigrationsInputs): Promise<pulumi.dynamic.CreateResult<D1MigrationsOutputs>> {
    const applied = await runMigrations(d1Target(this.api, inputs.accountId, inputs.databaseId), inputs.migrations)
    return { id: `${inputs.databaseId}/migrations`, outs: { ...pick(inputs), applied } }
  }

  async read(id: string, props?: D1MigrationsOutputs): Promise<pulumi.dynamic.ReadResult<D1MigrationsOutputs>> {
    if (!props) throw new Error('importing D1 migrations is not supported: pulumi up applies them')
    const target = d1Target(this.api, props.accountId, props.databaseId)
    const recorded = new Map(props.applied.map((a) => [a.name, a.sha256]))
    const applied = (await target.listApplied()).map((a) => ({ name: a.name, sha256: recorded.get(a.name) }))
    return { id, props: { ...props, applied } }
  }

  async update(_id: string, olds: D1MigrationsOutputs, news: D1MigrationsInputs): Promise<pulumi.dynamic.UpdateResult<D1MigrationsOutputs>> {
    const applied = await runMigrations(d1Target(this.api, news.accountId, news.databaseId), news.migrations, olds.applied)
    return { outs: { ...pick(news), applied } }
  }

  /** Nothing to undo: the tables go with the database, and a kept database keeps its schema. */
  async delete(_id: string, _props: D1MigrationsOutputs): Promise<void> {}
}

function pick(i: D1MigrationsInputs): D1MigrationsInputs {
  return { accountId: i.accountId, databaseId: i.databaseId, migrations: i.migrations }
}

export interface D1MigrationsArgs {
  accountId: pulumi.Input<string>
  databaseId: pulumi.Input<string>
  migrations: pulumi.Input<MigrationFile[]>
}

export class D1Migrations extends pulumi.dynamic.Resource {
  declare readonly applied: pulumi.Output<AppliedMigration[]>

  constructor(name: string, args: D1MigrationsArgs, opts?: pulumi.CustomResourceOptions, provider = new D1MigrationsProvider()) {
    super(provider, name, { ...args, applied: undefined }, opts, 'watchllm', 'D1Migrations')
  }
}
