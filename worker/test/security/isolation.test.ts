/**
 * Isolation between projects: two projects with the same models, caches, limits, budgets and an
 * experiment, asking the same questions. Nothing one does may show up for the other: no exact or
 * semantic cache entry (in this isolate or another), no rate-limit or budget consumption, no
 * experiment assignment, no feedback, no caller or admin datum. Each case has its positive control
 * (the same thing *does* happen within the project), so a test cannot pass by never caching.
 */
import { describe, expect, it, vi } from 'vitest'
import { createApp } from '../../src/app.ts'
import type { FeedbackResponse } from '../../src/middleware/feedback.ts'
import { sha256Hex } from '../../src/lib/hash.ts'
import { compilePolicy } from '../../src/policy/compile.ts'
import { driveGateway, settled } from '../drive-gateway.ts'
import { genv } from '../telemetry/helpers.ts'

const run = crypto.randomUUID().slice(0, 8)
const A = `iso-a-${run}`
const B = `iso-b-${run}`
const KEY_A = `lgw_isolation_a_${run}`
const KEY_B = `lgw_isolation_b_${run}`
const C = `iso-c-${run}`
const D = `iso-d-${run}`
const KEY_C = `lgw_isolation_c_${run}`
const KEY_D = `lgw_isolation_d_${run}`
const project = (name: string, key: string, extra = '') => `
  ${name}:
    keys: [{ id: ${name}-key, sha256: ${sha256Hex(key)} }]
    cache: { exact: { store: kv }, semantic: { enabled: true, threshold: 0.5 } }
    limits: { key: { requests: 1000 }, window_seconds: 3600 }
${extra}`
const compiled = await compilePolicy([
  {
    path: 'isolation.yaml',
    text: `
providers:
  openai: { type: openai, api_key: { secret: FAKE_OPENAI_KEY }, base_url: { var: FAKE_OPENAI_URL } }
models:
  gpt: { targets: [{ provider: openai, model: gpt-4o-mini }] }
  gpt-b: { targets: [{ provider: openai, model: gpt-4o-mini }] }
  capped: { targets: [{ provider: openai, model: gpt-4o }] }
projects:${project(A, KEY_A)}${project(B, KEY_B)}${project(C, KEY_C, '    budgets: { tiny: { scope: project, usd: 0.0000001 } }')}${project(D, KEY_D).replace('requests: 1000', 'requests: 3')}
experiments:
  iso-${run}:
    status: active
    match: { projects: [${A}], models: [gpt] }
    sticky: user
    metric: feedback
    variants: [{ id: control, weight: 50 }, { id: other, weight: 50, model: gpt-b }]
`,
  },
])
if (!compiled.ok) throw new Error(JSON.stringify(compiled.error))
const policy = compiled.value

const isolate1 = driveGateway(createApp(policy), KEY_A)
const isolate2 = driveGateway(createApp(policy), KEY_A) // another isolate: only KV and D1 in common

