/**
 * Anomaly detection in workerd, through the gateway and the scope ledgers (Durable Objects), with
 * the fake OpenAI upstream and the official `openai` client. The clock is the test's (fake `Date`,
 * shared by the ledgers, which run in this isolate): ten minutes of steady baseline take no real
 * time. A synthetic spike is flagged (the event, the D1 row) and, when policy says block, refused
 * from the next request on; steady traffic and cold keys are not; the alert goes out once, and a
 * failed one is retried by the cron.
 */
import OpenAI from 'openai'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { recordAnomaly } from '../../src/governance/anomaly-alerts.ts'
import { forgetBlocks } from '../../src/governance/anomaly-blocks.ts'
import { ledgerStub } from '../../src/governance/ledger-client.ts'
import { forgetLeases } from '../../src/governance/leases.ts'
import { runScheduled } from '../../src/governance/scheduled.ts'
import { ask, eventFor, gatewayFor, genv, projectWith, receivedAt, unique, type Project } from './harness.ts'

const SECOND = 1000
const MIN = 60 * SECOND
/** Detection on 60 s windows (15 s buckets) against the 10 minutes before. */
const detect = (action: string, scopes = '[key]', extra = '') =>
  `anomaly: { metric: tokens, scopes: ${scopes}, window_seconds: 60, baseline_seconds: 600, ratio: 4, min_baseline: 200, action: ${action}${extra} }`
const slack = 'alerts: { webhook: { url: { secret: TEST_WEBHOOK_URL } } }'
/** A small question (≈ 40 tokens at the fake's ⌈chars / 4⌉) and a big one (≈ 1,000). */
const small = (i: number) => `Steady question number ${i}, ${'x'.repeat(20 + (i % 3) * 10)}`
const big = (i: number) => `Runaway loop ${i} ${'y'.repeat(2_000)}`

let clock = 0
/** Moves the shared clock (the gateway's and the ledgers'). */
const setClock = (ms: number) => {
  clock = ms
  vi.setSystemTime(ms)
}

beforeEach(() => {
  vi.useFakeTimers({ toFake: ['Date'] })
  // A fresh minute (on a bucket boundary) far from any other test's.
  setClock(Date.UTC(2031, 5, 1, 10) + Math.floor(Math.random() * 100_000) * MIN)
  forgetLeases()
  forgetBlocks()
})
afterEach(() => void vi.useRealTimers())

type Gateway = ReturnType<typeof gatewayFor>

/** One request, its background work (settlement, alerts) finished before the clock moves on. */
async function send(g: Gateway, content: string, headers: Record<string, string> = {}): Promise<{ status: number; id: string }> {
  const res = await g.post(ask(content), headers)
  await res.arrayBuffer()
  await g.settled()
  return { status: res.status, id: res.headers.get('x-watchllm-request-id') ?? '' }
}

/** Ten minutes of one small request every 30 s, from the current clock; the clock ends 10 min later. */
async function baseline(g: Gateway, headers: Record<string, string> = {}): Promise<void> {
  const start = clock
  for (let i = 0; i < 20; i++) {
    setClock(start + i * 30 * SECOND)
    expect((await send(g, small(i), headers)).status).toBe(200)
  }
  setClock(start + 10 * MIN)
}

const anomalies = async (project: Project) =>
  (await genv.DB.prepare('SELECT * FROM anomalies WHERE project = ? ORDER BY ts').bind(project.name).all<Record<string, unknown>>()).results

