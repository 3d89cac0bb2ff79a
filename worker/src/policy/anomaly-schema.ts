/**
 * `projects.<p>.anomaly`: spend or token growth per key and per session, judged by each scope's
 * ledger at settlement (governance/anomaly.ts). The rolling window's rate is compared with the
 * trailing baseline's; past `ratio` the request is flagged, announced, or the scope blocked.
 * Cross-references (a webhook for `alert`, prices for `usd`) are checked by check-anomaly.ts.
 */
import { z } from 'zod'

/** The baseline may be at most this many windows long: it bounds each scope's buckets (4 per window). */
export const MAX_BASELINE_WINDOWS = 100

export const anomalySchema = z
  .strictObject({
    /** What grows: the priced spend of the answers (`usd`) or their prompt + completion tokens. */
    metric: z.enum(['usd', 'tokens']),
    /** Whose growth: each API key, and/or each `X-WatchLLM-Session` value. */
    scopes: z.array(z.enum(['key', 'session'])).min(1).max(2),
    /** The rolling window whose rate is judged. */
    window_seconds: z.int().min(8).max(86_400),
    /** The trailing period just before the window: the "usual" rate. */
    baseline_seconds: z.int().min(8).max(30 * 86_400),
    /** Flag once the window's rate is at least this many times the baseline's. */
    ratio: z.number().min(1.5).max(1_000_000),
    /**
     * The baseline must hold at least this much (USD or tokens) before anything is judged, so a new
     * key's or session's first requests are never "infinite growth". Default: $0.01, or 10,000 tokens.
     */
    min_baseline: z.number().positive().max(1_000_000_000_000).optional(),
    /** flag: the usage event and the admin · alert: also the alerts webhook · block: also refuse the scope (429) for the cooldown. */
    action: z.enum(['flag', 'alert', 'block']).default('flag'),
    /** After an anomaly, how long before the scope can be flagged again — and, with `block`, how long it is refused. Default: the window. */
    cooldown_seconds: z.int().min(8).max(7 * 86_400).optional(),
  })
  .superRefine((a, ctx) => {
    if (new Set(a.scopes).size !== a.scopes.length) ctx.addIssue({ code: 'custom', path: ['scopes'], message: 'lists a scope twice' })
    if (a.baseline_seconds < a.window_seconds)
      ctx.addIssue({ code: 'custom', path: ['baseline_seconds'], message: `must be at least the window (${a.window_seconds} s): a baseline shorter than the window says little about the usual rate` })
    if (a.baseline_seconds > MAX_BASELINE_WINDOWS * a.window_seconds)
      ctx.addIssue({ code: 'custom', path: ['baseline_seconds'], message: `must be at most ${MAX_BASELINE_WINDOWS} windows (${MAX_BASELINE_WINDOWS * a.window_seconds} s): lengthen window_seconds` })
    if (a.cooldown_seconds !== undefined && a.cooldown_seconds < a.window_seconds)
      ctx.addIssue({ code: 'custom', path: ['cooldown_seconds'], message: `must be at least the window (${a.window_seconds} s), so one spike is announced once` })
  })

export type AnomalyPolicy = z.output<typeof anomalySchema>
