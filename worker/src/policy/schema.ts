/**
 * The policy schema: the single source of truth for what `policies/*.yaml` may say.
 * The JSON Schema the YAML files point at is generated from it (`npm run policy:schema`).
 */
import { z } from 'zod'
import { experimentSchema } from './experiments.ts'
import { piiSchema } from './pii.ts'
import { responsesPolicySchema } from './responses.ts'
import { ruleSchema } from './rules/index.ts'
import { alertsSchema, budgetsSchema, limitsSchema, reportsSchema } from './governance-schema.ts'
import { maxFalseHitRate, semanticVerification } from './semantic-verification.ts'
import { anomalySchema } from './anomaly-schema.ts'

const name = z
  .string()
  .regex(/^[a-z0-9][a-z0-9._-]*$/i, 'must be letters, digits, ".", "_" or "-"')

/** A Worker secret's name: the value is bound by Pulumi from encrypted stack config, never written here. */
export const secretRef = z.strictObject({
  secret: z.string().regex(/^[A-Z][A-Z0-9_]*$/, 'must be an UPPER_SNAKE_CASE Worker secret name'),
})

/** A plain Worker var (not secret), e.g. a base URL that differs per environment. */
const varRef = z.strictObject({
  var: z.string().regex(/^[A-Z][A-Z0-9_]*$/, 'must be an UPPER_SNAKE_CASE Worker var name'),
})

export const providerTypes = ['openai', 'anthropic', 'groq', 'openai-compatible', 'workers-ai', 'mock'] as const

const provider = z
  .strictObject({
    type: z.enum(providerTypes),
    api_key: secretRef.optional(),
    base_url: z.union([z.url({ protocol: /^https?$/ }), varRef]).optional(),
    /** Extra request headers; values are literal strings or secret references. */
    headers: z.record(z.string(), z.union([z.string(), secretRef])).optional(),
    timeout_ms: z.int().min(100).max(600_000).optional(),
    /** Treat 401/403 from this provider as a reason to try the next target (a revoked key, say). */
    failover_on_auth_error: z.boolean().default(false),
    /** mock only: simulated upstream latency and chunk count. */
    latency_ms: z.int().min(0).max(60_000).optional(),
    stream_chunks: z.int().min(1).max(1000).optional(),
  })
  .superRefine((p, ctx) => {
    if (p.type === 'openai-compatible' && !p.base_url)
      ctx.addIssue({ code: 'custom', path: ['base_url'], message: 'is required for type openai-compatible' })
    if ((p.latency_ms !== undefined || p.stream_chunks !== undefined) && p.type !== 'mock')
      ctx.addIssue({ code: 'custom', path: ['latency_ms'], message: 'only applies to type mock' })
  })

const target = z.strictObject({
  provider: name,
  /** The provider's model id; defaults to the route's alias. */
  model: z.string().min(1).optional(),
  timeout_ms: z.int().min(100).max(600_000).optional(),
})

const route = z.strictObject({
  kind: z.enum(['chat', 'embeddings']).default('chat'),
  /** Tried in order: the first is the primary, the rest are fallbacks. */
  targets: z.array(target).min(1).max(10),
  retry: z
    .strictObject({
      /** Extra attempts on the same target before moving on (0 = go straight to the next target). */
      attempts: z.int().min(0).max(5).default(0),
      backoff_ms: z.int().min(0).max(10_000).default(100),
    })
    .default({ attempts: 0, backoff_ms: 100 }),
  timeout_ms: z.int().min(100).max(600_000).default(60_000),
})

const semanticEmbedder = z
  .strictObject({
    /**
     * auto: Workers AI when the AI binding exists, else the local endpoint (EMBEDDINGS_URL), else no
     * semantic cache. provider: the `/embeddings` of a `providers` entry (type openai or openai-compatible).
     */
    type: z.enum(['auto', 'workers-ai', 'provider', 'local']).default('auto'),
    provider: name.optional(),
    /** workers-ai: defaults to @cf/baai/bge-base-en-v1.5; local: use-lite-512; provider: required. */
    model: z.string().min(1).optional(),
    /** A slower embedding is abandoned and the request goes on uncached (fail open). */
    timeout_ms: z.int().min(50).max(30_000).default(1_000),
  })
  .superRefine((e, ctx) => {
    if (e.type === 'provider' && !e.provider) ctx.addIssue({ code: 'custom', path: ['provider'], message: 'is required for type provider' })
    if (e.type === 'provider' && !e.model) ctx.addIssue({ code: 'custom', path: ['model'], message: 'is required for type provider' })
    if (e.type !== 'provider' && e.provider) ctx.addIssue({ code: 'custom', path: ['provider'], message: 'only applies to type provider' })
  })

