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
  ])
  await genv.DB.prepare(
    `INSERT INTO budget_alerts (id, ts, project, scope, subject, budget, period, threshold, unit, used, limit_value, refusing, status, attempts)
     VALUES (?, ?, ?, 'project', ?, 'daily', '2032-03-01', 80, 'usd', 4, 5, 0, 'sent', 1)`,
  )
    .bind(`${project}|alert`, T0 + 90_000, project, project)
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
      { t: T0, rate_limited: 2, budget_refused: 0, downgraded: 0, stream_cuts: 0 },
      { t: T0 + MINUTE, rate_limited: 0, budget_refused: 1, downgraded: 1, stream_cuts: 0 },
      { t: T0 + 2 * MINUTE, rate_limited: 0, budget_refused: 0, downgraded: 0, stream_cuts: 1 },
    ])
    expect(b.series.points).toHaveLength(5)
    expect(b.stream_cuts).toEqual([expect.objectContaining({ project, session: 's-9', budget: 'daily', output_tokens: 77 })])
    expect(b.alerts).toEqual([{ ts: T0 + 90_000, project, scope: 'project', subject: project, budget: 'daily', period: '2032-03-01', threshold: 80, refusing: false, status: 'sent', attempts: 1 }])
    // A project the policy does not know has no budgets to show.
    expect(b.states).toEqual([])
  })

  it('reads each demo budget’s live state from its ledger; per-session budgets as declared', async () => {
    const b = await budgets('project=demo')
    expect(b.budgets.configured).toBe(true)
    const daily = b.states.find((s) => s.name === 'daily')
    expect(daily).toMatchObject({ project: 'demo', scope: 'project', subject: 'demo', unit: 'usd', limit: 5, action: 'block' })
    expect(daily?.period).toBe(new Date().toISOString().slice(0, 10))
    expect(typeof daily?.used).toBe('number')
    expect(['ok', 'warning', 'exceeded']).toContain(daily?.state)
    expect(b.states.find((s) => s.name === 'demo-session')).toMatchObject({ scope: 'session', subject: 'demo-*', unit: 'tokens', limit: 400, used: null, state: 'per-session' })
  })
})
