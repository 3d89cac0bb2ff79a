/**
 * The gateway Worker: its KV namespaces and queues, the bundle built from `worker/`, every binding
 * `worker/wrangler.jsonc` declares (resolved to this stack's resources), the secrets, the queue
 * consumer with its dead-letter queue, its cron triggers, and a custom domain or the workers.dev route.
 */
import * as cloudflare from '@pulumi/cloudflare'
import * as pulumi from '@pulumi/pulumi'
import type { WorkerBundle } from '../lib/bundle.ts'
import { kebab, stackResourceName } from '../lib/names.ts'
import type { DeclaredBinding, DurableObjectMigration, WorkerDeclaration } from '../lib/wrangler-config.ts'

type Binding = cloudflare.types.input.WorkersScriptBinding

export interface GatewayArgs {
  /** Cloudflare account id. */
  accountId: pulumi.Input<string>
  /** Stack name prefix replacing `watchllm` in wrangler.jsonc names (e.g. `watchllm-dev`). */
  namePrefix: string
  /** wrangler.jsonc as read by `readWranglerConfig`: the bindings to provide. */
  declaration: WorkerDeclaration
  /** The built bundle (`wrangler deploy --dry-run --outdir`). */
  bundle: WorkerBundle
  /** D1 database ids by binding name (from the Database component). */
  d1DatabaseIds: Record<string, pulumi.Input<string>>
  /** Vectorize index names by binding name; a declared vectorize binding missing here is left unbound (semantic off). */
  vectorIndexNames: Record<string, pulumi.Input<string>>
  /** Hyperdrive config id when Supabase is on; hyperdrive bindings stay unbound otherwise. */
  hyperdriveId?: pulumi.Input<string>
  /** Worker secrets by name (provider keys, Upstash, admin token hash): bound as secret_text. */
  secrets: Record<string, pulumi.Input<string>>
  /**
   * Serve on this hostname (a zone in the account) as a Workers custom domain, or, with
   * `routePattern` (e.g. `example.com/llm/*`, needs `zoneId`), as a route on an existing DNS record.
   * Undefined serves on workers.dev.
   */
  domain?: { hostname: string; zoneId?: string; zoneName?: string; routePattern?: string }
  /** The Durable Object migration tag already deployed, so only pending migrations upload. */
  deployedMigrationTag?: string
  /** The account's workers.dev subdomain (read by the program); required without a domain. */
  workersDevSubdomain?: string
}

export class Gateway extends pulumi.ComponentResource {
  readonly scriptName: pulumi.Output<string>
  readonly url: pulumi.Output<string>
  /** Every binding name on the uploaded Worker (secrets included). */
  readonly bindingNames: string[]
  /** Declared bindings left unbound because their optional part is off. */
  readonly unboundOptional: string[]
  readonly queueNames: Record<string, pulumi.Output<string>>

