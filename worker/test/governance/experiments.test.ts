/**
 * Experiments through the whole pipeline: the split over 10,000 simulated users lands within ±3 %
 * of the weights and every user stays in one variant; a variant's route and parameters are what the
 * fake upstream receives; variants never share cached answers; and feedback (`POST /v1/feedback`)
 * is joined to each variant's requests on the admin API, even when it arrives before the event.
 */
import { describe, expect, it } from 'vitest'
import { createApp } from '../../src/app.ts'
import type { ExperimentsResponse } from '../../src/admin-api/responses.ts'
import type { GatewayEnv } from '../../src/env.ts'
import { sha256Hex } from '../../src/lib/hash.ts'
import type { FeedbackResponse } from '../../src/middleware/feedback.ts'
import { compilePolicy } from '../../src/policy/compile.ts'
import { driveGateway } from '../drive-gateway.ts'
import { eventFor, receivedBy, unique } from './helpers.ts'

const KEY = 'lgw_experiments_test'
const OTHER_KEY = 'lgw_experiments_other'
const RATER_KEY = 'lgw_experiments_rater'
const run = unique()
const project = `exp-${run}`
const other = `exp-other-${run}`
/** The feedback test's own project: its numbers are only its own requests. */
const rated = `exp-rated-${run}`

const compiled = await compilePolicy([
  {
    path: 'experiments.yaml',
    text: `
providers:
  openai: { type: openai, api_key: { secret: FAKE_OPENAI_KEY }, base_url: { var: FAKE_OPENAI_URL } }
  groq: { type: groq, api_key: { secret: FAKE_GROQ_KEY }, base_url: { var: FAKE_GROQ_URL } }
  mock: { type: mock }
models:
  house: { targets: [{ provider: mock, model: house-a }] }
  house-b: { targets: [{ provider: mock, model: house-b }] }
  gpt: { targets: [{ provider: openai, model: gpt-4o-mini }] }
  small: { targets: [{ provider: groq, model: llama-3.1-8b-instant }] }
  twin: { targets: [{ provider: openai, model: gpt-4o-mini }] }
projects:
  ${project}:
    keys: [{ id: k, sha256: ${sha256Hex(KEY)} }]
  ${other}:
    keys: [{ id: o, sha256: ${sha256Hex(OTHER_KEY)} }]
  ${rated}:
    keys: [{ id: r, sha256: ${sha256Hex(RATER_KEY)} }]
experiments:
  split-${run}:
    match: { projects: [${project}], models: [house] }
    variants:
      - { id: a, weight: 50 }
      - { id: b, weight: 30, model: house-b }
      - { id: c, weight: 20, target: { provider: mock, model: house-c } }
  route-${run}:
    match: { projects: [${project}, ${rated}], models: [gpt] }
    sticky: session
    metric: feedback
    variants:
      - { id: control, weight: 50 }
      - { id: small, weight: 50, model: small, params: { temperature: 0.1 } }
  aa-${run}:
    match: { projects: [${project}], models: [twin], header: { name: x-aa, equals: "1" } }
    variants:
      - { id: x, weight: 50 }
      - { id: y, weight: 50 }
  off-${run}:
    status: ended
    match: { models: [twin] }
    variants:
      - { id: p, weight: 50 }
      - { id: q, weight: 50, model: small }
`,
  },
])
if (!compiled.ok) throw new Error(JSON.stringify(compiled.error))
const app = createApp(compiled.value)
const gateway = driveGateway(app, KEY)
// 10,000 requests need not each leave an event behind.
const quiet = driveGateway(app, KEY, { WATCHLLM_TELEMETRY: 'off' } as Partial<GatewayEnv>)

async function ask(g: typeof gateway, body: Record<string, unknown>, headers: Record<string, string> = {}, key = KEY) {
  const res = await g.fetch('http://gateway.test/v1/chat/completions', {
    method: 'POST',
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  })
  await res.arrayBuffer()
  return res
}