describe('anomaly detection', () => {
  it('flags a synthetic spike: the tripping request’s event carries the anomaly, recorded once for the admin', async () => {
    const project = await projectWith(detect('flag'))
    const g = gatewayFor(project)
    await baseline(g)
    setClock(clock + 5 * SECOND)
    const spike = []
    for (let i = 0; i < 3; i++) spike.push(await send(g, big(i)))
    expect(spike.map((r) => r.status)).toEqual([200, 200, 200]) // flag only: nothing is refused

    const rows = await anomalies(project)
    expect(rows).toHaveLength(1)
    const row = rows[0]!
    expect(row).toMatchObject({ scope: 'key', subject: 'k1', metric: 'tokens', action: 'flag', status: 'recorded', threshold: 4, request_id: spike[0]!.id })
    // ≈ 1,050 tokens in the last 50 s against ≈ 700 in the 9 min 15 s before: a ratio of about 17.
    expect(row.ratio as number).toBeGreaterThan(10)
    expect(row.ratio as number).toBeLessThan(25)
    expect(row.baseline_ms).toBe(9 * MIN + 15 * SECOND)
    expect(row.window_ms).toBe(50 * SECOND)

    const tripped = await eventFor(spike[0]!.id)
    expect(tripped).toMatchObject({ anomaly_id: row.id, anomaly_ratio: Math.round((row.ratio as number) * 1000) / 1000 })
    // Once per cooldown: the requests after it are not flagged again.
    expect(await eventFor(spike[1]!.id)).toMatchObject({ anomaly_id: null, anomaly_ratio: null })
  })

  it('steady traffic is not flagged, however long it runs', async () => {
    const project = await projectWith(detect('flag'))
    const g = gatewayFor(project)
    await baseline(g)
    await baseline(g) // ten more minutes at the same pace, now judged against a full baseline
    expect(await anomalies(project)).toEqual([])
  })

  it('a cold key is not flagged: no baseline at all, or less than min_baseline of it', async () => {
    const cold = await projectWith(detect('block'))
    const g = gatewayFor(cold)
    for (let i = 0; i < 12; i++) {
      setClock(clock + 5 * SECOND)
      expect((await send(g, big(i))).status).toBe(200)
    }
    // Two small requests (≈ 80 tokens < min_baseline 200), then a burst three minutes later.
    const thin = await projectWith(detect('block'))
    const t = gatewayFor(thin)
    await send(t, small(1))
    await send(t, small(2))
    setClock(clock + 3 * MIN)
    for (let i = 0; i < 5; i++) expect((await send(t, big(i))).status).toBe(200)
    expect([...(await anomalies(cold)), ...(await anomalies(thin))]).toEqual([])
  })

  it('blocks a session from its next request on (429 anomaly_blocked, the openai client raises), other sessions not; lifted after the cooldown', async () => {
    const project = await projectWith(detect('block', '[session]', ', cooldown_seconds: 120'))
    const g = gatewayFor(project)
    const runaway = { 'x-watchllm-session': `agent-${unique()}` }
    await baseline(g, runaway)
    setClock(clock + 5 * SECOND)
    const tripping = await send(g, big(0), runaway)
    expect(tripping.status).toBe(200) // the request that trips it was already admitted
    const [row] = await anomalies(project)
    expect(row).toMatchObject({ scope: 'session', subject: runaway['x-watchllm-session'], action: 'block', request_id: tripping.id })

    const client = g.client({ headers: runaway })
    const refused = await client.chat.completions.create(ask(small(99)) as never).catch((e: unknown) => e)
    expect(refused).toBeInstanceOf(OpenAI.RateLimitError)
    const error = refused as InstanceType<typeof OpenAI.RateLimitError>
    expect(error.code).toBe('anomaly_blocked')
    expect(error.message).toContain(`session ${runaway['x-watchllm-session']}`)
    expect(error.headers.get('x-should-retry')).toBe('false')
    expect(Number(error.headers.get('retry-after'))).toBe(120) // the cooldown's end, 120 s after the flag (the clock has not moved)
    const blockedEvent = await eventFor(error.headers.get('x-watchllm-request-id')!)
    expect(blockedEvent).toMatchObject({ status: 429, error_code: 'anomaly_blocked', anomaly_id: row!.id })

    // Another session of the same key is not blocked; this one is, even from an isolate that never
    // heard of the block (its ledger refuses the lease).
    expect((await send(g, small(100), { 'x-watchllm-session': `agent-${unique()}` })).status).toBe(200)
    forgetBlocks()
    forgetLeases()
    expect((await send(g, small(101), runaway)).status).toBe(429)

    setClock((row!.cooldown_until as number) + SECOND)
    expect((await send(g, small(102), runaway)).status).toBe(200)
  })

  it('sends the alert once even when two requests cross together, and a repeated report posts nothing', async () => {
    const tag = unique()
    const project = await projectWith(`${detect('alert')}\n${slack}`)
    const webhook = `${genv.WEBHOOK_RECEIVER_URL}/hooks/${tag}`
    const g = gatewayFor(project, { TEST_WEBHOOK_URL: webhook } as never)
    await baseline(g)
    setClock(clock + 5 * SECOND)
    const both = await Promise.all([g.post(ask(big(1))), g.post(ask(big(2)))])
    expect(both.map((r) => r.status)).toEqual([200, 200])
    await Promise.all(both.map((r) => r.arrayBuffer()))
    await g.settled()

    const posts = await receivedAt(`/hooks/${tag}`)
    expect(posts).toHaveLength(1)
    const text = (JSON.parse(posts[0]!.body) as { text: string }).text
    expect(text).toMatch(new RegExp(`^WatchLLM: unusual token use on key k1 \\(project ${project.name}\\): [\\d,]+ tokens in the last 50 s, [\\d.]+× its rate over the 9 min before \\([\\d,]+ tokens; policy: 4×\\)\\.$`))
    const rows = await anomalies(project)
    expect(rows).toHaveLength(1)
    expect(rows[0]).toMatchObject({ status: 'sent', attempts: 1 })
    const ids = both.map((r) => r.headers.get('x-watchllm-request-id'))
    expect(ids).toContain(rows[0]!.request_id)

    // The same anomaly reported again (a ledger answer delivered twice), three times at once: still one post.
    const report = { metric: 'tokens' as const, action: 'alert' as const, at: clock, until: clock + MIN, windowStart: rows[0]!.window_start as number, windowMs: 50_000, windowAmount: 2_000, baselineMs: 555_000, baselineAmount: 700, ratio: 17, threshold: 4 }
    const env = { ...genv, TEST_WEBHOOK_URL: webhook }
    const config = project.policy.projects[project.name]!
    await Promise.all([1, 2, 3].map(() => recordAnomaly(env, project.name, config, { scope: 'key', subject: 'k1', report })))
    expect(await receivedAt(`/hooks/${tag}`)).toHaveLength(1)
  })

  it('a failed anomaly alert is retried by the cron, then sent', async () => {
    const tag = unique()
    const project = await projectWith(`${detect('alert')}\n${slack}`)
    const config = project.policy.projects[project.name]!
    const report = { metric: 'tokens' as const, action: 'alert' as const, at: clock, until: clock + MIN, windowStart: clock - 45 * SECOND, windowMs: 50_000, windowAmount: 2_000, baselineMs: 555_000, baselineAmount: 700, ratio: 17, threshold: 4 }
    await recordAnomaly({ ...genv, TEST_WEBHOOK_URL: `${genv.WEBHOOK_RECEIVER_URL}/hooks/${tag}?status=500` } as never, project.name, config, { scope: 'key', subject: 'k1', report })
    const status = () => genv.DB.prepare('SELECT status, attempts, error FROM anomalies WHERE project = ?').bind(project.name).first()
    expect(await status()).toEqual({ status: 'failed', attempts: 1, error: 'HTTP 500' })
    await runScheduled(project.policy, { ...genv, TEST_WEBHOOK_URL: `${genv.WEBHOOK_RECEIVER_URL}/hooks/${tag}` } as never, clock)
    expect(await status()).toEqual({ status: 'sent', attempts: 2, error: null })
    const posts = await receivedAt(`/hooks/${tag}`)
    expect(posts).toHaveLength(2)
    expect((JSON.parse(posts[1]!.body) as { text: string }).text).toContain(`unusual token use on key k1 (project ${project.name})`)
  })

  it('two isolates settling crossing requests at once: the ledger flags one of them', async () => {
    const stub = ledgerStub(genv, `key:p-${unique()}:k1`)!
    const spec = { metric: 'tokens' as const, windowMs: MIN, baselineMs: 10 * MIN, ratio: 4, minBaseline: 200, action: 'alert' as const, cooldownMs: MIN }
    const settle = (id: string, tokens: number) => stub.settleMany([{ leaseId: id, held: { requests: 0, tokens: 0, budgets: {} }, actual: { usd: null, tokens, rateTokens: tokens }, requestId: id }], [], undefined, spec)
    for (let i = 0; i < 20; i++) {
      setClock(clock + 30 * SECOND)
      await settle(`base-${i}`, 40)
    }
    setClock(clock + 35 * SECOND)
    const answers = await Promise.all([settle('a', 5_000), settle('b', 5_000)])
    expect(answers.filter((a) => a.flagged).map((a) => a.flagged!.requestId)).toHaveLength(1)
  })
})