  constructor(name: string, args: GatewayArgs, opts?: pulumi.ComponentResourceOptions) {
    super('watchllm:gateway:Gateway', name, {}, opts)
    const { declaration: decl, namePrefix } = args
    const scriptName = stackResourceName(namePrefix, decl.scriptName)

    // One KV namespace per declared kv binding (the L1 exact cache when policy picks `store: kv`).
    const kv = Object.fromEntries(
      decl.bindings
        .filter((b) => b.kind === 'kv_namespace')
        .map((b) => [
          b.name,
          new cloudflare.WorkersKvNamespace(`${name}-${kebab(b.name)}`, { accountId: args.accountId, title: `${namePrefix}-${kebab(b.name)}` }, { parent: this }),
        ]),
    )

    // One queue per queue name in wrangler.jsonc: the telemetry buffer and its dead-letter queue.
    const queues = Object.fromEntries(
      decl.queues.map((q) => [
        q,
        new cloudflare.Queue(`${name}-${stackResourceName('q', q)}`, { accountId: args.accountId, queueName: stackResourceName(namePrefix, q) }, { parent: this }),
      ]),
    )
    this.queueNames = Object.fromEntries(Object.entries(queues).map(([q, r]) => [q, r.queueName]))

    const { bindings, unbound } = resolveBindings(decl.bindings, {
      kvIds: Object.fromEntries(Object.entries(kv).map(([b, r]) => [b, r.id])),
      d1Ids: args.d1DatabaseIds,
      queueNames: this.queueNames,
      vectorIndexNames: args.vectorIndexNames,
      hyperdriveId: args.hyperdriveId,
    })
    const declared = new Set(decl.bindings.map((b) => b.name))
    for (const secret of Object.keys(args.secrets))
      if (declared.has(secret)) throw new Error(`secret ${secret} clashes with a binding of the same name in wrangler.jsonc`)
    const missingSecrets = (decl.requiredSecrets ?? []).filter((s) => !(s in args.secrets))
    if (missingSecrets.length > 0)
      throw new Error(`wrangler.jsonc secrets.required lists ${missingSecrets.join(', ')}, which this stack does not provide`)
    for (const [secretName, value] of Object.entries(args.secrets).sort(([a], [b]) => a.localeCompare(b)))
      bindings.push({ type: 'secret_text', name: secretName, text: pulumi.secret(value) })
    this.bindingNames = bindings.map((b) => String(b.name))
    this.unboundOptional = unbound

    const extraModules = Object.fromEntries(
      args.bundle.extras.map((m) => [m.name, { contentFile: m.path, contentSha256: m.sha256, contentType: m.contentType }]),
    )
    const migrations = pendingMigrations(decl.doMigrations, args.deployedMigrationTag)

    // The Worker itself: the bundle by path + hash (state keeps the hash, not a megabyte of JS).
    const script = new cloudflare.WorkersScript(
      `${name}-script`,
      {
        accountId: args.accountId,
        scriptName,
        mainModule: args.bundle.main.name,
        contentFile: args.bundle.main.path,
        contentSha256: args.bundle.main.sha256,
        files: Object.keys(extraModules).length > 0 ? extraModules : undefined,
        compatibilityDate: decl.compatibilityDate,
        compatibilityFlags: decl.compatibilityFlags,
        observability: { enabled: decl.observability },
        bindings,
        migrations,
      },
      { parent: this },
    )
    this.scriptName = script.scriptName

    // Queue consumers: settings from wrangler.jsonc, so local and cloud batch alike.
    for (const c of decl.consumers) {
      const queue = queues[c.queue]
      if (!queue) throw new Error(`unreachable: queue ${c.queue} was not created`)
      new cloudflare.QueueConsumer(
        `${name}-${stackResourceName('consumer', c.queue)}`,
        {
          accountId: args.accountId,
          queueId: queue.queueId,
          scriptName: script.scriptName,
          type: 'worker',
          deadLetterQueue: c.dead_letter_queue === undefined ? undefined : queues[c.dead_letter_queue]?.queueName,
          settings: {
            batchSize: c.max_batch_size,
            maxRetries: c.max_retries,
            maxWaitTimeMs: c.max_batch_timeout === undefined ? undefined : Math.round(c.max_batch_timeout * 1000),
            maxConcurrency: c.max_concurrency,
            retryDelay: c.retry_delay,
          },
        },
        { parent: this, dependsOn: [script] },
      )
    }

    // Cron triggers from wrangler.jsonc: the `scheduled` handler's usage reports and alert retries.
    if (decl.crons.length > 0)
      new cloudflare.WorkersCronTrigger(
        `${name}-crons`,
        { accountId: args.accountId, scriptName: script.scriptName, schedules: decl.crons.map((cron) => ({ cron })) },
        { parent: this, dependsOn: [script] },
      )

    // workers.dev stays on only when there is no custom domain (nothing should bypass the domain).
    new cloudflare.WorkersScriptSubdomain(
      `${name}-workers-dev`,
      { accountId: args.accountId, scriptName: script.scriptName, enabled: args.domain === undefined, previewsEnabled: false },
      { parent: this },
    )
    if (args.domain?.routePattern) {
      // A route on a zone whose DNS already points at Cloudflare (when a path prefix is wanted).
      new cloudflare.WorkersRoute(
        `${name}-route`,
        { zoneId: need(args.domain.zoneId, 'watchllm:domain.routePattern needs watchllm:domain.zoneId'), pattern: args.domain.routePattern, script: script.scriptName },
        { parent: this },
      )
    } else if (args.domain) {
      // The custom domain: Cloudflare creates the DNS record and certificate for it.
      new cloudflare.WorkersCustomDomain(
        `${name}-domain`,
        {
          accountId: args.accountId,
          hostname: args.domain.hostname,
          service: script.scriptName,
          zoneId: args.domain.zoneId,
          zoneName: args.domain.zoneId ? undefined : args.domain.zoneName,
        },
        { parent: this },
      )
    }
    if (args.domain) {
      this.url = pulumi.output(`https://${args.domain.hostname}`)
    } else {
      const sub = need(args.workersDevSubdomain, 'a gateway on workers.dev needs the account’s workers.dev subdomain')
      this.url = script.scriptName.apply((s) => `https://${s}.${sub}.workers.dev`)
    }

    this.registerOutputs({ scriptName: this.scriptName, url: this.url, bindingNames: this.bindingNames, queueNames: this.queueNames })
  }
}