/** The first user id (u-0, u-1, …) that lands in each variant: a stable way to pick a user per variant. */
async function usersByVariant(model: string, headers: Record<string, string> = {}): Promise<Map<string, string>> {
  const found = new Map<string, string>()
  for (let i = 0; found.size < 2 && i < 50; i++) {
    const res = await ask(quiet, { model, user: `u-${i}`, messages: [{ role: 'user', content: `probe ${run}` }] }, headers)
    const variant = res.headers.get('x-watchllm-variant')!
    if (!found.has(variant)) found.set(variant, `u-${i}`)
  }
  return found
}

describe('assignment', () => {
  it('splits 10,000 users within ±3 % of the weights, and keeps each user in one variant', async () => {
    const counts: Record<string, number> = { a: 0, b: 0, c: 0 }
    const first = new Map<string, string>()
    for (let i = 0; i < 10_000; i++) {
      const res = await ask(quiet, { model: 'house', user: `user-${run}-${i}`, messages: [{ role: 'user', content: 'Hello' }] })
      expect(res.status).toBe(200)
      const variant = res.headers.get('x-watchllm-variant')!
      counts[variant]!++
      if (i < 200) first.set(`user-${run}-${i}`, variant)
    }
    expect(Math.abs(counts.a! / 10_000 - 0.5)).toBeLessThan(0.03)
    expect(Math.abs(counts.b! / 10_000 - 0.3)).toBeLessThan(0.03)
    expect(Math.abs(counts.c! / 10_000 - 0.2)).toBeLessThan(0.03)
    // Sticky: the same 200 users, asked again (other prompts), get the same variants.
    for (const [user, variant] of first) {
      const res = await ask(quiet, { model: 'house', user, messages: [{ role: 'user', content: `again ${user}` }] })
      expect(res.headers.get('x-watchllm-variant'), user).toBe(variant)
      expect(res.headers.get('x-watchllm-experiment')).toBe(`split-${run}`)
    }
  }, 120_000)

  it('routes each variant where the policy says: an alias, a direct target, or as asked', async () => {
    const served = new Map<string, string>()
    for (let i = 0; served.size < 3 && i < 200; i++) {
      const res = await ask(quiet, { model: 'house', user: `route-${i}`, messages: [{ role: 'user', content: 'Hi' }] })
      served.set(res.headers.get('x-watchllm-variant')!, res.headers.get('x-watchllm-model')!)
    }
    expect(Object.fromEntries(served)).toEqual({ a: 'house-a', b: 'house-b', c: 'house-c' })
  })

  it('sticky by session: a variant’s alias and parameters reach the fake upstream; no session, no enrolment', async () => {
    const marker = unique()
    const seen = new Map<string, string>()
    for (let i = 0; seen.size < 2 && i < 50; i++) {
      const res = await ask(gateway, { model: 'gpt', messages: [{ role: 'user', content: `${marker} ${i}` }] }, { 'x-watchllm-session': `s-${marker}-${i}` })
      seen.set(res.headers.get('x-watchllm-variant')!, res.headers.get('x-watchllm-provider')!)
    }
    expect(Object.fromEntries(seen)).toEqual({ control: 'openai', small: 'groq' })
    const sentToOpenAi = await receivedBy(marker)
    expect(sentToOpenAi.length).toBeGreaterThan(0)
    expect(sentToOpenAi.every((r) => r.body.temperature === undefined)).toBe(true)

    const plain = await ask(gateway, { model: 'gpt', messages: [{ role: 'user', content: `${marker} none` }] })
    expect(plain.headers.get('x-watchllm-variant')).toBeNull()
    expect(plain.headers.get('x-watchllm-provider')).toBe('openai')
  })

  it("one variant's cached answer never serves another, even when both route alike", async () => {
    const users = await usersByVariant('twin', { 'x-aa': '1' })
    const question = { model: 'twin', messages: [{ role: 'user', content: `same question ${unique()}` }] }
    const x1 = await ask(gateway, { ...question, user: users.get('x') }, { 'x-aa': '1' })
    const y = await ask(gateway, { ...question, user: users.get('y') }, { 'x-aa': '1' })
    const x2 = await ask(gateway, { ...question, user: `${users.get('x')}` }, { 'x-aa': '1' })
    expect([x1, y, x2].map((r) => r.headers.get('x-watchllm-variant'))).toEqual(['x', 'y', 'x'])
    expect([x1, y, x2].map((r) => r.headers.get('x-watchllm-cache'))).toEqual(['MISS', 'MISS', 'HIT'])
  })

  it('an ended experiment assigns nothing', async () => {
    const res = await ask(gateway, { model: 'twin', user: 'anyone', messages: [{ role: 'user', content: `ended ${unique()}` }] })
    expect(res.headers.get('x-watchllm-variant')).toBeNull()
    expect(res.headers.get('x-watchllm-experiment')).toBeNull()
  })
})

