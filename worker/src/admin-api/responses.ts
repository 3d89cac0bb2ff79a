/**
 * The admin API's JSON answers: the contract between the gateway and the admin site, which imports
 * these types (type-only) so both sides change together. Times are ms since epoch; money is USD.
 */

export interface Range {
  from: number
  to: number
}

export interface OverviewResponse {
  range: Range
  requests: number
  errors: number
  error_rate: number | null
  cache: { exact_hits: number; semantic_hits: number; misses: number; bypassed: number; hit_rate: number | null }
  cost: { usd: number; saved_usd: number; unpriced_requests: number; simulated_requests: number }
  tokens: { input: number; output: number }
  latency_ms: { p50: number | null; p95: number | null; mean: number | null }
  telemetry: { dead_lettered: number; latest_event_at: number | null }
}

export interface TimeseriesPoint {
  t: number
  requests: number
  errors: number
  hits: number
  misses: number
  hit_rate: number | null
  cost_usd: number
  cost_saved_usd: number
  p50_ms: number | null
  p95_ms: number | null
}

export interface TimeseriesResponse {
  range: Range
  step_ms: number
  points: TimeseriesPoint[]
}

export interface RequestSummary {
  request_id: string
  ts: number
  project: string
  key_id: string
  endpoint: 'chat' | 'embeddings'
  model_requested: string | null
  model_served: string | null
  provider: string | null
  variant: string | null
  stream: boolean
  cache: 'HIT' | 'SEMANTIC' | 'MISS' | 'BYPASS' | null
  similarity: number | null
  status: number
  error_code: string | null
  latency_ms: number
  ttfb_ms: number | null
  input_tokens: number
  output_tokens: number
  cost_usd: number | null
  cost_saved_usd: number | null
  price_status: 'priced' | 'simulated' | 'unpriced' | 'none'
}

export interface RequestsResponse {
  range: Range
  items: RequestSummary[]
  next_cursor: string | null
}

export interface RequestDetail extends RequestSummary {
  v: number
  session: string | null
  user_id: string | null
  completed: boolean
  attempts: number
  upstream_ms: number | null
  cached_tokens: number
  reasoning_tokens: number
  rule_id: string | null
  pii: string[] | null
  experiment: string | null
  pii_counts: Record<string, number> | null
  rules: { id: string; action: string }[] | null
  budget: string | null
  rate_limit: string | null
  policy_hash: string
  attempts_detail: { provider: string; model: string; status: number; ms: number; error?: string }[]
  prompt: string | null
  answer: string | null
}

export interface CacheResponse {
  range: Range
  exact_hits: number
  semantic_hits: number
  misses: number
  bypassed: number
  hit_rate: number | null
  saved_usd: number
  by_model: { model: string; exact_hits: number; semantic_hits: number; misses: number; hit_rate: number | null; saved_usd: number }[]
  similarity_histogram: { from: number; to: number; count: number }[]
}

export interface CostGroup {
  requests: number
  cost_usd: number
  saved_usd: number
  unpriced_requests: number
  simulated_requests: number
  input_tokens: number
  output_tokens: number
  /** Input tokens the providers served from their prompt caches (part of input_tokens). */
  cache_read_tokens: number
  /** Input tokens written to the providers' prompt caches (part of input_tokens), and those with the 1-hour TTL. */
  cache_write_tokens: number
  cache_write_1h_tokens: number
}

export interface CostsResponse {
  range: Range
  total: CostGroup
  by_project: (CostGroup & { project: string })[]
  by_key: (CostGroup & { project: string; key_id: string })[]
  by_model: (CostGroup & { provider: string; model: string })[]
}

/** A point estimate with its 95 % interval; nulls when there is not enough data. */
export interface Interval {
  value: number | null
  low: number | null
  high: number | null
}

export type MetricName = 'feedback' | 'error_rate' | 'latency' | 'cost'

export interface VariantReport {
  id: string
  /** From policy (null for a variant the policy no longer names). */
  weight: number | null
  routes_to: string | null
  params: Record<string, unknown> | null
  requests: number
  errors: number
  /** Wilson score interval. */
  error_rate: Interval
  /** Successful requests; interval between order statistics (distribution-free). */
  latency_p50_ms: Interval
  latency_p95_ms: Interval
  /** Over priced requests (cache hits count as $0); Student t interval. */
  priced_requests: number
  cost_per_request_usd: Interval
  cache_lookups: number
  /** Hits over lookups; Wilson score interval. */
  cache_hit_rate: Interval
  feedback_count: number
  /** Mean score of the feedback joined to this variant's requests; Student t interval. */
  feedback_mean: Interval
}

export interface Comparison {
  /** The challenger, compared with the control (the first variant). */
  variant: string
  metric: MetricName
  /** two-proportion z-test | Welch's t-test | Mann–Whitney U test. */
  test: string | null
  p_value: number | null
  /** Challenger minus control (rate, USD, score, or median ms). */
  difference: number | null
  significant: boolean
  direction: 'better' | 'worse' | 'no_difference'
  /** Why no test was run, when none was. */
  note: string | null
}