interface Provided {
  kvIds: Record<string, pulumi.Input<string>>
  d1Ids: Record<string, pulumi.Input<string>>
  queueNames: Record<string, pulumi.Input<string>>
  vectorIndexNames: Record<string, pulumi.Input<string>>
  hyperdriveId: pulumi.Input<string> | undefined
}

/** Every declared binding mapped to this stack's resource; optional ones without a resource are reported. */
function need<T>(value: T | undefined, message: string): T {
  if (value === undefined) throw new Error(message)
  return value
}

const unprovisioned = (what: string): string => `wrangler.jsonc declares ${what}, but infra provisioned nothing for it`

export function resolveBindings(declared: readonly DeclaredBinding[], provided: Provided): { bindings: Binding[]; unbound: string[] } {
  const bindings: Binding[] = []
  const unbound: string[] = []
  for (const b of declared) {
    switch (b.kind) {
      case 'plain_text':
        bindings.push({ type: 'plain_text', name: b.name, text: b.text })
        break
      case 'json':
        bindings.push({ type: 'json', name: b.name, json: b.json })
        break
      case 'kv_namespace':
        bindings.push({ type: 'kv_namespace', name: b.name, namespaceId: need(provided.kvIds[b.name], unprovisioned(`KV ${b.name}`)) })
        break
      case 'd1':
        bindings.push({ type: 'd1', name: b.name, id: need(provided.d1Ids[b.name], unprovisioned(`D1 ${b.name}`)) })
        break
      case 'queue':
        bindings.push({ type: 'queue', name: b.name, queueName: need(provided.queueNames[b.queue], unprovisioned(`queue ${b.queue}`)) })
        break
      case 'ai':
        bindings.push({ type: 'ai', name: b.name })
        break
      case 'vectorize':
        if (provided.vectorIndexNames[b.name] === undefined) unbound.push(b.name)
        else bindings.push({ type: 'vectorize', name: b.name, indexName: provided.vectorIndexNames[b.name] })
        break
      case 'hyperdrive':
        if (provided.hyperdriveId === undefined) unbound.push(b.name)
        else bindings.push({ type: 'hyperdrive', name: b.name, id: provided.hyperdriveId })
        break
      case 'durable_object_namespace':
        bindings.push({ type: 'durable_object_namespace', name: b.name, className: b.className, scriptName: b.scriptName })
        break
      case 'ratelimit':
        bindings.push({ type: 'ratelimit', name: b.name, namespaceId: b.namespaceId, simple: b.simple })
        break
      case 'version_metadata':
        bindings.push({ type: 'version_metadata', name: b.name })
        break
      default: {
        const exhaustive: never = b
        throw new Error(`unhandled binding ${JSON.stringify(exhaustive)}`)
      }
    }
  }
  return { bindings, unbound }
}

/** The wrangler.jsonc Durable Object migrations after the deployed tag, as one upload's steps. */
export function pendingMigrations(
  all: readonly DurableObjectMigration[],
  deployedTag: string | undefined,
): cloudflare.types.input.WorkersScriptMigrations | undefined {
  const start = deployedTag === undefined ? 0 : all.findIndex((m) => m.tag === deployedTag) + 1
  if (deployedTag !== undefined && start === 0)
    throw new Error(`the deployed Durable Object migration tag ${deployedTag} is not in wrangler.jsonc migrations; never delete applied migrations`)
  const pending = all.slice(start)
  const last = pending.at(-1)
  if (!last) return undefined
  return {
    oldTag: deployedTag,
    newTag: last.tag,
    steps: pending.map((m) => ({
      newClasses: m.new_classes,
      newSqliteClasses: m.new_sqlite_classes,
      deletedClasses: m.deleted_classes,
      renamedClasses: m.renamed_classes,
    })),
  }
}
