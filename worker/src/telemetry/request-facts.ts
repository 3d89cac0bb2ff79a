/**
 * What happened to one request, filled in stage by stage and read once at the end by telemetry.
 * Plain data only: no prompt text, no key material.
 */

export type CacheStatus = 'HIT' | 'SEMANTIC' | 'MISS' | 'BYPASS'

export interface TokenUsage {
  inputTokens: number
  outputTokens: number
  /** Input tokens the provider served from its own prompt cache. */
  cachedInputTokens: number
  reasoningTokens: number
  /** Input tokens written to the provider's prompt cache (Anthropic `cache_creation_input_tokens`); part of inputTokens. */
  cacheWriteTokens?: number
  /** Of those, written with the 1-hour TTL (priced higher than the 5-minute default). */
  cacheWrite1hTokens?: number
}

export interface Attempt {
  provider: string
  model: string
  /** HTTP status, or 0 for a timeout / connection error. */
  status: number
  ms: number
  error?: string
}

export interface RequestFacts {
  /** The client's own `X-Request-Id` when sane: a label kept beside the event, never its key. */
  clientRequestId?: string
  /** Model alias the client asked for. */
  modelRequested?: string
  cache?: CacheStatus
  similarity?: number
  provider?: string
  modelServed?: string
  attempts: Attempt[]
  stream: boolean
  /** Time to the upstream's response headers, and to the first byte sent to the client. */
  upstreamMs?: number
  ttfbMs?: number
  usage?: TokenUsage
  /** Set when the answer was complete (stream finished, JSON parsed). */
  completed?: boolean
  status?: number
  errorCode?: string
  /** A/B variant the resolve stage chose, when the route has variants. */
  variant?: string
  /** The experiment that variant belongs to. */
  experiment?: string
  /** Every rule that matched, in order, with its action (ids only). */
  ruleHits?: { id: string; action: string }[]
  /** PII redacted (or found, when blocked), by kind: counts only, never values. */
  piiCounts?: Record<string, number>
  /** Governance outcomes, set by the guard and limit stages: ids and kinds only, never values. */
  ruleId?: string
  piiKinds?: string[]
  /** e.g. `ok`, `exceeded`, `stream_cut`. */
  budget?: string
  /** e.g. `ok`, `limited`. */
  rateLimit?: string
  /** The anomaly this request tripped (its settlement crossed the ratio) or was refused for: id and measured growth. */
  anomaly?: { id: string; ratio: number }
  /** The pre-upstream stage that found `cache.lookup_budget_ms` spent (cache/lookup-budget.ts): its lookup was skipped. */
  lookupBudgetStage?: 'limits' | 'location' | 'exact' | 'semantic'
}

export const newFacts = (): RequestFacts => ({ attempts: [], stream: false })
