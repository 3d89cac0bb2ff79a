/**
 * The admin API's experiment report over seeded events and feedback (the real D1 writer): every
 * interval is the one its method gives for those numbers, and a winner is named only when the
 * policy's metric differs significantly — and then with the test that says so.
 */
import { createExecutionContext } from 'cloudflare:test'
import { beforeAll, describe, expect, it } from 'vitest'
import type { ExperimentsResponse } from '../../src/admin-api/responses.ts'
import { createApp } from '../../src/app.ts'
import { compilePolicy } from '../../src/policy/compile.ts'
import { writeEventsToD1 } from '../../src/telemetry/d1-writer.ts'
import { genv, sampleEvent, uniqueProject } from '../telemetry/helpers.ts'

const project = uniqueProject()
const T0 = Date.UTC(2032, 0, 1, 12, 0) + Math.floor(Math.random() * 10_000) * 600_000
const compiled = await compilePolicy([
  {
    path: 'report.yaml',
    text: `
providers: { mock: { type: mock } }
models:
  m: { targets: [{ provider: mock }] }
  n: { targets: [{ provider: mock }] }
experiments:
  errors:
    metric: error_rate
    match: { models: [m] }
    variants:
      - { id: control, weight: 50 }
      - { id: fixed, weight: 50, model: n }
  taste:
    metric: feedback
    match: { models: [n] }
    variants:
      - { id: control, weight: 50 }
      - { id: warmer, weight: 50, params: { temperature: 1.2 } }
`,
  },
])
if (!compiled.ok) throw new Error(JSON.stringify(compiled.error))
const app = createApp(compiled.value)

async function report(id: string) {
  const res = await app.fetch(
    new Request(`http://gateway.test/admin/api/experiments?project=${project}&experiment=${id}&from=${T0}&to=${T0 + 3_600_000}`, {
      headers: { authorization: 'Bearer lgw_admin_local_dev_token' },
    }),
    genv,
    createExecutionContext(),
  )
  expect(res.status).toBe(200)
  return ((await res.json()) as ExperimentsResponse).experiments[0]!
}

beforeAll(async () => {
  const events = []
  // errors: 100 requests each; control fails 20, fixed fails 2; latencies 1..100 ms.
  for (let i = 0; i < 100; i++) {
    events.push(sampleEvent({ project, ts: T0 + i, experiment: 'errors', variant: 'control', status: i < 20 ? 502 : 200, latency_ms: i + 1, cost_usd: 0.001, cache: i % 4 === 0 ? 'HIT' : 'MISS' }))
    events.push(sampleEvent({ project, ts: T0 + i, experiment: 'errors', variant: 'fixed', status: i < 2 ? 502 : 200, latency_ms: 2 * (i + 1), cost_usd: 0.002 }))
  }
  // taste: 40 rated requests each; means 0.50 vs 0.55 — no real difference.
  const feedback: [string, number][] = []
  for (let i = 0; i < 40; i++) {
    for (const [variant, score] of [['control', i % 2], ['warmer', i % 20 < 11 ? 1 : 0]] as const) {
      const e = sampleEvent({ project, ts: T0 + 1_000 + i, experiment: 'taste', variant })
      events.push(e)
      feedback.push([e.request_id, score])
    }
  }
  await writeEventsToD1(genv.DB, events)
  await genv.DB.batch(feedback.map(([id, score]) => genv.DB.prepare('INSERT INTO feedback (project, request_id, key_id, score, ts) VALUES (?, ?, ?, ?, ?)').bind(project, id, 'k', score, T0)))
})

describe('the experiment report', () => {
  it('gives each variant its rates, percentiles and means with their intervals', async () => {
    const r = await report('errors')
    const [control, fixed] = r.variants
    expect(control).toMatchObject({ id: 'control', weight: 50, routes_to: 'm', requests: 100, errors: 20 })
    expect(control!.error_rate.value).toBe(0.2)
    expect(control!.error_rate.low).toBeCloseTo(0.1333, 3) // Wilson, 20 of 100
    expect(control!.error_rate.high).toBeCloseTo(0.2888, 3)
    // 80 successful requests with latencies 21..100: median rank 40 of 80, interval ranks 31..50.
    expect(control!.latency_p50_ms).toEqual({ value: 60, low: 51, high: 70 })
    expect(control!.cost_per_request_usd).toMatchObject({ value: 0.001, low: 0.001, high: 0.001 })
    expect(control!.cache_hit_rate.value).toBe(0.25)
    expect(fixed).toMatchObject({ id: 'fixed', routes_to: 'n', errors: 2 })
  })

  it('names the winner on a significant difference of the metric, with its test', async () => {
    const r = await report('errors')
    expect(r.winner).toMatchObject({ variant: 'fixed', metric: 'error_rate', test: 'two-proportion z-test' })
    expect(r.winner!.p_value).toBeLessThan(0.001)
    expect(r.verdict).toMatch(/^fixed beats control on error rate \(two-proportion z-test, p = /)
    const latency = r.comparisons.find((c) => c.metric === 'latency')!
    expect(latency).toMatchObject({ test: 'Mann–Whitney U test', significant: true, direction: 'worse' })
  })

  it('names no winner when the difference is within noise, and says so', async () => {
    const r = await report('taste')
    expect(r.variants.map((v) => [v.id, v.feedback_count, v.feedback_mean.value])).toEqual([
      ['control', 40, 0.5],
      ['warmer', 40, 0.55],
    ])
    expect(r.winner).toBeNull()
    expect(r.verdict).toMatch(/^No significant difference on mean feedback yet \(Welch's t-test, smallest p = 0\.\d+/)
  })
})
