/**
 * `GET /admin/api/budgets` over seeded events and alerts, and the live state of the demo project's
 * budgets read from their ledgers: what the Budgets & alerts page shows.
 */
import { exports } from 'cloudflare:workers'
import { beforeAll, describe, expect, it } from 'vitest'
import type { BudgetsResponse } from '../../src/admin-api/responses.ts'
import { writeEventsToD1 } from '../../src/telemetry/d1-writer.ts'
import { genv, sampleEvent, uniqueProject } from '../telemetry/helpers.ts'

const MINUTE = 60_000
const T0 = Date.UTC(2032, 2, 1, 8, 0) + Math.floor(Math.random() * 10_000) * 10 * MINUTE
const project = uniqueProject()

async function budgets(query: string): Promise<BudgetsResponse> {
  const res = await exports.default.fetch(
    new Request(`http://gateway.test/admin/api/budgets?${query}`, { headers: { authorization: 'Bearer lgw_admin_local_dev_token' } }),
  )
  expect(res.status).toBe(200)
  return (await res.json()) as BudgetsResponse
}

beforeAll(async () => {
  await writeEventsToD1(genv.DB, [
    sampleEvent({ project, ts: T0 + 1_000, rate_limit: 'ok', budget: 'ok' }),
    sampleEvent({ project, ts: T0 + 2_000, rate_limit: 'limited:key:requests', status: 429, error_code: 'rate_limit_exceeded' }),
    sampleEvent({ project, ts: T0 + 3_000, rate_limit: 'limited:key:requests', status: 429, error_code: 'rate_limit_exceeded' }),
    sampleEvent({ project, ts: T0 + MINUTE, budget: 'exceeded:daily', status: 429, error_code: 'budget_exceeded' }),
    sampleEvent({ project, ts: T0 + MINUTE + 1, budget: 'downgraded:soft', model_requested: 'gpt-4o' }),
    sampleEvent({ project, ts: T0 + 2 * MINUTE, budget: 'stream_cut:daily', stream: true, completed: false, error_code: 'budget_exceeded', output_tokens: 77, session: 's-9' }),
    sampleEvent({ project, ts: T0 + 2 * MINUTE + 1, status: 429, error_code: 'anomaly_blocked', anomaly_id: `anom_${project}`, anomaly_ratio: 33.3, session: 'agent-7' }),
  ])
  await genv.DB.prepare(
    `INSERT INTO budget_alerts (id, ts, project, scope, subject, budget, period, threshold, unit, used, limit_value, refusing, status, attempts)
     VALUES (?, ?, ?, 'project', ?, 'daily', '2032-03-01', 80, 'usd', 4, 5, 0, 'sent', 1)`,
  )
    .bind(`${project}|alert`, T0 + 90_000, project, project)
    .run()
  await genv.DB.prepare(
    `INSERT INTO anomalies (id, ts, project, scope, subject, metric, window_start, window_ms, window_amount, baseline_ms, baseline_amount, ratio, threshold, action, cooldown_until, request_id, status, attempts)
     VALUES (?, ?, ?, 'session', 'agent-7', 'tokens', ?, 50000, 2100, 555000, 700, 33.3, 5, 'block', ?, 'req-9', 'recorded', 0)`,
  )
    .bind(`anom_${project}`, T0 + 100_000, project, T0 + 50_000, T0 + 160_000)
    .run()
})

describe('GET /admin/api/budgets', () => {
  it('counts outcomes, refusals over time, stream cuts and alerts for the range', async () => {
    const b = await budgets(`from=${T0}&to=${T0 + 5 * MINUTE}&project=${project}&step=1m`)
    expect(b.rate_limits.outcomes).toEqual([
      { value: 'limited:key:requests', requests: 2, blocked: 2 },
      { value: 'ok', requests: 1, blocked: 0 },
    ])
    expect(b.budgets.outcomes.map((o) => o.value).sort()).toEqual(['downgraded:soft', 'exceeded:daily', 'ok', 'stream_cut:daily'])
    expect(b.series.step).toBe(MINUTE)
    expect(b.series.points.slice(0, 3)).toEqual([
      { t: T0, rate_limited: 2, budget_refused: 0, downgraded: 0, stream_cuts: 0, anomaly_blocked: 0 },
      { t: T0 + MINUTE, rate_limited: 0, budget_refused: 1, downgraded: 1, stream_cuts: 0, anomaly_blocked: 0 },
      { t: T0 + 2 * MINUTE, rate_limited: 0, budget_refused: 0, downgraded: 0, stream_cuts: 1, anomaly_blocked: 1 },
    ])
    expect(b.series.points).toHaveLength(5)
    expect(b.stream_cuts).toEqual([expect.objectContaining({ project, session: 's-9', budget: 'daily', output_tokens: 77 })])
    expect(b.alerts).toEqual([{ ts: T0 + 90_000, project, scope: 'project', subject: project, budget: 'daily', period: '2032-03-01', threshold: 80, refusing: false, status: 'sent', attempts: 1 }])
    expect(b.anomalies.list).toEqual([
      {
        id: `anom_${project}`,
        ts: T0 + 100_000,
        project,
        scope: 'session',
        subject: 'agent-7',
        metric: 'tokens',
        window_start: T0 + 50_000,
        window_ms: 50_000,
        window_amount: 2100,
        baseline_ms: 555_000,
        baseline_amount: 700,
        ratio: 33.3,
        threshold: 5,
        action: 'block',
        until: T0 + 160_000,
        request_id: 'req-9',
        status: 'recorded',
        attempts: 0,
      },
    ])
    // The range (whole minutes) bounds it like everything else.
    expect((await budgets(`from=${T0 + 2 * MINUTE}&to=${T0 + 5 * MINUTE}&project=${project}`)).anomalies.list).toEqual([])
    // A project the policy does not know has no budgets to show.
    expect(b.states).toEqual([])
  })

  it('reads each demo budget’s live state from its ledger; per-session budgets as declared', async () => {
    const b = await budgets('project=demo')
    expect(b.budgets.configured).toBe(true)
    expect(b.anomalies.configured).toBe(true) // the demo blocks runaway sessions
    const daily = b.states.find((s) => s.name === 'daily')
    expect(daily).toMatchObject({ project: 'demo', scope: 'project', subject: 'demo', unit: 'usd', limit: 5, action: 'block' })
    expect(daily?.period).toBe(new Date().toISOString().slice(0, 10))
    expect(typeof daily?.used).toBe('number')
    expect(['ok', 'warning', 'exceeded']).toContain(daily?.state)
    expect(b.states.find((s) => s.name === 'demo-session')).toMatchObject({ scope: 'session', subject: 'demo-*', unit: 'tokens', limit: 400, used: null, state: 'per-session' })
  })
})
