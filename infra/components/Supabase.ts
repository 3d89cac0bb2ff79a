/**
 * The long-term usage store: a Supabase project (dynamic provider on the Management API), its
 * Postgres schema migrations, and the Hyperdrive config the queue consumer writes through.
 */
import * as cloudflare from '@pulumi/cloudflare'
import * as pulumi from '@pulumi/pulumi'
import type { MigrationFile } from '../providers/migrations.ts'
import type { SupabaseApiOptions } from '../providers/supabase-api.ts'
import { SupabaseMigrations, SupabaseMigrationsProvider } from '../providers/supabase-migrations.ts'
import { SupabaseProject, SupabaseProjectProvider } from '../providers/supabase-project.ts'

export interface SupabaseArgs {
  /** Cloudflare account id (for Hyperdrive). */
  accountId: pulumi.Input<string>
  /** Project and Hyperdrive config name, e.g. `watchllm-dev`. */
  name: pulumi.Input<string>
  /** Supabase organization slug. */
  organizationId: pulumi.Input<string>
  /** Supabase region, e.g. `eu-central-1`. */
  region: pulumi.Input<string>
  /** The `postgres` user's password (a Pulumi secret from stack config). */
  dbPassword: pulumi.Input<string>
  /** An existing project to take over (`watchllm:supabase.adoptProjectRef`); otherwise one is created. */
  adoptRef?: pulumi.Input<string>
  /** `worker/migrations/postgres/*.sql`, in order. */
  migrations: pulumi.Input<MigrationFile[]>
  /** Management API settings for the dynamic providers (tests point them at a fake). */
  api?: SupabaseApiOptions
}

export class Supabase extends pulumi.ComponentResource {
  readonly projectRef: pulumi.Output<string>
  readonly hyperdriveId: pulumi.Output<string>

  constructor(name: string, args: SupabaseArgs, opts?: pulumi.ComponentResourceOptions) {
    super('watchllm:supabase:Supabase', name, {}, opts)
    const password = pulumi.secret(args.dbPassword)

    // The project; creation waits until it is healthy and its pooler knows it, which takes a few minutes.
    const project = new SupabaseProject(
      `${name}-project`,
      { name: args.name, organizationId: args.organizationId, region: args.region, dbPassword: password, adoptRef: args.adoptRef },
      { parent: this },
      args.api ? new SupabaseProjectProvider(args.api) : undefined,
    )

    // The schema, applied in order and tracked, before anything writes to it.
    const migrations = new SupabaseMigrations(
      `${name}-migrations`,
      { projectRef: project.ref, migrations: args.migrations },
      { parent: this },
      args.api ? new SupabaseMigrationsProvider(args.api) : undefined,
    )

    // Hyperdrive in front of it: pooled, low-latency connections from the Worker.
    const hyperdrive = new cloudflare.HyperdriveConfig(
      `${name}-hyperdrive`,
      {
        accountId: args.accountId,
        name: args.name,
        origin: {
          scheme: 'postgres',
          host: project.dbHost,
          port: project.dbPort,
          database: project.dbName,
          user: project.dbUser,
          password,
        },
      },
      { parent: this, dependsOn: [migrations] },
    )

    this.projectRef = project.ref
    this.hyperdriveId = hyperdrive.id
    this.registerOutputs({ projectRef: this.projectRef, hyperdriveId: this.hyperdriveId })
  }
}
