/**
 * `GET /admin/api/cache/semantic` over verdicts and threshold events seeded in D1: the measured
 * false-hit rate is the weighted share of wrong answers at or above the threshold in force, with
 * its interval; labels, judge agreement and the threshold history are reported; the pairs judged
 * wrong appear only for a project that logs prompts.
 */
import { env } from 'cloudflare:test'
import { Hono } from 'hono'
import { describe, expect, it } from 'vitest'
import { semanticVerification, type SemanticVerificationResponse } from '../../src/admin-api/semantic-verification.ts'
import type { AdminEnv } from '../../src/admin-api/types.ts'
import { VerificationStore } from '../../src/cache/semantic/verification/store.ts'
import { policyFrom } from '../semantic/verification-app.ts'

const tag = crypto.randomUUID().slice(0, 8)
const LOGS = `logs-${tag}`
const QUIET = `quiet-${tag}`
const EMBEDDER = 'workers-ai:@cf/baai/bge-base-en-v1.5'
const policy = await policyFrom(`
projects:
  ${LOGS}:
    telemetry: { log_prompts: true }
    cache: { semantic: { enabled: true, threshold: 0.95, max_false_hit_rate: 0.02 } }
  ${QUIET}:
    cache: { semantic: { enabled: true } }
`)

const app = new Hono<AdminEnv>().get('/semantic', semanticVerification(policy))
const get = async (query: string) => {
  const res = await app.request(`/semantic?${query}`, {}, env)
  expect(res.status).toBe(200)
  return (await res.json()) as SemanticVerificationResponse
}

describe('the semantic verification read API', () => {
  it('reports the measured false-hit rate at the threshold in force, labels, agreement and history', async () => {
    const store = new VerificationStore(env.DB)
    const now = Date.now()
    const base = { embedder: EMBEDDER, ts: now, threshold: 0.95, judge: 'model:judge', judgeScore: null, requestId: null, costUsd: 0.001 }
    // At or above 0.9 (the certified threshold): 8 right near misses, 1 wrong sampled hit weighing 2.
    for (let i = 0; i < 8; i++)
      await store.record({ ...base, project: LOGS, source: 'near_miss', score: 0.91 + i * 0.005, weight: 1, wrong: false, defaultWrong: false, question: 'q', cachedQuestion: 'c' })
    await store.record({ ...base, project: LOGS, source: 'sampled_hit', score: 0.97, weight: 2, wrong: true, defaultWrong: false, question: 'How tall is [email]?', cachedQuestion: 'How old is [email]?' })
    // Below the threshold in force: not part of the served rate.
    await store.record({ ...base, project: LOGS, source: 'near_miss', score: 0.8, weight: 1, wrong: true, defaultWrong: true, question: 'x', cachedQuestion: 'y' })
    await store.record({ ...base, project: QUIET, source: 'near_miss', score: 0.99, weight: 1, wrong: true, defaultWrong: null, question: 'secret?', cachedQuestion: 'other?' })
    await store.recordThreshold(LOGS, EMBEDDER, { ts: now, threshold: 0.9, previous: 0.95, reason: 'certified', certified: true, labels: 9, rate: 0.2, upper: 0.019, maxRate: 0.02 })

    const body = await get(`project=${LOGS}`)
    expect(body.scopes).toHaveLength(1)
    const [scope] = body.scopes
    expect(scope).toMatchObject({ project: LOGS, embedder: EMBEDDER, threshold: 0.9, certified: true, reason: 'certified', start: 0.95, max_false_hit_rate: 0.02 })
    expect(scope?.labels).toEqual({ total: 10, sampled_hits: 1, near_misses: 9, wrong: 2 })
    // Weighted: 2 wrong of 10 weight (8 + 2); effective n = 100 / 68.
    expect(scope?.false_hit_rate?.rate).toBeCloseTo(0.2, 10)
    expect(scope?.false_hit_rate?.labels).toBe(9)
    expect(scope?.false_hit_rate?.low).toBeLessThan(0.2)
    expect(scope?.false_hit_rate?.high).toBeGreaterThan(0.2)
    expect(scope?.default_judge_agreement).toEqual({ agree: 9, total: 10, rate: 0.9 })
    // The default judge's offline error was measured with the local network; Workers AI's bge has none to show.
    expect(scope?.default_judge_error).toBeNull()
    expect(scope?.verification_cost_usd).toBeCloseTo(0.01, 10)
    expect(body.history).toMatchObject([{ project: LOGS, threshold: 0.9, previous: 0.95, certified: true }])
    expect(body.wrong_pairs.map((p) => p.question)).toEqual(['x', 'How tall is [email]?'])
  })

  it('never shows the questions of a project that does not log prompts; its start holds without events', async () => {
    const body = await get(`project=${QUIET}`)
    expect(body.wrong_pairs).toEqual([])
    expect(body.scopes).toMatchObject([{ project: QUIET, certified: false, reason: 'start', labels: { total: 1, wrong: 1 } }])
    expect(body.scopes[0]?.threshold).toBeGreaterThan(0.5)
  })
})
