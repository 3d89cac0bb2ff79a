/**
 * The policy of the `limit` stage, per project: rate limits (`limits`), spend caps (`budgets`),
 * threshold alerts (`alerts`) and scheduled usage reports (`reports`). Cross-references (aliases,
 * prices, webhooks) are checked by check-limits.ts once the whole policy is merged.
 */
import { z } from 'zod'

const name = z.string().regex(/^[a-z0-9][a-z0-9._-]*$/i, 'must be letters, digits, ".", "_" or "-"')
const upperSnake = z.string().regex(/^[A-Z][A-Z0-9_]*$/, 'must be an UPPER_SNAKE_CASE name')
/** What happens when the counter backend cannot be reached in time. */
const fail = z.enum(['open', 'closed'])

const scopeLimits = z
  .strictObject({
    /** Requests per window. */
    requests: z.int().min(1).max(1_000_000_000).optional(),
    /** Prompt + completion tokens per window (estimated before the call, corrected after it). */
    tokens: z.int().min(1).max(1_000_000_000_000).optional(),
  })
  .refine((s) => s.requests !== undefined || s.tokens !== undefined, 'needs `requests` or `tokens`')

export const limitsSchema = z.strictObject({
  /** Per API key. */
  key: scopeLimits.optional(),
  /** All keys of the project together. */
  project: scopeLimits.optional(),
  /** The window the numbers are per: a token bucket of that many refills evenly over this many seconds. */
  window_seconds: z.int().min(1).max(86_400).default(60),
  /** durable-object: exact, all-Cloudflare · upstash: @upstash/ratelimit · binding: the Workers rate-limit binding (requests only, approximate). */
  backend: z.enum(['durable-object', 'upstash', 'binding']).default('durable-object'),
  /** backend binding: which rate-limit binding (its limit and period are set in wrangler.jsonc). */
  binding: upperSnake.default('RATE_LIMITER'),
  /** Rate limits fail open by default: an outage of the counters must not become an outage of the gateway. */
  fail: fail.default('open'),
  /** Longest wait for the counters (rate limits and budgets) before `fail` applies. */
  timeout_ms: z.int().min(10).max(10_000).default(1_000),
  /** Output tokens a request without `max_tokens` is assumed to ask for (token limits, budget reservations). */
  assume_max_tokens: z.int().min(1).max(1_000_000).default(4_096),
})

const budget = z
  .strictObject({
    /** Who the cap is for: the whole project, each API key, or each `X-WatchLLM-Session`. */
    scope: z.enum(['project', 'key', 'session']),
    /** Calendar period in UTC; `session`: for as long as the session id is used (session scope only). */
    period: z.enum(['day', 'month', 'session']).optional(),
    usd: z.number().positive().max(1_000_000_000).optional(),
    /** Prompt + completion tokens (session scope only). */
    tokens: z.int().min(1).max(1_000_000_000_000).optional(),
    /** session scope: which session ids this budget covers (`*` wildcards), e.g. `demo-*`. */
    sessions: z.string().min(1).max(128).optional(),
    /** block: 429 `budget_exceeded` · downgrade: serve from `downgrade_to` once the cap is reached (never blocks). */
    action: z.enum(['block', 'downgrade']).default('block'),
    downgrade_to: z.string().min(1).optional(),
    /** Budgets fail closed by default: a spending cap that opens in an outage is no cap. */
    fail: fail.default('closed'),
  })
  .superRefine((b, ctx) => {
    if (b.usd === undefined && b.tokens === undefined) ctx.addIssue({ code: 'custom', path: ['usd'], message: 'is required (or `tokens`)' })
    if (b.usd !== undefined && b.tokens !== undefined) ctx.addIssue({ code: 'custom', path: ['tokens'], message: 'a budget counts either `usd` or `tokens`, not both' })
    if (b.action === 'downgrade' && !b.downgrade_to) ctx.addIssue({ code: 'custom', path: ['downgrade_to'], message: 'is required with action downgrade' })
    if (b.action === 'block' && b.downgrade_to) ctx.addIssue({ code: 'custom', path: ['downgrade_to'], message: 'only applies to action downgrade' })
    if (b.scope !== 'session' && b.sessions !== undefined) ctx.addIssue({ code: 'custom', path: ['sessions'], message: 'only applies to scope session' })
    if (b.scope !== 'session' && b.period === 'session') ctx.addIssue({ code: 'custom', path: ['period'], message: 'session only applies to scope session' })
  })

/** Named budgets: the name is what a 429, an alert and `/v1/budget` call it. */
export const budgetsSchema = z.record(name, budget)

const webhook = z.strictObject({
  /** The webhook URL, a Worker secret (it usually embeds a token). */
  url: z.strictObject({ secret: upperSnake }),
  /** slack: `{"text": …}` (Slack, Mattermost, Discord's /slack) · generic: JSON signed with HMAC-SHA256. */
  format: z.enum(['slack', 'generic']).default('slack'),
  /** generic: the HMAC key, a Worker secret. */
  signing_key: z.strictObject({ secret: upperSnake }).optional(),
})

export const alertsSchema = z.strictObject({
  webhook: webhook.optional(),
  /** Percent of each budget; each is announced once per budget and period. */
  thresholds: z.array(z.int().min(1).max(100)).min(1).max(10).default([50, 80, 100]),
})

export const reportsSchema = z.strictObject({
  /** Yesterday's usage (UTC), posted after midnight. */
  daily: z.boolean().default(false),
  /** Last week's usage (ISO week, UTC), posted on Mondays. */
  weekly: z.boolean().default(false),
})

export type LimitsPolicy = z.output<typeof limitsSchema>
export type BudgetPolicy = z.output<typeof budget>
export type BudgetsPolicy = z.output<typeof budgetsSchema>
export type AlertsPolicy = z.output<typeof alertsSchema>
export type ReportsPolicy = z.output<typeof reportsSchema>
