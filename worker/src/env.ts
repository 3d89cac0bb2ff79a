/**
 * The Hono environment of the gateway: bindings come from `wrangler types` (worker-configuration.d.ts);
 * secrets are named by policy, so they are read by name through `secretOf`.
 */
import type { CacheIntent } from './cache/cache-control.ts'
import type { LookupBudget } from './cache/lookup-budget.ts'
import type { Admission } from './governance/admission.ts'
import type { KeyOwner } from './policy/compile.ts'
import type { ProjectPolicy } from './policy/schema.ts'
import type { ResolvedRoute } from './providers/types.ts'
import type { NativeRequest, ShapeId } from './shapes/types.ts'
import type { UsageEvent } from './telemetry/event.ts'
import type { RequestFacts, TokenUsage } from './telemetry/request-facts.ts'

export type GatewayEnv = Env & {
  UPSTASH_REDIS_REST_URL?: string
  UPSTASH_REDIS_REST_TOKEN?: string
  /** The local OpenAI-compatible embeddings endpoint (`npm start`, tests): the semantic cache's embedder when Workers AI is not bound. */
  EMBEDDINGS_URL?: string
}

export type Endpoint = 'chat' | 'embeddings'

export interface AppVariables {
  requestId: string
  /** ms since epoch when the request arrived. */
  startedAt: number
  caller: KeyOwner & { keyHash: string }
  project: ProjectPolicy
  /** The validated request body (OpenAI shape), set by `validate`; for /v1/messages and /v1/responses, the chat view of `native`. */
  body: Record<string, unknown>
  /** /v1/messages and /v1/responses: the request in its own shape (shapes/types.ts). */
  native?: NativeRequest
  endpoint: Endpoint
  route: ResolvedRoute
  /** What the client asked of the caches (read / write / namespace), set by the exact cache for the semantic one. */
  cacheIntent?: CacheIntent
  /** What happened to this request, filled in by each stage; telemetry reads it at the end. */
  facts: RequestFacts
  /** Set by the upstream stage: the complete answer once it is known (a stream resolves at its end). */
  answer?: Promise<StoredAnswer | undefined>
  /** A /v1/messages or /v1/responses cache hit, as served (in the request's shape): the Responses store keeps hits too. */
  hit?: StoredAnswer
  /** Set by the limit stage when the request was admitted: its reservations, and the stream meter. */
  limits?: Admission
  /** The pre-upstream time budget (cache.lookup_budget_ms), started by the limit stage; the cache stages spend it. */
  lookupBudget?: LookupBudget
  /** Set by telemetry when the request makes a usage event: resolves to it once built (the log line uses it). */
  usageEvent?: Promise<UsageEvent | undefined>
}

/** A complete, successful answer as the caches keep it. */
export interface StoredAnswer {
  endpoint: Endpoint
  provider: string
  model: string
  usage?: TokenUsage
  /** The ChatCompletion / CreateEmbeddingResponse JSON exactly as the client received it. */
  raw: string
  /** Answered by the `mock` provider: never stored outside WATCHLLM_ENV=local (cache/may-store.ts). */
  simulated?: true
  /** A /v1/messages or /v1/responses answer: its shape, and its JSON as the client received it (`raw` is the chat view of it). */
  shape?: ShapeId
  native?: string
}

export type AppEnv = { Bindings: GatewayEnv; Variables: AppVariables }

/** A Worker secret or var by name (names come from policy); undefined when unset or empty. */
export function secretOf(env: GatewayEnv, name: string): string | undefined {
  const value = (env as unknown as Record<string, unknown>)[name]
  return typeof value === 'string' && value.length > 0 ? value : undefined
}
