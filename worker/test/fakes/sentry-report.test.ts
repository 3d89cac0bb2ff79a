/**
 * Optional error reporting: with `SENTRY_DSN` set, an unexpected failure reaches Sentry (a local
 * fake ingest endpoint, speaking its envelope format) with its type, stack and request id — and
 * nothing secret: no key, no request headers or body, no prompt. Without a DSN nothing is sent.
 *
 * In the Node project, on the gateway's own modules: the workerd test pool cannot ship the Sentry
 * SDK's modules to its isolates (vite's module transport refuses messages that large), and nothing
 * else in the workerd suites loads it (only a set DSN does).
 */
import { Hono } from 'hono'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import type { AppEnv, GatewayEnv } from '../../src/env.ts'
import { toErrorResponse } from '../../src/errors.ts'
import { requestId } from '../../src/middleware/request-id.ts'
import { type FakeSentry, startFakeSentry } from './sentry-ingest.ts'

let sentry: FakeSentry
beforeAll(async () => {
  sentry = await startFakeSentry()
})
afterAll(async () => {
  await sentry?.close()
})
const vars = { WATCHLLM_ENV: 'local' } as unknown as GatewayEnv

function createExecutionContext() {
  const pending: Promise<unknown>[] = []
  return { waitUntil: (p: Promise<unknown>) => void pending.push(p), passThroughOnException() {}, props: {}, pending }
}
const waitOnExecutionContext = (ctx: ReturnType<typeof createExecutionContext>) => Promise.all(ctx.pending)
const LEAKED_KEY = 'sk-proj-LEAKEDabcdefghijklmnopqrstuvwxyz0123'

const app = new Hono<AppEnv>()
app.use('*', requestId())
app.post('/boom', async (c) => {
  const body = await c.req.text()
  // An internal failure whose message quotes a key and whose request carries a prompt and a key.
  throw new TypeError(`cannot read the provider answer (key ${LEAKED_KEY}, ${body.length} bytes)`)
})
app.onError(toErrorResponse)

const envelopes = async () => (await (await fetch(`${sentry.url}/__envelopes`)).json()) as { path: string; body: string }[]

async function boom(overrides: Partial<GatewayEnv>, marker: string) {
  const ctx = createExecutionContext()
  const res = await app.fetch(
    new Request('http://gateway.test/boom', {
      method: 'POST',
      headers: { authorization: 'Bearer lgw_secret_gateway_key_123', 'x-marker': marker },
      body: `my prompt ${marker} with ann@example.com`,
    }),
    { ...vars, ...overrides },
    ctx as never,
  )
  await waitOnExecutionContext(ctx)
  return res
}

describe('Sentry error reporting', () => {
  it('sends the failure with its stack and request id, and nothing secret', async () => {
    const marker = crypto.randomUUID()
    const res = await boom({ SENTRY_DSN: sentry.dsn } as never, marker)
    expect(res.status).toBe(500)
    const requestIdHeader = res.headers.get('x-watchllm-request-id')!
    const mine = await vi.waitFor(async () => {
      const found = (await envelopes()).find((e) => e.body.includes(requestIdHeader))
      if (!found) throw new Error('no envelope yet')
      return found
    }, { timeout: 10_000, interval: 100 })
    expect(mine.path).toMatch(/^\/api\/42\/envelope\//)
    const [header, itemHeader, payload] = mine.body.split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>)
    expect(header).toHaveProperty('event_id')
    expect(itemHeader).toMatchObject({ type: 'event' })
    const event = payload as { exception: { values: { type: string; value: string; stacktrace?: { frames: unknown[] } }[] }; tags: Record<string, string>; request?: unknown }
    expect(event.exception.values[0]).toMatchObject({ type: 'TypeError' })
    expect(event.exception.values[0]!.value).toContain('[redacted]')
    expect(event.exception.values[0]!.stacktrace?.frames.length).toBeGreaterThan(0)
    expect(event.tags).toMatchObject({ request_id: requestIdHeader, path: '/boom' })
    expect(event.request).toBeUndefined()
    for (const secret of [LEAKED_KEY, 'lgw_secret_gateway_key_123', marker, 'ann@example.com', 'authorization']) expect(mine.body).not.toContain(secret)
  })

  it('without a DSN, nothing is sent', async () => {
    const before = (await envelopes()).length
    const res = await boom({}, crypto.randomUUID())
    expect(res.status).toBe(500)
    expect((await envelopes()).length).toBe(before)
  })
})