const post = (g: typeof isolate1, key: string, body: unknown, path = '/v1/chat/completions', headers: Record<string, string> = {}) =>
  g.fetch(`http://gateway.test${path}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  })
const ask = (content: string, extra: Record<string, unknown> = {}) => ({ model: 'gpt', messages: [{ role: 'user', content }], ...extra })
const cacheOf = (res: Response) => res.headers.get('x-watchllm-cache')

describe('isolation between projects', () => {
  it('exact cache: A’s entry is a HIT for A in either isolate (L0, KV), and a MISS for B', async () => {
    const question = ask(`What is the boiling point of water? ${run}`)
    expect(cacheOf(await post(isolate1, KEY_A, question))).toBe('MISS')
    await settled()
    expect(cacheOf(await post(isolate1, KEY_A, question))).toBe('HIT')
    expect(cacheOf(await post(isolate2, KEY_A, question))).toBe('HIT') // from KV
    // B's first ask, in the isolate whose L0 and whose KV both hold A's entry.
    expect(cacheOf(await post(isolate2, KEY_B, question))).toBe('MISS')
  })

  it('semantic cache: a paraphrase is SEMANTIC within A, never for B', async () => {
    const stored = ask(`How do I reset the password of my account ${run}?`, { user: `s-${run}` })
    expect((await post(isolate1, KEY_A, stored)).status).toBe(200)
    await settled()
    const paraphrase = ask(`How do I reset the password of my account ${run}`, { user: `s-${run}` })
    const forB = await post(isolate1, KEY_B, paraphrase)
    expect(forB.status).toBe(200)
    expect(cacheOf(forB)).toBe('MISS')
    await settled()
    // B's own miss stored B's entry; A's paraphrase still finds A's (control: the stage works).
    const forA = await post(isolate2, KEY_A, { ...paraphrase, messages: [{ role: 'user', content: `How can I reset the password of my account ${run}` }] })
    expect(cacheOf(forA)).toBe('SEMANTIC')
    const answer = (await forA.json()) as { choices: { message: { content: string } }[] }
    expect(answer.choices[0]?.message.content).toContain(`How do I reset the password of my account ${run}?`)
  })

  it('rate limits: D spending its key limit leaves B’s untouched', async () => {
    const limits = async (key: string) => {
      const res = await isolate1.fetch('http://gateway.test/v1/budget', { headers: { authorization: `Bearer ${key}` } })
      const view = (await res.json()) as { rate_limits: { scope: string; kind: string; remaining: number | null }[] }
      return view.rate_limits.find((r) => r.scope === 'key' && r.kind === 'requests')?.remaining
    }
    const bBefore = await limits(KEY_B)
    let refused: Response | undefined
    for (let i = 0; i < 10 && !refused; i++) {
      const res = await post(isolate1, KEY_D, ask(`limit ${run} ${i}`), '/v1/chat/completions', { 'cache-control': 'no-store' })
      if (res.status === 429) refused = res
    }
    expect(refused && ((await refused.json()) as { error: { code: string } }).error.code).toBe('rate_limit_exceeded')
    expect(await limits(KEY_B)).toBe(bBefore)
    expect((await post(isolate1, KEY_B, ask(`b still served ${run}`), '/v1/chat/completions', { 'cache-control': 'no-store' })).status).toBe(200)
  })

  it('budgets: C’s exhausted project budget refuses C only', async () => {
    const c = await post(isolate2, KEY_C, { model: 'capped', messages: [{ role: 'user', content: `budget ${run}` }] })
    expect(c.status).toBe(429)
    expect(((await c.json()) as { error: { code: string } }).error.code).toBe('budget_exceeded')
    const b = await post(isolate2, KEY_B, { model: 'capped', messages: [{ role: 'user', content: `budget ${run}` }] })
    expect(b.status).toBe(200)
    const view = (await (await isolate2.fetch('http://gateway.test/v1/budget', { headers: { authorization: `Bearer ${KEY_B}` } })).json()) as { budgets: unknown[] }
    expect(view.budgets).toEqual([]) // B has no budget of its own, and sees none of C's
  })

  it('experiments: an experiment of project A never enrolls B’s requests, whatever the user', async () => {
    const g = driveGateway(createApp(policy), KEY_B)
    for (let i = 0; i < 4; i++) {
      const res = await post(g, KEY_B, ask(`exp ${run} ${i}`, { user: `user-${i}` }), '/v1/chat/completions', { 'cache-control': 'no-store' })
      expect(res.status).toBe(200)
      expect(res.headers.get('x-watchllm-experiment')).toBeNull()
      expect(res.headers.get('x-watchllm-variant')).toBeNull()
    }
  })

  it('feedback: B cannot rate A’s request — its score stays under B and never joins A’s event', async () => {
    const g = driveGateway(createApp(policy), KEY_B)
    const res = await post(g, KEY_B, ask(`rate me ${run}`), '/v1/chat/completions', { 'cache-control': 'no-store' })
    const bId = res.headers.get('x-watchllm-request-id')!
    const aRes = await post(driveGateway(createApp(policy), KEY_A), KEY_A, ask(`a's answer ${run}`, { user: 'feedback-user' }), '/v1/chat/completions', { 'cache-control': 'no-store' })
    const aId = aRes.headers.get('x-watchllm-request-id')!
    await vi.waitFor(async () => {
      if (!(await genv.DB.prepare('SELECT 1 FROM usage_events WHERE request_id = ?').bind(aId).first())) throw new Error('no event yet')
    }, { timeout: 10_000, interval: 100 })
    const rating = await post(g, KEY_B, { request_id: aId, score: -100 }, '/v1/feedback')
    expect(rating.status).toBe(200)
    expect(((await rating.json()) as FeedbackResponse).request_found).toBe(false) // nothing revealed about A's id
    const joined = await genv.DB.prepare('SELECT f.project FROM feedback f JOIN usage_events e ON e.project = f.project AND e.request_id = f.request_id WHERE f.request_id = ?').bind(aId).all()
    expect(joined.results).toEqual([])
    expect(bId).not.toBe(aId)
  })

  it('caller and admin data: B’s /v1/usage counts B’s requests only; the admin API filtered to B shows none of A’s', async () => {
    const events = async (name: string) => Number((await genv.DB.prepare('SELECT count(*) AS n FROM usage_events WHERE project = ?').bind(name).first<{ n: number }>())?.n)
    await vi.waitFor(async () => {
      if ((await events(A)) === 0 || (await events(B)) === 0) throw new Error('events not there yet')
    }, { timeout: 10_000, interval: 100 })
    const usage = (await (await isolate1.fetch('http://gateway.test/v1/usage', { headers: { authorization: `Bearer ${KEY_B}` } })).json()) as { project: string; today: { project: { requests: number } } }
    expect(usage.project).toBe(B)
    expect(usage.today.project.requests).toBeLessThanOrEqual(await events(B))
    const admin = await isolate1.fetch(`http://gateway.test/admin/api/requests?project=${B}&limit=200`, { headers: { authorization: 'Bearer lgw_admin_local_dev_token' } })
    const listed = ((await admin.json()) as { items: { project: string }[] }).items
    expect(listed.length).toBeGreaterThan(0)
    expect(listed.every((r) => r.project === B)).toBe(true)
  })
})
