/**
 * Facts + cost → the usage event. Pure: the middleware gathers the inputs (clock readings
 * included), so this is deterministic and tested without a runtime.
 */
import { EVENT_VERSION, type PriceStatus, type UsageEvent } from './event.ts'
import type { RequestFacts } from './request-facts.ts'

/** What the event's `endpoint` says: the kind of call, or the API shape it came in (Messages, Responses). */
export type EventEndpoint = UsageEvent['endpoint']

export interface EventCost {
  costUsd: number | null
  costSavedUsd: number | null
  status: PriceStatus
}

export interface EventInput {
  requestId: string
  startedAt: number
  /** When the response was complete: a stream's end, else when it was handed back. */
  endedAt: number
  project: string
  keyId: string
  endpoint: EventEndpoint
  httpStatus: number
  facts: RequestFacts
  cost: EventCost
  policyHash: string
  session: string | null
  userId: string | null
  /** Redacted text, only for projects that opted in. */
  prompt: string | null
  answer: string | null
}

const MAX_ATTEMPTS_KEPT = 20

export function buildEvent(input: EventInput): UsageEvent {
  const { facts } = input
  const usage = facts.usage
  // An error response names its code in facts; a stream that started fine but was cut short
  // keeps status 200 (the headers were sent) and is marked here.
  const status = facts.status ?? input.httpStatus
  const incompleteStream = facts.stream && status < 400 && facts.completed === false
  return {
    v: EVENT_VERSION,
    request_id: input.requestId,
    ts: input.startedAt,
    project: input.project,
    key_id: input.keyId,
    session: input.session,
    user_id: input.userId,
    endpoint: input.endpoint,
    model_requested: facts.modelRequested ?? null,
    model_served: facts.modelServed ?? null,
    provider: facts.provider ?? null,
    variant: facts.variant ?? null,
    stream: facts.stream,
    cache: facts.cache ?? null,
    similarity: facts.similarity ?? null,
    status,
    error_code: facts.errorCode ?? (incompleteStream ? 'stream_incomplete' : null),
    completed: facts.completed === true,
    attempts: facts.attempts.length,
    latency_ms: roundMs(Math.max(0, input.endedAt - input.startedAt)),
    upstream_ms: facts.upstreamMs === undefined ? null : roundMs(facts.upstreamMs),
    ttfb_ms: facts.ttfbMs === undefined ? null : roundMs(facts.ttfbMs),
    input_tokens: usage?.inputTokens ?? 0,
    output_tokens: usage?.outputTokens ?? 0,
    cached_tokens: usage?.cachedInputTokens ?? 0,
    reasoning_tokens: usage?.reasoningTokens ?? 0,
    cost_usd: input.cost.costUsd,
    cost_saved_usd: input.cost.costSavedUsd,
    price_status: input.cost.status,
    rule_id: facts.ruleId ?? null,
    pii: facts.piiKinds && facts.piiKinds.length > 0 ? [...facts.piiKinds] : facts.piiCounts ? Object.keys(facts.piiCounts) : null,
    budget: facts.budget ?? null,
    rate_limit: facts.rateLimit ?? null,
    policy_hash: input.policyHash,
    attempts_detail: facts.attempts.slice(0, MAX_ATTEMPTS_KEPT).map((a) => ({
      provider: a.provider,
      model: a.model,
      status: a.status,
      ms: roundMs(a.ms),
      ...(a.error ? { error: a.error.slice(0, 512) } : {}),
    })),
    prompt: input.prompt,
    answer: input.answer,
    experiment: facts.experiment ?? null,
    pii_counts: facts.piiCounts ?? null,
    rules: facts.ruleHits && facts.ruleHits.length > 0 ? facts.ruleHits.slice(0, 200) : null,
    cache_write_tokens: usage?.cacheWriteTokens ?? 0,
    cache_write_1h_tokens: usage?.cacheWrite1hTokens ?? 0,
    client_request_id: facts.clientRequestId ?? null,
    anomaly_id: facts.anomaly?.id ?? null,
    anomaly_ratio: facts.anomaly ? Math.round(facts.anomaly.ratio * 1000) / 1000 : null,
    lookup_budget_stage: facts.lookupBudgetStage ?? null,
  }
}

const roundMs = (ms: number): number => Math.round(ms * 100) / 100
