/**
 * The online verification loop through the pipeline (real USE-lite embeddings, the fake OpenAI
 * upstream): a sampled hit is re-asked and judged after its answer has gone out, never before; the
 * daily cap holds, even against concurrent claims; a failing judge records nothing and moves no
 * threshold; a near miss is labelled with the answer it paid for; an LLM judge is asked through a
 * policy alias, with the default judge's verdict kept beside it.
 */
import { env } from 'cloudflare:test'
import { beforeEach, describe, expect, it } from 'vitest'
import { VerificationStore } from '../../src/cache/semantic/verification/store.ts'
import { sha256Hex } from '../../src/lib/hash.ts'
import { paraphrasePair } from './paraphrases.ts'
import { LOCAL_EMBEDDER, policyFrom, thresholdRows, verdicts, verificationApp } from './verification-app.ts'

const key = (project: string) => `lgw_verify_${project}`
const project = (name: string, semantic: string, extra = '') => `
  ${name}:
    keys: [{ id: ${name}, sha256: ${sha256Hex(key(name))} }]
    cache: { exact: { store: none }, semantic: { enabled: true, ${semantic} } }${extra}`
const policy = await policyFrom(`
providers:
  openai: { type: openai, api_key: { secret: FAKE_OPENAI_KEY }, base_url: { var: FAKE_OPENAI_URL } }
models:
  gpt: { targets: [{ provider: openai, model: gpt-4o-mini }] }
  judge-same: { targets: [{ provider: openai, model: 'text=SAME' }] }
projects:${project('delay', 'threshold: 0.8, verification: { sample_rate: 1 }')}${project('capped', 'threshold: 0.8, verification: { sample_rate: 1, daily_cap: 2 }')}${project('failing', 'threshold: 0.8, verification: { sample_rate: 1, near_miss_band: 0.5 }')}${project('near', 'threshold: 0.999, verification: { sample_rate: 0, near_miss_band: 0.5 }')}${project('llm', 'threshold: 0.999, verification: { sample_rate: 0, near_miss_band: 0.5, judge: { model: judge-same } }')}${project('logged', 'threshold: 0.999, verification: { sample_rate: 0, near_miss_band: 0.5 }', '\n    telemetry: { log_prompts: true }')}${project('off', 'threshold: 0.8, verification: { enabled: false, sample_rate: 1 }')}
`)

let ns: Record<string, string> = {}
beforeEach(() => {
  ns = { 'x-watchllm-cache-namespace': `v-${crypto.randomUUID().slice(0, 8)}` }
})

/** Caches `cached`, then asks `paraphrase`: the second answer and its waitUntil work. */
async function cacheThenAsk(send: ReturnType<typeof verificationApp>, name: string, pair = paraphrasePair()) {
  const first = await send(key(name), pair.cached, ns)
  await first.after
  expect(first.cache).toBe('MISS')
  return { pair, second: await send(key(name), pair.paraphrase, ns) }
}

