/**
 * The admin read API over events seeded through the real D1 writer: access control, audit, CORS,
 * and that every number it reports is the one the events imply. Seeds live in their own project
 * and a time range no other test uses, so background telemetry never shows up here.
 */
import { exports } from 'cloudflare:workers'
import { beforeAll, describe, expect, it } from 'vitest'
import { writeDeadLettersToD1, writeEventsToD1 } from '../../src/telemetry/d1-writer.ts'
import type {
  BudgetsResponse,
  CacheResponse,
  CostsResponse,
  ErrorResponse,
  ExperimentsResponse,
  GuardrailsResponse,
  OverviewResponse,
  PolicyResponse,
  RequestDetail,
  RequestsResponse,
  TimeseriesResponse,
} from '../../src/admin-api/responses.ts'
import { genv, sampleEvent, uniqueProject } from '../telemetry/helpers.ts'

const TOKEN = 'lgw_admin_local_dev_token'
const MINUTE = 60_000
// A fixed minute in 2031, far from anything the other tests write.
const T0 = Date.UTC(2031, 0, 1, 12, 0) + Math.floor(Math.random() * 10_000) * 10 * MINUTE
const project = uniqueProject()
const range = `from=${T0}&to=${T0 + 10 * MINUTE}&project=${project}`

async function admin(path: string, init: RequestInit & { token?: string | null } = {}) {
  const headers = new Headers(init.headers)
  if (init.token !== null) headers.set('authorization', `Bearer ${init.token ?? TOKEN}`)
  return exports.default.fetch(new Request(`http://gateway.test/admin/api${path}`, { ...init, headers }))
}
async function json<T>(path: string): Promise<T> {
  const res = await admin(path)
  expect(res.status, `${path}: ${res.status}`).toBe(200)
  return (await res.json()) as T
}

// 10 requests: 4 misses, 3 exact hits, 1 semantic hit, 1 bypass, 1 error before the cache.
const events = [
  sampleEvent({ project, ts: T0 + 1_000, latency_ms: 100, cost_usd: 0.01, key_id: 'alpha' }),
  sampleEvent({ project, ts: T0 + 2_000, latency_ms: 200, cost_usd: 0.02, key_id: 'alpha', model_served: 'gpt-4o', model_requested: 'gpt-4o', endpoint: 'messages', cached_tokens: 100, cache_write_tokens: 600, cache_write_1h_tokens: 200 }),
  sampleEvent({ project, ts: T0 + 3_000, latency_ms: 300, cost_usd: null, price_status: 'unpriced', key_id: 'beta', model_served: 'house-1', model_requested: 'house' }),
  sampleEvent({ project, ts: T0 + MINUTE + 1_000, latency_ms: 400, cost_usd: 0.04, key_id: 'beta', price_status: 'simulated', provider: 'mock' }),
  sampleEvent({ project, ts: T0 + MINUTE + 2_000, latency_ms: 1, cache: 'HIT', cost_usd: 0, cost_saved_usd: 0.01 }),
  sampleEvent({ project, ts: T0 + MINUTE + 3_000, latency_ms: 2, cache: 'HIT', cost_usd: 0, cost_saved_usd: 0.01 }),
  sampleEvent({ project, ts: T0 + 2 * MINUTE, latency_ms: 3, cache: 'HIT', cost_usd: 0, cost_saved_usd: 0.02 }),
  sampleEvent({ project, ts: T0 + 2 * MINUTE + 1, latency_ms: 20, cache: 'SEMANTIC', similarity: 0.931, cost_usd: 0, cost_saved_usd: 0.03, pii: ['email'], pii_counts: { email: 2 }, rule_id: 'no-secrets', rules: [{ id: 'no-secrets', action: 'flag' }] }),
  sampleEvent({ project, ts: T0 + 2 * MINUTE + 2, latency_ms: 150, cache: 'BYPASS', cost_usd: 0.005, session: 's-1' }),
  sampleEvent({ project, ts: T0 + 3 * MINUTE, latency_ms: 5, cache: null, status: 404, error_code: 'model_not_found', input_tokens: 0, output_tokens: 0, cost_usd: null, price_status: 'none', model_served: null, provider: null }),
]

beforeAll(async () => {
  await writeEventsToD1(genv.DB, events)
  await writeDeadLettersToD1(genv.DB, [{ id: `dead-${project}`, ts: T0 + 5_000, dead_at: T0 + 9_000, attempts: 6, reason: 'retries_exhausted', event: '{}' }])
})

