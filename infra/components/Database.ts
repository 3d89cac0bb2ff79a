/**
 * The D1 database the gateway writes usage events, rollups and semantic-cache payloads to, with
 * its migrations (`worker/migrations/d1/*.sql`) applied as part of `pulumi up`.
 */
import * as cloudflare from '@pulumi/cloudflare'
import * as pulumi from '@pulumi/pulumi'
import { D1Migrations, D1MigrationsProvider } from '../providers/d1-migrations.ts'
import type { ApiClientOptions } from '../providers/http.ts'
import type { MigrationFile } from '../providers/migrations.ts'

export interface DatabaseArgs {
  /** Cloudflare account id. */
  accountId: pulumi.Input<string>
  /** D1 database name, e.g. `watchllm-dev`. */
  databaseName: pulumi.Input<string>
  /** Migration files in order (`readMigrationFiles`). */
  migrations: pulumi.Input<MigrationFile[]>
  /** Optional location hint for the primary (`wnam`, `enam`, `weur`, `eeur`, `apac`, `oc`). */
  primaryLocationHint?: pulumi.Input<string>
  /** Cloudflare API settings for the migrations provider (tests point it at a fake). */
  api?: ApiClientOptions
}

export class Database extends pulumi.ComponentResource {
  readonly databaseId: pulumi.Output<string>
  readonly databaseName: pulumi.Output<string>
  /** Migration file names applied so far. */
  readonly appliedMigrations: pulumi.Output<string[]>

  constructor(name: string, args: DatabaseArgs, opts?: pulumi.ComponentResourceOptions) {
    super('watchllm:database:Database', name, {}, opts)

    // The database itself; the Worker binds it by UUID.
    const db = new cloudflare.D1Database(
      `${name}-d1`,
      { accountId: args.accountId, name: args.databaseName, primaryLocationHint: args.primaryLocationHint },
      { parent: this },
    )

    // The schema: pending migration files, applied in order before the Worker that reads them.
    const migrations = new D1Migrations(
      `${name}-migrations`,
      { accountId: args.accountId, databaseId: db.uuid, migrations: args.migrations },
      { parent: this },
      args.api ? new D1MigrationsProvider(args.api) : undefined,
    )

    // The id carries the migrations as a dependency: the Worker that binds it waits for the schema.
    this.databaseId = pulumi.all([db.uuid, migrations.applied]).apply(([id]) => id)
    this.databaseName = db.name
    this.appliedMigrations = migrations.applied.apply((list) => (list ?? []).map((m) => m.name))
    this.registerOutputs({ databaseId: this.databaseId, databaseName: this.databaseName, appliedMigrations: this.appliedMigrations })
  }
}
