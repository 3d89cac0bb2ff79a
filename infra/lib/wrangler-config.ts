/**
 * Reads `worker/wrangler.jsonc`, the one place the gateway's bindings are declared, into the
 * shape infra provisions from. Only the top-level (production) environment counts: `env.local`
 * is for `npm start` and tests. A binding kind infra cannot provision is an error, not a silent
 * omission, so adding one to wrangler.jsonc fails `pulumi preview` until infra learns it.
 */
import { readFile } from 'node:fs/promises'
import { parse, printParseErrorCode, type ParseError } from 'jsonc-parser'
import { z } from 'zod'

const nameRe = /^[A-Z_][A-Z0-9_]*$/i

const queueConsumer = z.object({
  queue: z.string().min(1),
  max_batch_size: z.int().positive().optional(),
  /** Seconds, as wrangler has it. */
  max_batch_timeout: z.number().nonnegative().optional(),
  max_retries: z.int().nonnegative().optional(),
  max_concurrency: z.int().positive().optional(),
  retry_delay: z.int().nonnegative().optional(),
  dead_letter_queue: z.string().min(1).optional(),
})

const doMigration = z.object({
  tag: z.string().min(1),
  new_classes: z.array(z.string()).optional(),
  new_sqlite_classes: z.array(z.string()).optional(),
  deleted_classes: z.array(z.string()).optional(),
  renamed_classes: z.array(z.object({ from: z.string(), to: z.string() })).optional(),
})

const wranglerSchema = z.looseObject({
  name: z.string().min(1),
  main: z.string().min(1),
  compatibility_date: z.string().regex(/^\d{4}-\d{2}-\d{2}$/),
  compatibility_flags: z.array(z.string()).default([]),
  observability: z.object({ enabled: z.boolean() }).partial().optional(),
  vars: z.record(z.string().regex(nameRe), z.unknown()).default({}),
  kv_namespaces: z.array(z.object({ binding: z.string().regex(nameRe) })).default([]),
  d1_databases: z
    .array(z.object({ binding: z.string().regex(nameRe), database_name: z.string(), migrations_dir: z.string().optional() }))
    .default([]),
  queues: z
    .object({
      producers: z.array(z.object({ binding: z.string().regex(nameRe), queue: z.string().min(1) })).default([]),
      consumers: z.array(queueConsumer).default([]),
    })
    .default({ producers: [], consumers: [] }),
  ai: z.object({ binding: z.string().regex(nameRe) }).optional(),
  vectorize: z.array(z.object({ binding: z.string().regex(nameRe), index_name: z.string().min(1) })).default([]),
  hyperdrive: z.array(z.object({ binding: z.string().regex(nameRe) })).default([]),
  durable_objects: z
    .object({
      bindings: z
        .array(z.object({ name: z.string().regex(nameRe), class_name: z.string().min(1), script_name: z.string().optional() }))
        .default([]),
    })
    .default({ bindings: [] }),
  migrations: z.array(doMigration).default([]),
  ratelimits: z
    .array(
      z.object({
        name: z.string().regex(nameRe),
        namespace_id: z.string().min(1),
        simple: z.object({ limit: z.number().positive(), period: z.number().positive() }),
      }),
    )
    .default([]),
  version_metadata: z.object({ binding: z.string().regex(nameRe) }).optional(),
  secrets: z.object({ required: z.array(z.string().regex(nameRe)).default([]) }).optional(),
  // Cron triggers (the `scheduled` handler); other trigger kinds are not provisioned.
  triggers: z.strictObject({ crons: z.array(z.string().min(1)).default([]) }).default({ crons: [] }),
})

/** Binding-bearing wrangler keys infra does not provision (yet): declaring one is an error. */
const unsupportedKeys = [
  'r2_buckets',
  'services',
  'analytics_engine_datasets',
  'workflows',
  'browser',
  'send_email',
  'dispatch_namespaces',
  'mtls_certificates',
  'pipelines',
  'secrets_store_secrets',
  'images',
  'unsafe',
  'assets',
] as const

/** One binding the worker's code reads, as wrangler.jsonc declares it. */
export type DeclaredBinding =
  | { kind: 'plain_text'; name: string; text: string }
  | { kind: 'json'; name: string; json: string }
  | { kind: 'kv_namespace'; name: string }
  | { kind: 'd1'; name: string; databaseName: string; migrationsDir: string | undefined }
  | { kind: 'queue'; name: string; queue: string }
  | { kind: 'ai'; name: string }
  | { kind: 'vectorize'; name: string; indexName: string }
  | { kind: 'hyperdrive'; name: string }
  | { kind: 'durable_object_namespace'; name: string; className: string; scriptName: string | undefined }
  | { kind: 'ratelimit'; name: string; namespaceId: string; simple: { limit: number; period: number } }
  | { kind: 'version_metadata'; name: string }

