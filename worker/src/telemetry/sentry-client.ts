/**
 * The Sentry client behind error-report.ts, in a module of its own so it is evaluated only on the
 * first failure (a dynamic import), while its named imports let the bundler keep only what is used
 * (+43 KiB gzip; the SDK's whole namespace would be +215 KiB).
 */
import { CloudflareClient, createTransport, Scope } from '@sentry/cloudflare'
import { createStackParser } from '@sentry/core'
import { nodeStackLineParser } from '@sentry/core/server'
import { scrubSecrets } from '../lib/scrub.ts'

export type Tags = Record<string, string>
export interface Reporter {
  capture(error: unknown, tags: Tags): Promise<void>
}

export async function makeReporter(dsn: string, environment: string): Promise<Reporter> {
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
