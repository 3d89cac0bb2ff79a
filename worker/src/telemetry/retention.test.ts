/**
 * Retention in workerd, on the real D1 schema: the cron deletes raw events past the project's
 * `telemetry.retention_days` in bounded batches, keeps the per-minute rollups (so /v1/usage-style
 * totals over the deleted period are unchanged), and leaves other projects alone.
 */
import { createExecutionContext, createScheduledController, waitOnExecutionContext } from 'cloudflare:test'
import { describe, expect, it } from 'vitest'
import { scheduledWork } from '../governance/scheduled.ts'
import { compilePolicy } from '../policy/compile.ts'
import { d1Events, d1Rollups, genv, sampleEvent, uniqueProject } from '../../test/telemetry/helpers.ts'
import { writeEventsToD1 } from './d1-writer.ts'
import { pruneRawEvents } from './retention.ts'

const DAY = 86_400_000

async function policyFor(projects: Record<string, string>) {
  const body = Object.entries(projects)
    .map(([name, telemetry]) => `  ${name}:\n    telemetry: ${telemetry}`)
    .join('\n')
  const compiled = await compilePolicy([{ path: 'test.yaml', text: `providers: { mock: { type: mock } }\nmodels: { m: { targets: [{ provider: mock }] } }\nprojects:\n${body}\n` }])
  if (!compiled.ok) throw new Error(JSON.stringify(compiled.error))
  return compiled.value
}

const totals = async (project: string) =>
  (await genv.DB.prepare('SELECT SUM(requests) AS requests, ROUND(SUM(cost_usd), 9) AS cost FROM usage_rollup_minute WHERE project = ?').bind(project).first()) as {
    requests: number
    cost: number
  }

describe('raw event retention', () => {
  it('the cron deletes events past the retention, keeps younger ones and every rollup', async () => {
    const kept = uniqueProject()
    const other = uniqueProject()
    const now = Date.now()
    const old = [now - 40 * DAY, now - 31 * DAY, now - 30 * DAY - 1]
    const young = [now - 30 * DAY + 60_000, now - DAY, now]
    await writeEventsToD1(genv.DB, [
      ...[...old, ...young].map((ts) => sampleEvent({ project: kept, ts, cost_usd: 0.25 })),
      ...old.map((ts) => sampleEvent({ project: other, ts })),
    ])
    const before = await totals(kept)
    const rollupsBefore = await d1Rollups(kept)

    const policy = await policyFor({ [kept]: '{ retention_days: 30 }', [other]: '{ retention_days: 60 }' })
    const ctx = createExecutionContext()
    scheduledWork(policy)(createScheduledController({ scheduledTime: now, cron: '7 * * * *' }), genv as never, ctx)
    await waitOnExecutionContext(ctx)

    expect((await d1Events(kept)).map((e) => e.ts)).toEqual(young)
    // The rollups the totals read are untouched: same rows, same sums.
    expect(await d1Rollups(kept)).toEqual(rollupsBefore)
    expect(await totals(kept)).toEqual(before)
    expect(before).toEqual({ requests: 6, cost: 1.5 })
    // 60 days for the other project: all three of its events are younger than that.
    expect(await d1Events(other)).toHaveLength(3)
  })

  it('deletes in batches of bounded size, and says when a run left rows for the next one', async () => {
    const project = uniqueProject()
    const now = Date.now()
    await writeEventsToD1(
      genv.DB,
      Array.from({ length: 25 }, (_, i) => sampleEvent({ project, ts: now - 20 * DAY - i * 1000 })),
    )
    const plan = { projects: [{ project, days: 10 }] }
    const first = await pruneRawEvents(genv.DB, plan, now, 10)
    expect(first).toEqual({ deleted: { [project]: 25 }, more: false })
    expect(await d1Events(project)).toEqual([])
    // Nothing left: a second run deletes nothing (and says so).
    expect(await pruneRawEvents(genv.DB, plan, now, 10)).toEqual({ deleted: {}, more: false })
  })

  it('a run that reaches its batch cap reports more work left', async () => {
    const project = uniqueProject()
    const now = Date.now()
    // 51 batches of 1 row are needed; the cap is 50.
    await writeEventsToD1(genv.DB, Array.from({ length: 51 }, (_, i) => sampleEvent({ project, ts: now - 20 * DAY - i })))
    const result = await pruneRawEvents(genv.DB, { projects: [{ project, days: 10 }] }, now, 1)
    expect(result).toEqual({ deleted: { [project]: 50 }, more: true })
    expect(await d1Events(project)).toHaveLength(1)
  })

  it('events of a project no longer in policy are deleted only past the orphan retention', async () => {
    const gone = uniqueProject()
    const now = Date.now()
    await writeEventsToD1(genv.DB, [sampleEvent({ project: gone, ts: now - 401 * DAY }), sampleEvent({ project: gone, ts: now - 399 * DAY })])
    const result = await pruneRawEvents(genv.DB, { projects: [], orphanDays: 400 }, now)
    expect(result.deleted['']).toBeGreaterThanOrEqual(1)
    expect((await d1Events(gone)).map((e) => e.ts)).toEqual([now - 399 * DAY])
  })

  it('a retention shorter than the weekly report window is refused at compile time', async () => {
    const compiled = await compilePolicy([{ path: 'p.yaml', text: 'projects:\n  a:\n    telemetry: { retention_days: 3 }\n' }])
    expect(compiled.ok).toBe(false)
    if (!compiled.ok) expect(JSON.stringify(compiled.error)).toContain('must be ≥ 8')
  })
})
