/**
 * The usage event: one per request, the only thing that crosses the queue. Versioned (`v`), flat,
 * with field names equal to the D1 / Postgres column names so the writers map it 1:1.
 * Never carries key material or PII values; `prompt` / `answer` only when the project opts in,
 * redacted. The consumer validates every message against this schema before writing it.
 */
import { z } from 'zod'

export const EVENT_VERSION = 1

/** How the event's cost was obtained. */
export const priceStatuses = [
  /** From the provider's reported usage and the price table. */
  'priced',
  /** The mock provider: priced as the model it stands in for, never a real charge. */
  'simulated',
  /** The price table does not know the provider/model: cost is null, never $0. */
  'unpriced',
  /** Nothing to price (no usage: an error before any answer). */
  'none',
] as const
export type PriceStatus = (typeof priceStatuses)[number]

const text = (max: number) => z.string().max(max)
const count = z.int().min(0)
const ms = z.number().min(0)

export const attemptSchema = z.strictObject({
  provider: text(128),
  model: text(256),
  status: z.int(),
  ms,
  error: text(512).optional(),
})

export const usageEventSchema = z.strictObject({
  v: z.literal(EVENT_VERSION),
  request_id: text(128).min(1),
  /** ms since epoch, when the request arrived. */
  ts: z.int().min(0),
  project: text(128),
  key_id: text(128),
  session: text(128).nullable(),
  user_id: text(128).nullable(),
  /** The kind of call, or the API shape it came in: `messages` (Anthropic), `responses` (OpenAI Responses). */
  endpoint: z.enum(['chat', 'embeddings', 'messages', 'responses']),
  model_requested: text(256).nullable(),
  model_served: text(256).nullable(),
  provider: text(128).nullable(),
  variant: text(128).nullable(),
  stream: z.boolean(),
  cache: z.enum(['HIT', 'SEMANTIC', 'MISS', 'BYPASS']).nullable(),
  similarity: z.number().min(0).max(1).nullable(),
  status: z.int().min(100).max(599),
  error_code: text(128).nullable(),
  completed: z.boolean(),
  attempts: count,
  /** Until the answer was complete (a stream's end); ttfb: until its first byte. */
  latency_ms: ms,
  upstream_ms: ms.nullable(),
  ttfb_ms: ms.nullable(),
  input_tokens: count,
  output_tokens: count,
  cached_tokens: count,
  reasoning_tokens: count,
  cost_usd: z.number().min(0).nullable(),
  /** On a cache hit: what the answer would have cost from its provider. */
  cost_saved_usd: z.number().min(0).nullable(),
  price_status: z.enum(priceStatuses),
  rule_id: text(128).nullable(),
  /** Kinds of PII found (`email`, `card`…), never the values. */
  pii: z.array(text(32)).max(32).nullable(),
  budget: text(64).nullable(),
  rate_limit: text(64).nullable(),
  policy_hash: text(64),
  attempts_detail: z.array(attemptSchema).max(20),
  prompt: text(16_384).nullable(),
  answer: text(16_384).nullable(),
  // Added after v1 shipped (migrations d1/0004, postgres/0003): optional, so events already queued stay valid.
  /** The A/B experiment `variant` belongs to. */
  experiment: text(128).nullable().optional(),
  /** PII redacted (or found, when the request was blocked) by kind: counts, never values. */
  pii_counts: z.record(text(32), count).nullable().optional(),
  /** Every rule that matched, in order, with its action. */
  rules: z.array(z.strictObject({ id: text(64), action: text(16) })).max(200).nullable().optional(),
  // Added for provider prompt caching (migrations d1/0007, postgres/0005). `cached_tokens` counts cache reads.
  /** Input tokens written to the provider's prompt cache (part of input_tokens). */
  cache_write_tokens: count.optional(),
  /** Of those, written with the 1-hour TTL. */
  cache_write_1h_tokens: count.optional(),
  // Added by migrations d1/0006, postgres/0004: `request_id` is always the gateway's own id.
  /** The client's `X-Request-Id`, when it sent a sane one: a label to search by, never a key. */
  client_request_id: text(128).nullable().optional(),
  // Added with anomaly detection (migrations d1/0008, postgres/0006).
  /** The anomaly this request tripped, or was refused for (`anomaly_blocked`): the `anomalies` row's id. */
  anomaly_id: text(64).nullable().optional(),
  /** Its measured growth: the window's rate over the baseline's. */
  anomaly_ratio: z.number().min(0).nullable().optional(),
  // Added with the pre-upstream budget (migrations d1/0011, postgres/0009).
  /** The stage that found `cache.lookup_budget_ms` spent (limits | location | exact | semantic): its lookup was skipped. */
  lookup_budget_stage: text(16).nullable().optional(),
})

export type UsageEvent = z.output<typeof usageEventSchema>
export type AttemptRecord = z.output<typeof attemptSchema>