const semanticCache = z.strictObject({
  enabled: z.boolean().default(false),
  /** Decision score an entry must reach to answer (0–1); a request header may only raise it. */
  threshold: z.number().min(0).max(1).optional(),
  ttl_seconds: z.int().min(1).max(30 * 86_400).default(86_400),
  /** How many earlier user turns a conversation may have and still be eligible. */
  max_turns: z.int().min(1).max(50).default(1),
  min_prompt_chars: z.int().min(0).max(10_000).default(8),
  /** Requests that declare tools are ineligible unless this is true. */
  allow_tools: z.boolean().default(false),
  embedder: semanticEmbedder.default(semanticEmbedder.parse({})),
  /** auto: Vectorize when the VECTORS binding exists, else the D1 vector store. */
  index: z.enum(['auto', 'vectorize', 'd1']).default('auto'),
  max_false_hit_rate: maxFalseHitRate,
  verification: semanticVerification.default(semanticVerification.parse({})),
})

const exactCache = z.strictObject({
  enabled: z.boolean().default(true),
  /** L1 store behind the in-isolate LRU: Upstash Redis, Workers KV, or none (LRU only). */
  store: z.enum(['redis', 'kv', 'none']).default('kv'),
  ttl_seconds: z.int().min(1).max(30 * 86_400).default(3600),
  embeddings_ttl_seconds: z.int().min(1).max(30 * 86_400).default(86_400),
})

/**
 * The time allowed for everything before the upstream call that may be skipped (cache lookups); past
 * it, the request goes on (cache/lookup-budget.ts). Unset: 150 ms deployed, 1,000 ms locally.
 */
const lookupBudgetMs = z.int().min(1).max(5_000).optional()

const cache = z.strictObject({
  lookup_budget_ms: lookupBudgetMs,
  exact: exactCache.default(exactCache.parse({})),
  semantic: semanticCache.default(semanticCache.parse({})),
})

const apiKey = z.strictObject({
  /** A stable label for the key, shown in telemetry (never the key itself). */
  id: name,
  /** Lower-case hex SHA-256 of the full key (`lgw_…`): `npm run key:hash -- lgw_…`. */
  sha256: z.string().regex(/^[0-9a-f]{64}$/, 'must be the 64-character lower-case hex SHA-256 of the key'),
  /** Accepted only when the worker runs with WATCHLLM_ENV=local (npm start, tests); infra refuses it. */
  local_only: z.boolean().default(false),
})

const project = z.strictObject({
  description: z.string().optional(),
  keys: z.array(apiKey).default([]),
  /** Model aliases this project may call; ["*"] allows every alias in `models`. */
  models: z.array(z.string().min(1)).min(1).default(['*']),
  cache: cache.default(cache.parse({})),
  request: z
    .strictObject({ max_body_bytes: z.int().min(1024).max(32 * 1024 * 1024).default(1024 * 1024) })
    .default({ max_body_bytes: 1024 * 1024 }),
  /** Usage telemetry: prompts and answers are kept (redacted, truncated) only when opted in. */
  telemetry: z
    .strictObject({
      log_prompts: z.boolean().default(false),
      max_logged_chars: z.int().min(256).max(16_384).default(4_096),
      /** Raw usage events older than this are deleted by the hourly cron; the per-minute rollups stay.
       *  At least 8: weekly reports and the admin's 7-day views read raw events. */
      retention_days: z.int().min(8, 'must be ≥ 8 (weekly reports read the last 7 days of raw events)').max(3650).default(30),
      /** Postgres (the long-term store) keeps raw events unless this is set; then older ones are folded into daily rollups. */
      postgres_retention_days: z.int().min(8, 'must be ≥ 8 (weekly reports read the last 7 days of raw events)').max(36_500).optional(),
    })
    .default({ log_prompts: false, max_logged_chars: 4_096, retention_days: 30 }),
  /** Declarative request rules, evaluated in order by the guard stage (see policy/rules/). */
  rules: z.array(ruleSchema).max(200).default([]),
  /** PII guardrail: allow | redact | block per kind, and restore (see policy/pii.ts). */
  pii: piiSchema.optional(),
  limits: limitsSchema.optional(),
  budgets: budgetsSchema.optional(),
  alerts: alertsSchema.optional(),
  reports: reportsSchema.optional(),
  /** Stored Responses (`previous_response_id`, GET /v1/responses/{id}): see policy/responses.ts. */
  responses: responsesPolicySchema,
  /** Spend or token growth per key and session against its baseline (see policy/anomaly-schema.ts). */
  anomaly: anomalySchema.optional(),
})

/** One YAML file: any subset of the sections; files are merged by entry name. */
export const policyFileSchema = z.strictObject({
  providers: z.record(name, provider).optional(),
  models: z.record(z.string().min(1), route).optional(),
  projects: z.record(name, project).optional(),
  /** A/B experiments (see policy/experiments.ts). */
  experiments: z.record(name, experimentSchema).optional(),
})

export type PolicyFile = z.output<typeof policyFileSchema>
export type ProviderPolicy = z.output<typeof provider>
export type RoutePolicy = z.output<typeof route>
export type ProjectPolicy = z.output<typeof project>
export type CachePolicy = z.output<typeof cache>
export type SemanticCachePolicy = z.output<typeof semanticCache>
export type SecretRef = z.output<typeof secretRef>
export type ProviderType = (typeof providerTypes)[number]
