/**
 * Optional error reporting to Sentry, through its Workers SDK (`@sentry/cloudflare`), when the
 * `SENTRY_DSN` secret is set: the gateway's unexpected failures (the 500s `toErrorResponse` logs)
 * become Sentry issues with their stack. Nothing else is sent — no request headers, bodies, user,
 * IP, breadcrumbs or console (no integrations at all; `beforeSend` drops request and user) — and every string
 * in the event passes `scrubSecrets` first. The client is built only when a DSN is set, on the first
 * failure: requests that do not fail never touch it. Named imports keep the bundle's share small
 * (+43 KiB gzip; the SDK's whole namespace would be +215 KiB).
 *
 * @example reportError(c.env, c.executionCtx, error, { request_id: c.var.requestId, path: '/v1/chat/completions' })
 */
import { CloudflareClient, createTransport, Scope } from '@sentry/cloudflare'
import { createStackParser } from '@sentry/core'
import { nodeStackLineParser } from '@sentry/core/server'
import type { GatewayEnv } from '../env.ts'
import { secretOf } from '../env.ts'
import { scrubSecrets } from '../lib/scrub.ts'

type Tags = Record<string, string>
interface Reporter {
  capture(error: unknown, tags: Tags): Promise<void>
}

const reporters = new Map<string, Promise<Reporter>>()

export function reportError(env: GatewayEnv, ctx: { waitUntil(p: Promise<unknown>): void } | undefined, error: unknown, tags: Tags): void {
  const dsn = secretOf(env, 'SENTRY_DSN')
  if (!dsn) return
  let reporter = reporters.get(dsn)
  if (!reporter) {
    if (reporters.size >= 2) reporters.clear()
    reporter = makeReporter(dsn, secretOf(env, 'WATCHLLM_ENV') ?? 'production')
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

async function makeReporter(dsn: string, environment: string): Promise<Reporter> {
  const client = new CloudflareClient({
    dsn,
    environment,
    integrations: [],
    maxBreadcrumbs: 0,
    stackParser: createStackParser(nodeStackLineParser()),
    transport: (options) =>
      createTransport(options, async (request) => {
        const res = await fetch(options.url, { method: 'POST', body: request.body as BodyInit, headers: options.headers })
        await res.body?.cancel()
        return { statusCode: res.status, headers: { 'retry-after': res.headers.get('retry-after'), 'x-sentry-rate-limits': res.headers.get('x-sentry-rate-limits') } }
      }),
    beforeSend: (event) => scrubEvent(event),
  })
  client.init()
  return {
    async capture(error, tags) {
      const scope = new Scope()
      scope.setTags(tags)
      client.captureException(error, undefined, scope)
      await client.flush(2_000)
    },
  }
}

/** Every string anywhere in the event, scrubbed; nothing about the request or the user kept. */
function scrubEvent<E extends { request?: unknown; user?: unknown; breadcrumbs?: unknown }>(event: E): E {
  delete event.request
  delete event.user
  delete event.breadcrumbs
  return scrubStrings(event) as E
}

function scrubStrings(value: unknown, depth = 0): unknown {
  if (typeof value === 'string') return scrubSecrets(value)
  if (depth > 12 || value === null || typeof value !== 'object') return value
  if (Array.isArray(value)) return value.map((v) => scrubStrings(v, depth + 1))
  for (const [k, v] of Object.entries(value)) (value as Record<string, unknown>)[k] = scrubStrings(v, depth + 1)
  return value
}