describe('access', () => {
  it('refuses a missing or wrong token in the OpenAI error shape; refusals write no audit row', async () => {
    const marker = `?probe=${crypto.randomUUID()}`
    const missing = await admin(`/overview${marker}`, { token: null })
    expect(missing.status).toBe(401)
    expect(((await missing.json()) as ErrorResponse).error.code).toBe('missing_api_key')
    const wrong = await admin(`/overview${marker}`, { token: 'lgw_admin_wrong_token' })
    expect(wrong.status).toBe(401)
    // Counted in aggregate (admin_refusals, test/security/admin-access.test.ts), never a row each.
    const { results } = await genv.DB.prepare('SELECT actor, status FROM admin_audit WHERE query = ? ORDER BY id').bind(marker).all()
    expect(results).toEqual([])
  })

  it('audits an allowed read with a fingerprint of the token (never the token), and no unverified identity', async () => {
    const marker = `?project=${project}&probe=1`
    // `probe` is not a known parameter: a 400, still audited with who asked.
    const res = await admin(`/overview${marker}`, { headers: { 'cf-access-authenticated-user-email': 'ops@example.com' } })
    expect(res.status).toBe(400)
    await expect.poll(async () => genv.DB.prepare('SELECT actor, status, path FROM admin_audit WHERE query = ?').bind(marker).first()).toMatchObject({
      actor: expect.stringMatching(/^token:[0-9a-f]{12}$/),
      status: 400,
      path: '/admin/api/overview',
    })
  })

  it('is read-only', async () => {
    const res = await admin('/overview', { method: 'POST', body: '{}' })
    expect(res.status).toBe(405)
  })

  it('allows CORS from the admin origin only', async () => {
    const ok = await admin('/policy', { headers: { origin: 'http://127.0.0.1:4321' } })
    expect(ok.headers.get('access-control-allow-origin')).toBe('http://127.0.0.1:4321')
    const other = await admin('/policy', { headers: { origin: 'https://evil.example' } })
    expect(other.headers.get('access-control-allow-origin')).toBeNull()
    const preflight = await admin('/overview', { method: 'OPTIONS', token: null, headers: { origin: 'http://127.0.0.1:4321', 'access-control-request-method': 'GET' } })
    expect(preflight.status).toBe(204)
    expect(preflight.headers.get('access-control-allow-headers')).toMatch(/authorization/i)
  })

  it('names the bad query parameter in a 400', async () => {
    const res = await admin(`/requests?${range}&limit=5000`)
    expect(res.status).toBe(400)
    expect(((await res.json()) as ErrorResponse).error.param).toBe('limit')
  })
})