describe('a sampled semantic hit', () => {
  it('is answered at once; the re-ask and the judge run after the answer', async () => {
    let release!: () => void
    const gate = new Promise<void>((r) => (release = r))
    let judged = false
    const send = verificationApp(policy, {
      random: () => 0,
      judge: async () => {
        await gate
        judged = true
        return { wrong: false, score: null, defaultWrong: null }
      },
    })
    const { pair, second } = await cacheThenAsk(send, 'delay')
    // The client has its whole answer while the judge is still waiting.
    expect(second).toMatchObject({ status: 200, cache: 'SEMANTIC', content: `You said: ${pair.cached}` })
    expect(judged).toBe(false)
    expect(await verdicts('delay')).toEqual([])
    release()
    await second.after
    expect(judged).toBe(true)
    expect(await verdicts('delay')).toMatchObject([{ source: 'sampled_hit', weight: 1, wrong: 0, judge: 'test' }])
  })

  it('is never re-asked past the daily cap', async () => {
    let calls = 0
    const send = verificationApp(policy, { random: () => 0, judge: async () => (calls++, { wrong: false, score: null, defaultWrong: null }) })
    for (let i = 0; i < 5; i++) {
      ns = { 'x-watchllm-cache-namespace': `v-${crypto.randomUUID().slice(0, 8)}` }
      const { second } = await cacheThenAsk(send, 'capped')
      expect(second.cache).toBe('SEMANTIC')
      await second.after
    }
    expect(calls).toBe(2)
    expect(await verdicts('capped')).toHaveLength(2)
    expect(await new VerificationStore(env.DB).used('capped', 'sampled_hit', Date.now())).toBe(2)
  })

  it('concurrent claims never push the count past the cap', async () => {
    const store = new VerificationStore(env.DB)
    const name = `race-${crypto.randomUUID().slice(0, 8)}`
    const granted = await Promise.all(Array.from({ length: 20 }, () => store.claim(name, 'sampled_hit', 5, Date.now())))
    expect(granted.filter(Boolean)).toHaveLength(5)
    expect(await store.used(name, 'sampled_hit', Date.now())).toBe(5)
    expect(await store.claim(name, 'sampled_hit', 0, Date.now())).toBe(false)
  })

  it('is not verified when verification is off', async () => {
    let calls = 0
    const send = verificationApp(policy, { random: () => 0, judge: async () => (calls++, { wrong: false, score: null, defaultWrong: null }) })
    const { second } = await cacheThenAsk(send, 'off')
    await second.after
    expect(second.cache).toBe('SEMANTIC')
    expect(calls).toBe(0)
    expect(await verdicts('off')).toEqual([])
  })
})

describe('a failing judge', () => {
  it('records no verdict and leaves the threshold in force unchanged', async () => {
    const store = new VerificationStore(env.DB)
    const before = { ts: Date.now(), threshold: 0.85, previous: 0.8, reason: 'certified' as const, certified: true, labels: 300, rate: 0, upper: 0.009, maxRate: 0.01 }
    await store.recordThreshold('failing', LOCAL_EMBEDDER, before)
    let asked = 0
    const send = verificationApp(policy, {
      random: () => 0,
      judge: async () => {
        asked++
        throw new Error('judge down')
      },
    })
    const { second } = await cacheThenAsk(send, 'failing')
    expect(second.cache).toBe('SEMANTIC')
    await second.after
    // A near miss on the same project: also judged, also failing.
    const near = await send(key('failing'), 'How do I reset my password for the bank website?', ns)
    await near.after
    expect(asked).toBeGreaterThanOrEqual(1)
    expect(await verdicts('failing')).toEqual([])
    expect(await thresholdRows('failing')).toHaveLength(1)
    expect(await store.latestThreshold('failing', LOCAL_EMBEDDER)).toMatchObject({ threshold: 0.85, certified: true })
  })
})

describe('a near miss', () => {
  it('is judged by default with the answer it paid for, weighing 1', async () => {
    const send = verificationApp(policy)
    const { pair, second } = await cacheThenAsk(send, 'near')
    expect(second.cache).toBe('MISS')
    expect(second.content).toBe(`You said: ${pair.paraphrase}`)
    await second.after
    const [v] = await verdicts('near')
    expect(v).toMatchObject({ source: 'near_miss', weight: 1, judge: 'default', question: null, cost_usd: null })
    expect(v?.score).toBeLessThan(0.999)
    expect(v?.score).toBeGreaterThanOrEqual(0.499)
    expect(v?.judge_score).toBeGreaterThan(0)
  })

  it('is judged by an LLM through a policy alias, the default judge kept beside it', async () => {
    const send = verificationApp(policy)
    const { second } = await cacheThenAsk(send, 'llm')
    await second.after
    expect(await verdicts('llm')).toMatchObject([{ source: 'near_miss', judge: 'model:judge-same', wrong: 0, default_wrong: expect.any(Number) }])
  })

  it('keeps both questions only for a project that logs prompts, redacted', async () => {
    const send = verificationApp(policy)
    const pair = { cached: 'How do I reset the password of alice@example.com?', paraphrase: 'How can I reset the password of alice@example.com?' }
    const { second } = await cacheThenAsk(send, 'logged', pair)
    await second.after
    const [v] = await verdicts('logged')
    expect(v?.question).toBeTruthy()
    expect(v?.question).not.toContain('alice@example.com')
  })
})