export type QueueConsumerDecl = z.output<typeof queueConsumer>
export type DurableObjectMigration = z.output<typeof doMigration>

export interface WorkerDeclaration {
  scriptName: string
  main: string
  compatibilityDate: string
  compatibilityFlags: string[]
  observability: boolean
  bindings: DeclaredBinding[]
  /** Every queue name mentioned (producers, consumers, dead-letter queues), in first-seen order. */
  queues: string[]
  consumers: QueueConsumerDecl[]
  doMigrations: DurableObjectMigration[]
  /** `secrets.required`, when wrangler.jsonc declares it. */
  requiredSecrets: string[] | undefined
  /** `triggers.crons`: the schedules the Worker's `scheduled` handler runs on. */
  crons: string[]
}

/** Parses wrangler.jsonc text; throws an Error naming the file and what is wrong. */
export function parseWranglerConfig(text: string, file = 'worker/wrangler.jsonc'): WorkerDeclaration {
  const errors: ParseError[] = []
  const raw: unknown = parse(text, errors, { allowTrailingComma: true, disallowComments: false })
  if (errors.length > 0) {
    const first = errors[0]
    const line = first ? text.slice(0, first.offset).split('\n').length : 0
    throw new Error(`${file}:${line} ${first ? printParseErrorCode(first.error) : 'parse error'}`)
  }
  const unsupported = unsupportedKeys.filter((k) => raw !== null && typeof raw === 'object' && k in raw)
  if (unsupported.length > 0)
    throw new Error(
      `${file}: declares ${unsupported.join(', ')}, which infra/ does not provision; add it to infra/components/Gateway.ts or remove it`,
    )
  const parsed = wranglerSchema.safeParse(raw)
  if (!parsed.success) {
    const issue = parsed.error.issues[0]
    throw new Error(`${file} ${issue?.path.join('.') ?? ''}: ${issue?.message ?? 'invalid'}`)
  }
  return toDeclaration(parsed.data)
}

export async function readWranglerConfig(path: string, label = path): Promise<WorkerDeclaration> {
  return parseWranglerConfig(await readFile(path, 'utf8'), label)
}

function toDeclaration(c: z.output<typeof wranglerSchema>): WorkerDeclaration {
  const bindings: DeclaredBinding[] = []
  for (const [name, value] of Object.entries(c.vars))
    bindings.push(
      typeof value === 'string' ? { kind: 'plain_text', name, text: value } : { kind: 'json', name, json: JSON.stringify(value) },
    )
  for (const kv of c.kv_namespaces) bindings.push({ kind: 'kv_namespace', name: kv.binding })
  for (const d of c.d1_databases)
    bindings.push({ kind: 'd1', name: d.binding, databaseName: d.database_name, migrationsDir: d.migrations_dir })
  for (const p of c.queues.producers) bindings.push({ kind: 'queue', name: p.binding, queue: p.queue })
  if (c.ai) bindings.push({ kind: 'ai', name: c.ai.binding })
  for (const v of c.vectorize) bindings.push({ kind: 'vectorize', name: v.binding, indexName: v.index_name })
  for (const h of c.hyperdrive) bindings.push({ kind: 'hyperdrive', name: h.binding })
  for (const d of c.durable_objects.bindings)
    bindings.push({ kind: 'durable_object_namespace', name: d.name, className: d.class_name, scriptName: d.script_name })
  for (const r of c.ratelimits)
    bindings.push({ kind: 'ratelimit', name: r.name, namespaceId: r.namespace_id, simple: r.simple })
  if (c.version_metadata) bindings.push({ kind: 'version_metadata', name: c.version_metadata.binding })

  const seen = new Set<string>()
  for (const b of bindings) {
    if (seen.has(b.name)) throw new Error(`wrangler.jsonc: binding ${b.name} is declared twice`)
    seen.add(b.name)
  }

  const queues: string[] = []
  const addQueue = (q: string | undefined): void => {
    if (q !== undefined && !queues.includes(q)) queues.push(q)
  }
  for (const p of c.queues.producers) addQueue(p.queue)
  for (const q of c.queues.consumers) {
    addQueue(q.queue)
    addQueue(q.dead_letter_queue)
  }

  return {
    scriptName: c.name,
    main: c.main,
    compatibilityDate: c.compatibility_date,
    compatibilityFlags: c.compatibility_flags,
    observability: c.observability?.enabled ?? false,
    bindings,
    queues,
    consumers: c.queues.consumers,
    doMigrations: c.migrations,
    requiredSecrets: c.secrets?.required,
    crons: c.triggers.crons,
  }
}
