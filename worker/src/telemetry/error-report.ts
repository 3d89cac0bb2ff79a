/**
 * Optional error reporting to Sentry, through its Workers SDK (`@sentry/cloudflare`), when the
 * `SENTRY_DSN` secret is set: the gateway's unexpected failures (the 500s `toErrorResponse` logs)
 * become Sentry issues with their stack. Nothing else is sent — no request headers, bodies, user,
 * IP, breadcrumbs or console (no integrations at all; `beforeSend` drops request and user) — and every string
 * in the event passes `scrubSecrets` first. The client is built only when a DSN is set, on the first
 * failure: requests that do not fail never touch it (sentry-client.ts, loaded then).
 *
 * @example reportError(c.env, c.executionCtx, error, { request_id: c.get('requestId'), path: '/v1/chat/completions' })
 */
import type { GatewayEnv } from '../env.ts'
import { secretOf } from '../env.ts'
import { scrubSecrets } from '../lib/scrub.ts'

import type { Reporter, Tags } from './sentry-client.ts'
import { registerCache } from '../lib/isolate-caches.ts'

const reporters = new Map<string, Promise<Reporter>>()
registerCache('error-reporters', { size: () => reporters.size, bound: 2, unit: 'entries' })

export function reportError(env: GatewayEnv, ctx: { waitUntil(p: Promise<unknown>): void } | undefined, error: unknown, tags: Tags): void {
  const dsn = secretOf(env, 'SENTRY_DSN')
  if (!dsn) return
  let reporter = reporters.get(dsn)
  if (!reporter) {
    if (reporters.size >= 2) reporters.clear()
    // Loaded on the first failure only: isolates that never fail never evaluate the SDK.
    reporter = import('./sentry-client.ts').then((m) => m.makeReporter(dsn, secretOf(env, 'WATCHLLM_ENV') ?? 'production'))
    reporters.set(dsn, reporter)
  }
  const sent = reporter
    .then((r) => r.capture(error, tags))
    .catch((e: unknown) => console.error(JSON.stringify({ sentry: 'report_failed', error: scrubSecrets(String(e)).slice(0, 300) })))
  try {
    ctx?.waitUntil(sent)
  } catch {
    // No execution context (unit tests): the report still goes out.
  }
}
