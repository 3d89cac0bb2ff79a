/**
 * Budget alerts and scheduled reports in workerd, posting to the local webhook receiver: each
 * threshold is announced once even when two requests cross it together; the generic format is
 * signed; failed posts are retried by the cron; a cron that fires twice sends one report, and a
 * missed run is caught up once.
 */
import { createExecutionContext, createScheduledController, waitOnExecutionContext } from 'cloudflare:test'
import { createHmac } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { recordCrossings } from '../../src/governance/alerts.ts'
import { runScheduled, scheduledWork } from '../../src/governance/scheduled.ts'
import { writeEventsToD1 } from '../../src/telemetry/d1-writer.ts'
import { sampleEvent } from '../telemetry/helpers.ts'
import { ask, gatewayFor, genv, projectWith, receivedAt, unique } from './harness.ts'

const DAY = 86_400_000
const hook = (tag: string) => `/hooks/${tag}`
const slack = 'alerts: { webhook: { url: { secret: TEST_WEBHOOK_URL } } }'
const signed = 'alerts: { webhook: { url: { secret: TEST_WEBHOOK_URL }, format: generic, signing_key: { secret: TEST_WEBHOOK_KEY } } }'

/** What one fake-OpenAI answer to `ask('spend')` costs at gpt-4o-mini's prices, in USD. */
async function costOfOne(): Promise<number> {
  const g = gatewayFor(await projectWith(''))
  return Number((await g.post(ask('spend'))).headers.get('x-watchllm-cost-usd'))
}

describe('budget alerts', () => {
  it('announces a threshold once even when two requests cross it together (Slack format)', async () => {
    const tag = unique()
    const cost = await costOfOne()
    // Three requests' worth: one is 33 %, two together cross 50 % (and only 50 %).
    const project = await projectWith(`budgets: { daily: { scope: project, usd: ${3 * cost} } }\n${slack}`)
    const g = gatewayFor(project, { TEST_WEBHOOK_URL: `${genv.WEBHOOK_RECEIVER_URL}${hook(tag)}` } as never)
    const [a, b] = await Promise.all([g.post(ask('spend', { max_tokens: 5 })), g.post(ask('spend', { max_tokens: 5 }))])
    expect([a.status, b.status]).toEqual([200, 200])
    await g.settled()

    const posts = await receivedAt(hook(tag))
    expect(posts).toHaveLength(1)
    const text = (JSON.parse(posts[0]!.body) as { text: string }).text
    expect(text).toContain('budget `daily`')
    expect(text).toContain('crossed 50%')
    const rows = await genv.DB.prepare('SELECT threshold, status, attempts FROM budget_alerts WHERE project = ?').bind(project.name).all()
    expect(rows.results).toEqual([{ threshold: 50, status: 'sent', attempts: 1 }])
  })

  it('the same crossing reported twice at once (a ledger that lost its state) is still posted once', async () => {
    const tag = unique()
    const project = await projectWith(`budgets: { daily: { scope: project, usd: 1 } }\n${slack}`)
    const env = { ...genv, TEST_WEBHOOK_URL: `${genv.WEBHOOK_RECEIVER_URL}${hook(tag)}` }
    const crossing = { budget: 'daily', threshold: 80, period: '2026-05-14', periodEnd: null, unit: 'usd' as const, used: 0.8, limit: 1, refusing: false }
    const config = project.policy.projects[project.name]!
    await Promise.all([1, 2, 3].map(() => recordCrossings(env, project.name, config, [{ scope: 'project', subject: project.name, crossing }])))
    expect(await receivedAt(hook(tag))).toHaveLength(1)
  })

  it('signs the generic format: HMAC-SHA256 over "<timestamp>.<body>", with a delivery id', async () => {
    const tag = unique()
    const key = `whsec-${unique()}`
    const project = await projectWith(`budgets: { tiny: { scope: key, usd: 0.00000001 } }\n${signed}`)
    const g = gatewayFor(project, { TEST_WEBHOOK_URL: `${genv.WEBHOOK_RECEIVER_URL}${hook(tag)}`, TEST_WEBHOOK_KEY: key } as never)
    expect((await g.post(ask('too big', { max_tokens: 100 }))).status).toBe(429)
    await g.settled()
    const [post] = await receivedAt(hook(tag))
    expect(post).toBeDefined()
    const { headers, body } = post!
    const expected = createHmac('sha256', key).update(`${headers['x-watchllm-timestamp']}.${body}`).digest('hex')
    expect(headers['x-watchllm-signature']).toBe(`sha256=${expected}`)
    expect(headers['x-watchllm-event']).toBe('budget.threshold')
    const payload = JSON.parse(body) as Record<string, unknown>
    expect(payload).toMatchObject({ type: 'budget.threshold', id: headers['x-watchllm-delivery'], project: project.name, scope: 'key', subject: 'k1', budget: 'tiny', threshold: 100, refusing: true })
    // The key never travels: neither in the body nor in any header.
    expect(body).not.toContain(key)
    expect(Object.values(headers).join(' ')).not.toContain(key)
  })

  it('records a crossing without posting when no webhook is configured', async () => {
    const project = await projectWith('budgets: { tiny: { scope: project, usd: 0.00000001 } }')
    const g = gatewayFor(project)
    await g.post(ask('x', { max_tokens: 100 }))
    await g.settled()
    const row = await genv.DB.prepare('SELECT status, threshold, refusing FROM budget_alerts WHERE project = ?').bind(project.name).first()
    expect(row).toEqual({ status: 'recorded', threshold: 100, refusing: 1 })
  })

  it('a failed post is retried by the cron, and then sent', async () => {
    const tag = unique()
    const project = await projectWith(`budgets: { tiny: { scope: project, usd: 0.00000001 } }\n${slack}`)
    const failing = gatewayFor(project, { TEST_WEBHOOK_URL: `${genv.WEBHOOK_RECEIVER_URL}${hook(tag)}?status=500` } as never)
    await failing.post(ask('x', { max_tokens: 100 }))
    await failing.settled()
    const status = () => genv.DB.prepare('SELECT status, attempts, error FROM budget_alerts WHERE project = ?').bind(project.name).first()
    expect(await status()).toEqual({ status: 'failed', attempts: 1, error: 'HTTP 500' })
    await runScheduled(project.policy, { ...genv, TEST_WEBHOOK_URL: `${genv.WEBHOOK_RECEIVER_URL}${hook(tag)}` } as never, Date.now())
    expect(await status()).toEqual({ status: 'sent', attempts: 2, error: null })
    expect((await receivedAt(hook(tag))).map((p) => p.path)).toEqual([hook(tag), hook(tag)])
  })
})