describe('the numbers', () => {
  it('overview: requests, hit rate over cacheable requests, cost apart from unpriced, latency percentiles, dead letters', async () => {
    const o = await json<OverviewResponse>(`/overview?${range}`)
    expect(o.requests).toBe(10)
    expect(o.errors).toBe(1)
    expect(o.cache).toEqual({ exact_hits: 3, semantic_hits: 1, misses: 4, bypassed: 1, hit_rate: 4 / 8 })
    expect(o.cost.usd).toBeCloseTo(0.075, 10)
    expect(o.cost.saved_usd).toBeCloseTo(0.07, 10)
    expect(o.cost.unpriced_requests).toBe(1)
    expect(o.cost.simulated_requests).toBe(1)
    // Successful latencies sorted: 1 2 3 20 100 150 200 300 400 → p50 = 5th = 100, p95 = 9th = 400.
    expect(o.latency_ms.p50).toBe(100)
    expect(o.latency_ms.p95).toBe(400)
    expect(o.telemetry.dead_lettered).toBeGreaterThanOrEqual(1)
  })

  it('timeseries: one point per minute, zeros where nothing happened', async () => {
    const t = await json<TimeseriesResponse>(`/timeseries?${range}&step=1m`)
    expect(t.step_ms).toBe(MINUTE)
    expect(t.points).toHaveLength(10)
    expect(t.points.map((p) => p.requests)).toEqual([3, 3, 3, 1, 0, 0, 0, 0, 0, 0])
    expect(t.points[1]).toMatchObject({ hits: 2, misses: 1, p50_ms: 2, p95_ms: 400 })
    expect(t.points[3]).toMatchObject({ errors: 1, p50_ms: null })
  })

  it('requests: newest first, filtered, and paged by cursor without gaps or repeats', async () => {
    const seen: string[] = []
    let cursor: string | null = ''
    let pages = 0
    while (cursor !== null) {
      const page: RequestsResponse = await json(`/requests?${range}&limit=3${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`)
      seen.push(...page.items.map((i) => i.request_id))
      cursor = page.next_cursor
      pages++
    }
    expect(pages).toBe(4)
    expect(seen).toEqual([...events].sort((a, b) => b.ts - a.ts).map((e) => e.request_id))

    const errors = await json<RequestsResponse>(`/requests?${range}&status=error`)
    expect(errors.items.map((i) => i.status)).toEqual([404])
    const hits = await json<RequestsResponse>(`/requests?${range}&cache=HIT`)
    expect(hits.items).toHaveLength(3)
    const byKey = await json<RequestsResponse>(`/requests?${range}&key=beta`)
    expect(byKey.items).toHaveLength(2)
  })

  it('request detail: the whole event, JSON fields decoded; 404 for an unknown id', async () => {
    const semantic = events[7]!
    const detail = await json<RequestDetail>(`/requests/${semantic.request_id}`)
    expect(detail).toMatchObject({ request_id: semantic.request_id, cache: 'SEMANTIC', pii: ['email'], stream: false, attempts_detail: semantic.attempts_detail })
    expect((await admin('/requests/not-a-real-request-id')).status).toBe(404)
  })

  it('cache: exact vs semantic, per model, and the similarity histogram', async () => {
    const c = await json<CacheResponse>(`/cache?${range}`)
    expect(c).toMatchObject({ exact_hits: 3, semantic_hits: 1, misses: 4, bypassed: 1, hit_rate: 0.5 })
    expect(c.saved_usd).toBeCloseTo(0.07, 10)
    expect(c.similarity_histogram).toEqual([{ from: 0.92, to: 0.94, count: 1 }])
    expect(c.by_model.find((m) => m.model === 'gpt-4o-mini')).toMatchObject({ exact_hits: 3, semantic_hits: 1 })
  })

  it('costs: by project, key and model, unpriced requests counted apart', async () => {
    const c = await json<CostsResponse>(`/costs?${range}`)
    expect(c.total.requests).toBe(10)
    expect(c.total.cost_usd).toBeCloseTo(0.075, 10)
    expect(c.by_key.find((k) => k.key_id === 'alpha')?.cost_usd).toBeCloseTo(0.03, 10)
    expect(c.by_model.find((m) => m.model === 'house-1')).toMatchObject({ unpriced_requests: 1, cost_usd: 0 })
    expect(c.by_project).toHaveLength(1)
    // Provider prompt caching: reads and writes (1-hour writes apart), from a /v1/messages event.
    expect(c.total).toMatchObject({ cache_read_tokens: 100, cache_write_tokens: 600, cache_write_1h_tokens: 200 })
    expect(c.by_model.find((m) => m.model === 'gpt-4o')).toMatchObject({ cache_read_tokens: 100, cache_write_tokens: 600 })
  })

  it('governance: honest about what the policy does not configure, counts what events report', async () => {
    // The demo policy declares an experiment; none of these events is in it.
    const e = await json<ExperimentsResponse>(`/experiments?${range}`)
    expect(e.configured).toBe(true)
    expect(e.experiments.every((x) => x.variants.every((v) => v.requests === 0) && x.winner === null)).toBe(true)
    const b = await json<BudgetsResponse>(`/budgets?${range}`)
    // The demo policy sets limits and budgets (test/admin-api/budgets.test.ts covers their numbers).
    expect(b).toMatchObject({ budgets: { configured: true, outcomes: [] }, rate_limits: { configured: true, outcomes: [] } })
    const g = await json<GuardrailsResponse>(`/guardrails?${range}`)
    expect(g.rules.hits).toEqual([{ id: 'no-secrets', action: 'flag', requests: 1 }])
    expect(g.pii.kinds).toEqual([{ kind: 'email', requests: 1, values: 2, blocked: 0 }])
  })

  it('policy: hash, projects with key ids but never key hashes, routes', async () => {
    const res = await admin('/policy')
    const text = await res.text()
    const p = JSON.parse(text) as PolicyResponse
    expect(p.hash).toMatch(/^[0-9a-f]{64}$/)
    expect(p.projects.find((x) => x.name === 'demo')?.keys).toEqual([{ id: 'local-dev', local_only: true }])
    expect(p.routes.find((r) => r.alias === 'gpt-4o-mini')?.targets[0]).toMatchObject({ provider: 'openai', type: 'openai' })
    expect(text).not.toContain('70f72e0064bf4ddab661777dc2a2066b58861c4fa1c93f9f3c853efe15b3fa51')
    expect(res.headers.get('cache-control')).toBe('no-store')
  })
})
