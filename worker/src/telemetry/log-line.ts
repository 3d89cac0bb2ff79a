/**
 * The one structured log line per request (Workers Logs / Logpush index its JSON fields): who
 * (request id, project, key id — a policy id, never a key), what (method, path, endpoint, model,
 * provider), how it went (cache result, status, error code, latency, attempts, tokens, cost).
 * Built from the usage event when the request made one (its usage and cost are final, a stream's
 * included), else from the facts the pipeline gathered. Never prompts, answers, keys or headers.
 */
import type { UsageEvent } from './event.ts'
import type { RequestFacts } from './request-facts.ts'

export interface RequestLogLine {
  msg: 'request'
  request_id: string
  client_request_id: string | null
  method: string
  path: string
  status: number
  latency_ms: number
  project: string | null
  key_id: string | null
  endpoint: string | null
  model: string | null
  provider: string | null
  cache: string | null
  stream: boolean
  error_code: string | null
  attempts: number
  tokens_in: number
  tokens_out: number
  cost_usd: number | null
  price_status: string | null
  /** The pre-upstream stage that ran out of `cache.lookup_budget_ms`, else null. */
  lookup_budget_stage: string | null
}

export interface LineContext {
  requestId: string
  method: string
  path: string
  status: number
  latencyMs: number
  project?: string
  keyId?: string
}

/** Paths are logged without their query (which may carry anything) and cut to a sane length. */
const pathOf = (path: string): string => path.slice(0, 200)
const round = (ms: number): number => Math.round(ms * 100) / 100

export function lineFromEvent(event: UsageEvent, ctx: Pick<LineContext, 'method' | 'path'>): RequestLogLine {
  return {
    msg: 'request',
    request_id: event.request_id,
    client_request_id: event.client_request_id ?? null,
    method: ctx.method,
    path: pathOf(ctx.path),
    status: event.status,
    latency_ms: event.latency_ms,
    project: event.project,
    key_id: event.key_id,
    endpoint: event.endpoint,
    model: event.model_served ?? event.model_requested,
    provider: event.provider,
    cache: event.cache,
    stream: event.stream,
    error_code: event.error_code,
    attempts: event.attempts,
    tokens_in: event.input_tokens,
    tokens_out: event.output_tokens,
    cost_usd: event.cost_usd,
    price_status: event.price_status,
    lookup_budget_stage: event.lookup_budget_stage ?? null,
  }
}

export function lineFromFacts(facts: RequestFacts, ctx: LineContext): RequestLogLine {
  return {
    msg: 'request',
    request_id: ctx.requestId,
    client_request_id: facts.clientRequestId ?? null,
    method: ctx.method,
    path: pathOf(ctx.path),
    status: facts.status ?? ctx.status,
    latency_ms: round(ctx.latencyMs),
    project: ctx.project ?? null,
    key_id: ctx.keyId ?? null,
    endpoint: null,
    model: facts.modelServed ?? facts.modelRequested ?? null,
    provider: facts.provider ?? null,
    cache: facts.cache ?? null,
    stream: facts.stream,
    error_code: facts.errorCode ?? null,
    attempts: facts.attempts.length,
    tokens_in: facts.usage?.inputTokens ?? 0,
    tokens_out: facts.usage?.outputTokens ?? 0,
    cost_usd: null,
    price_status: null,
    lookup_budget_stage: facts.lookupBudgetStage ?? null,
  }
}