export interface ExperimentReport {
  id: string
  description: string | null
  /** `removed`: the events name it, the deployed policy no longer does. */
  status: 'active' | 'paused' | 'ended' | 'removed'
  /** What names a winner. */
  metric: MetricName
  sticky: 'user' | 'session' | 'key' | null
  models: string[]
  /** The significance level each comparison is held to (0.05, Bonferroni-corrected). */
  alpha: number
  variants: VariantReport[]
  comparisons: Comparison[]
  winner: { variant: string; metric: MetricName; test: string; p_value: number } | null
  /** One sentence: who wins and by which test, or why nobody does yet. */
  verdict: string
}

export interface ExperimentsResponse {
  range: Range
  configured: boolean
  confidence: number
  /** Observations each arm needs before a test is run. */
  min_sample: number
  experiments: ExperimentReport[]
}

export interface Outcome {
  value: string
  requests: number
  blocked: number
}

export interface BudgetsResponse {
  range: Range
  budgets: { configured: boolean; outcomes: Outcome[] }
  rate_limits: { configured: boolean; outcomes: Outcome[] }
  /** Each project and key budget of the deployed policy, read live from its ledger; session budgets as declared. */
  states: BudgetState[]
  /** Limit refusals, downgrades, stream cuts and anomaly blocks per time bucket (empty buckets are zeros). */
  series: { step: number; points: { t: number; rate_limited: number; budget_refused: number; downgraded: number; stream_cuts: number; anomaly_blocked: number }[] }
  /** The most recent streams a budget cut (up to 20). */
  stream_cuts: { request_id: string; ts: number; project: string; key_id: string; session: string | null; budget: string; output_tokens: number }[]
  /** Threshold alerts in the range, newest first (up to 50), and how their delivery went. */
  alerts: { ts: number; project: string; scope: string; subject: string; budget: string; period: string; threshold: number; refusing: boolean; status: string; attempts: number }[]
  /** Anomalies the key and session ledgers flagged in the range. */
  anomalies: AnomaliesView
}

export interface AnomaliesView {
  /** Whether any project of the deployed policy declares `anomaly`. */
  configured: boolean
  /** Newest first, up to 50. Amounts are USD or tokens (`metric`); `until`: the end of the cooldown (with `block`, of the refusals). */
  list: {
    id: string
    ts: number
    project: string
    scope: 'key' | 'session'
    subject: string
    metric: 'usd' | 'tokens'
    window_start: number
    window_ms: number
    window_amount: number
    baseline_ms: number
    baseline_amount: number
    ratio: number
    threshold: number
    action: 'flag' | 'alert' | 'block'
    until: number
    request_id: string | null
    /** recorded (flag, or no webhook) | sending | sent | failed */
    status: string
    attempts: number
  }[]
}

export interface BudgetState {
  project: string
  name: string
  scope: 'project' | 'key' | 'session'
  /** The project or key id; for a session budget, the sessions it covers (e.g. `demo-*`). */
  subject: string
  /** The current period (`2026-05-14`, `2026-05`, `session`) and when it ends (ms; null for sessions). */
  period: string
  resets_at: number | null
  unit: 'usd' | 'tokens'
  limit: number
  /** null when not read (per-session budgets: one counter per session) or its ledger did not answer. */
  used: number | null
  reserved: number | null
  action: 'block' | 'downgrade'
  /** ok < 80 % · warning ≥ 80 % · exceeded ≥ 100 % · per-session · unavailable */
  state: 'ok' | 'warning' | 'exceeded' | 'per-session' | 'unavailable'
}

export interface GuardrailsResponse {
  range: Range
  /** Rule hits by rule and action (a request hit by two rules counts for both). */
  rules: { configured: boolean; hits: { id: string; action: string; requests: number }[] }
  /** PII by kind: requests it was found in, values redacted, requests blocked for it. */
  pii: { configured: boolean; kinds: { kind: string; requests: number; values: number; blocked: number }[] }
}

export interface PolicyResponse {
  hash: string
  version: number
  environment: string
  sources: string[]
  projects: {
    name: string
    description: string | null
    keys: { id: string; local_only: boolean }[]
    models: string[]
    cache: {
      exact: { enabled: boolean; store: string; ttl_seconds: number; embeddings_ttl_seconds: number }
      semantic: { enabled: boolean; threshold?: number; ttl_seconds: number }
    }
    log_prompts: boolean
    max_body_bytes: number
    rules: { id: string; when: string[]; action: string }[]
    pii: { restore: boolean; actions: Record<string, 'allow' | 'redact' | 'block'> } | null
  }[]
  routes: {
    alias: string
    kind: 'chat' | 'embeddings'
    targets: { provider: string; model: string; type: string | null }[]
    retry: { attempts: number; backoff_ms: number }
    timeout_ms: number
  }[]
  experiments: {
    id: string
    status: 'active' | 'paused' | 'ended'
    models: string[]
    projects: string[] | null
    sticky: 'user' | 'session' | 'key'
    metric: MetricName
    variants: { id: string; weight: number }[]
  }[]
  providers: { name: string; type: string; secret: string | null; base_url: string | null }[]
}

/** Every error, in OpenAI's shape. */
export interface ErrorResponse {
  error: { message: string; type: string; param: string | null; code: string }
}
