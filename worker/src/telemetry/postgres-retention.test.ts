/**
 * Postgres retention in workerd against the run's own Postgres (through the HYPERDRIVE binding):
 * kept for ever by default; with `telemetry.postgres_retention_days`, the cron folds older raw
 * events into daily rollups and deletes them, each event counted exactly once, in bounded batches.
 */
import postgres from 'postgres'
import { describe, expect, it } from 'vitest'
import { runScheduled } from '../governance/scheduled.ts'
import { compilePolicy } from '../policy/compile.ts'
import { genv, postgresEvents, sampleEvent, uniqueProject } from '../../test/telemetry/helpers.ts'
import { openSocket } from './pg-socket.ts'
import { prunePostgresEvents } from './postgres-retention.ts'
import { writeEventsToPostgres } from './postgres-writer.ts'

const DAY = 86_400_000
const target = () => ({ connectionString: genv.HYPERDRIVE.connectionString })

async function rollupsOf(project: string): Promise<Record<string, unknown>[]> {
  const sql = postgres(genv.HYPERDRIVE.connectionString, { max: 1, fetch_types: false, prepare: false, idle_timeout: 1, ssl: false, socket: openSocket } as never)
  try {
    return await sql.unsafe(
      `SELECT to_char(day, 'YYYY-MM-DD') AS day, model, cache, requests::int AS requests, errors::int AS errors, input_tokens::int AS input_tokens,
              cost_usd::float8 AS cost_usd, unpriced::int AS unpriced FROM watchllm.usage_rollup_day WHERE project = $1 ORDER BY day, cache`,
      [project],
    )
  } finally {
    await sql.end({ timeout: 1 })
  }
}

async function policyWith(project: string, telemetry: string) {
  const compiled = await compilePolicy([
    { path: 't.yaml', text: `providers: { mock: { type: mock } }\nmodels: { m: { targets: [{ provider: mock }] } }\nprojects:\n  ${project}:\n    telemetry: ${telemetry}\n` },
  ])
  if (!compiled.ok) throw new Error(JSON.stringify(compiled.error))
  return compiled.value
}

describe('Postgres retention', () => {
  const now = Date.UTC(2031, 5, 15, 12, 7)
  const day1 = Date.UTC(2031, 4, 1, 9) // 45 days before
  const day2 = Date.UTC(2031, 4, 2, 23, 59)

  it('keeps raw events for ever unless the project sets postgres_retention_days', async () => {
    const project = uniqueProject()
    await writeEventsToPostgres(target(), [sampleEvent({ project, ts: now - 400 * DAY })])
    await runScheduled(await policyWith(project, '{ retention_days: 30 }'), genv, now)
    expect(await postgresEvents(project)).toHaveLength(1)
  })

  it('folds older events into daily rollups and deletes them, through the cron', async () => {
    const project = uniqueProject()
    await writeEventsToPostgres(target(), [
      sampleEvent({ project, ts: day1, cost_usd: 0.5, input_tokens: 10 }),
      sampleEvent({ project, ts: day1 + 60_000, cost_usd: 0.25, input_tokens: 20 }),
      sampleEvent({ project, ts: day1 + 120_000, cache: 'HIT', cost_usd: 0, input_tokens: 5 }),
      sampleEvent({ project, ts: day2, status: 502, cost_usd: null, price_status: 'unpriced', input_tokens: 0 }),
      sampleEvent({ project, ts: now - DAY }), // young: stays
    ])
    const result = await runScheduled(await policyWith(project, '{ postgres_retention_days: 30 }'), genv, now)
    expect(result.postgresRetention).toEqual({ deleted: { [project]: 4 }, more: false })
    expect((await postgresEvents(project)).map((e) => new Date(e.ts as string).getTime())).toEqual([now - DAY])
    expect(await rollupsOf(project)).toEqual([
      { day: '2031-05-01', model: 'gpt-4o-mini', cache: 'HIT', requests: 1, errors: 0, input_tokens: 5, cost_usd: 0, unpriced: 0 },
      { day: '2031-05-01', model: 'gpt-4o-mini', cache: 'MISS', requests: 2, errors: 0, input_tokens: 30, cost_usd: 0.75, unpriced: 0 },
      { day: '2031-05-02', model: 'gpt-4o-mini', cache: 'MISS', requests: 1, errors: 1, input_tokens: 0, cost_usd: 0, unpriced: 1 },
    ])
  })

  it('in small batches, every event is summed exactly once', async () => {
    const project = uniqueProject()
    await writeEventsToPostgres(target(), Array.from({ length: 23 }, (_, i) => sampleEvent({ project, ts: day1 + i * 1000, input_tokens: 1 })))
    const plan = { projects: [{ project, days: 30 }] }
    expect(await prunePostgresEvents(target(), plan, now, 5)).toEqual({ deleted: { [project]: 23 }, more: false })
    expect(await prunePostgresEvents(target(), plan, now, 5)).toEqual({ deleted: {}, more: false })
    expect(await rollupsOf(project)).toMatchObject([{ day: '2031-05-01', requests: 23, input_tokens: 23 }])
    expect(await postgresEvents(project)).toEqual([])
  })
})
