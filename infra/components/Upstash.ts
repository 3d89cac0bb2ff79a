/**
 * The Upstash Redis database: the exact cache with TTLs and the rate-limit counters. The worker
 * reaches it over REST; the URL and token it needs are exposed only as Pulumi secrets.
 */
import * as pulumi from '@pulumi/pulumi'
import * as upstash from '@upstash/pulumi'

export interface UpstashArgs {
  /** Database name, e.g. `watchllm-dev`. */
  databaseName: pulumi.Input<string>
  /** Primary region, e.g. `us-east-1` (pick the one nearest most of your traffic). */
  primaryRegion: pulumi.Input<string>
  /** Read replicas, e.g. `["eu-west-1"]`; each adds cost and write latency. */
  readRegions?: pulumi.Input<pulumi.Input<string>[]>
}

export class Upstash extends pulumi.ComponentResource {
  /** `https://<endpoint>`: bound as the secret UPSTASH_REDIS_REST_URL. */
  readonly restUrl: pulumi.Output<string>
  /** Bound as the secret UPSTASH_REDIS_REST_TOKEN. */
  readonly restToken: pulumi.Output<string>
  readonly databaseId: pulumi.Output<string>

  constructor(name: string, args: UpstashArgs, opts?: pulumi.ComponentResourceOptions) {
    super('watchllm:upstash:Upstash', name, {}, opts)

    // A global database (Upstash's current kind), TLS only, evicting old keys when full: it is a cache.
    const db = new upstash.RedisDatabase(
      `${name}-redis`,
      {
        databaseName: args.databaseName,
        region: 'global',
        primaryRegion: args.primaryRegion,
        readRegions: args.readRegions,
        tls: true,
        eviction: true,
      },
      { parent: this },
    )

    this.restUrl = pulumi.secret(pulumi.interpolate`https://${db.endpoint}`)
    this.restToken = pulumi.secret(db.restToken)
    this.databaseId = db.databaseId
    this.registerOutputs({ restUrl: this.restUrl, restToken: this.restToken, databaseId: this.databaseId })
  }
}