describe('feedback', () => {
  const feedback = (body: unknown, key = RATER_KEY) =>
    gateway.fetch('http://gateway.test/v1/feedback', {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body: typeof body === 'string' ? body : JSON.stringify(body),
    })

  it('is joined to the variants on the admin API — arriving before its event or after — and only within its project', async () => {
    const sent: { id: string; gid: string; variant: string; score: number }[] = []
    for (let i = 0; i < 80; i++) {
      const id = `fb-${run}-${i}`
      const res = await ask(gateway, { model: 'gpt', messages: [{ role: 'user', content: `rate me ${run} ${i}` }] }, { 'x-watchllm-session': `fb-${run}-${i}`, 'x-request-id': id }, RATER_KEY)
      const variant = res.headers.get('x-watchllm-variant')!
      // Users like the small model better: control scores 0 or 1 alternately, small always 1.
      const score = variant === 'small' ? 1 : i % 2
      sent.push({ id, gid: res.headers.get('x-watchllm-request-id')!, variant, score })
      // Half the ratings go out at once (the event is likely still in the queue), half after.
      if (i % 2 === 0) expect((await feedback({ request_id: res.headers.get('x-watchllm-request-id'), score, label: 'thumbs' })).status).toBe(200)
    }
    await eventFor(sent.at(-1)!.id)
    for (const s of sent.filter((_, i) => i % 2 === 1)) {
      const res = await feedback({ request_id: s.gid, score: s.score })
      expect(((await res.json()) as FeedbackResponse).request_found).toBe(true)
    }
    // Another project's key rating these requests changes nothing here.
    for (const s of sent.slice(0, 10)) expect((await feedback({ request_id: s.gid, score: -100 }, OTHER_KEY)).status).toBe(200)
    for (const s of sent) await eventFor(s.id)

    const res = await gateway.fetch(`http://gateway.test/admin/api/experiments?project=${rated}&experiment=route-${run}`, {
      headers: { authorization: 'Bearer lgw_admin_local_dev_token' },
    })
    expect(res.status).toBe(200)
    const report = ((await res.json()) as ExperimentsResponse).experiments[0]!
    expect(report.id).toBe(`route-${run}`)
    for (const variant of ['control', 'small']) {
      const mine = sent.filter((s) => s.variant === variant)
      const v = report.variants.find((x) => x.id === variant)!
      expect(v.requests).toBe(mine.length)
      expect(v.feedback_count).toBe(mine.length)
      expect(v.feedback_mean.value).toBeCloseTo(mine.reduce((a, s) => a + s.score, 0) / mine.length, 10)
    }
    const control = report.variants[0]!
    expect(control.feedback_mean.low!).toBeLessThan(control.feedback_mean.value!)
    expect(control.error_rate).toMatchObject({ value: 0, low: 0 })
  }, 60_000)

  it('refuses bad feedback with a 4xx naming the field', async () => {
    for (const [body, param] of [
      [{ request_id: 'x', score: 'good' }, 'score'],
      [{ request_id: 'has spaces', score: 1 }, 'request_id'],
      [{ request_id: 'abc', score: 1, extra: true }, 'extra'],
      [{ score: 1 }, 'request_id'],
    ] as const) {
      const res = await feedback(body)
      expect(res.status).toBe(400)
      expect(((await res.json()) as { error: { param: string } }).error.param).toBe(param)
    }
    expect((await feedback('{nope')).status).toBe(400)
    expect((await gateway.fetch('http://gateway.test/v1/feedback', { method: 'POST', body: '{}' })).status).toBe(401)
  })
})