describe('scheduled reports', () => {
  async function reportingProject(tag: string, reports = '{ daily: true, weekly: true }') {
    const project = await projectWith(`${slack}\nreports: ${reports}`)
    const env = { ...genv, TEST_WEBHOOK_URL: `${genv.WEBHOOK_RECEIVER_URL}${hook(tag)}` }
    return { project, env }
  }

  it('a cron trigger that fires twice sends the daily report once, with the day’s figures', async () => {
    const tag = unique()
    const { project, env } = await reportingProject(tag, '{ daily: true }')
    const now = Date.UTC(2031, 0, 15, 0, 7) // Wednesday 00:07 UTC: yesterday is complete
    const yesterday = Date.UTC(2031, 0, 14, 13)
    await writeEventsToD1(genv.DB, [
      sampleEvent({ project: project.name, ts: yesterday, cost_usd: 0.25 }),
      sampleEvent({ project: project.name, ts: yesterday + 60_000, cost_usd: 0.5, budget: 'stream_cut:daily', status: 200 }),
      sampleEvent({ project: project.name, ts: now - 2 * DAY, cost_usd: 9 }), // the day before: not in this report
    ])
    // Through the Worker's own handler, twice, at the same instant.
    const handler = scheduledWork(project.policy)
    await Promise.all(
      [1, 2].map(async () => {
        const ctx = createExecutionContext()
        handler(createScheduledController({ scheduledTime: now, cron: '7 * * * *' }), env as never, ctx)
        await waitOnExecutionContext(ctx)
      }),
    )
    const posts = await receivedAt(hook(tag))
    expect(posts).toHaveLength(1)
    const text = (JSON.parse(posts[0]!.body) as { text: string }).text
    expect(text).toContain(`daily report for ${project.name}, 2031-01-14 (UTC): 2 requests`)
    expect(text).toContain('$0.7500 spent')
    expect(text).toContain('1 streams cut')
    // A third run the same hour, and one later that day: nothing new.
    await runScheduled(project.policy, env as never, now + 5 * 60_000)
    await runScheduled(project.policy, env as never, now + 3_600_000)
    expect(await receivedAt(hook(tag))).toHaveLength(1)
  })

  it('a missed run is caught up once by the next one', async () => {
    const tag = unique()
    const { project, env } = await reportingProject(tag, '{ daily: true }')
    // The 00:07 run never happened; the 03:07 run sends yesterday's report, the 04:07 run nothing.
    await runScheduled(project.policy, env as never, Date.UTC(2031, 1, 3, 3, 7))
    await runScheduled(project.policy, env as never, Date.UTC(2031, 1, 3, 4, 7))
    const posts = await receivedAt(hook(tag))
    expect(posts).toHaveLength(1)
    expect((JSON.parse(posts[0]!.body) as { text: string }).text).toContain('2031-02-02')
    // The next day's first run sends the next report.
    await runScheduled(project.policy, env as never, Date.UTC(2031, 1, 4, 0, 7))
    expect(await receivedAt(hook(tag))).toHaveLength(2)
  })

  it('sends the weekly report for the last complete ISO week', async () => {
    const tag = unique()
    const { project, env } = await reportingProject(tag, '{ weekly: true }')
    await runScheduled(project.policy, env as never, Date.UTC(2031, 0, 15, 9)) // a Wednesday
    await runScheduled(project.policy, env as never, Date.UTC(2031, 0, 19, 9)) // the Sunday: same week
    const posts = await receivedAt(hook(tag))
    expect(posts).toHaveLength(1)
    expect((JSON.parse(posts[0]!.body) as { text: string }).text).toContain('weekly report for')
    expect((JSON.parse(posts[0]!.body) as { text: string }).text).toContain('the week of 2031-01-06')
  })
})
