/**
 * The exact cache's tiers in workerd (whose Cache API is Miniflare's, per "data centre"): L0 →
 * per-location Cache API → global KV. A global hit fills this location for the entry's remaining
 * TTL; a store writes both; a global miss is remembered here briefly, and a store replaces that
 * marker. And the pre-upstream budget: a slow global store or embedder is abandoned (the request
 * goes upstream as a MISS) and the stage that ran out is in the usage event and the log line.
 */
import { createExecutionContext, waitOnExecutionContext } from 'cloudflare:test'
import { describe, expect, it } from 'vitest'
import { createApp } from '../app.ts'
import { ABSENT_TTL_SECONDS, LOCATION_MAX_TTL_SECONDS, locationTier } from '../cache/location-tier.ts'
import { exactCacheKey } from '../cache/canonical-key.ts'
import type { GatewayEnv } from '../env.ts'
import { sha256Hex } from '../lib/hash.ts'
import { compilePolicy, type CompiledPolicy } from '../policy/compile.ts'
import { routeFingerprint } from './resolve-route.ts'
import { eventFor, genv, unique } from '../../test/limits/harness.ts'
import { capturedLogLines } from '../../test/log-scan.ts'

const ORIGIN = 'http://gateway.test'
const tier = locationTier(ORIGIN)!
const urlOf = (key: string) => `${ORIGIN}/__watchllm/exact-cache/${encodeURIComponent(key)}`

async function policyOf(project: string, key: string, options: { cache?: string; upstream?: 'ok' | 'failing' } = {}): Promise<CompiledPolicy> {
  const script = options.upstream === 'failing' ? 'fail-500' : ''
  const yaml = `providers:
  openai: { type: openai, api_key: { secret: FAKE_OPENAI_KEY }, base_url: { var: FAKE_OPENAI_URL }, headers: { x-fake-script: "${script}" } }
models:
  gpt-4o-mini: { targets: [{ provider: openai, model: gpt-4o-mini }] }
projects:
  ${project}:
    keys: [{ id: k1, sha256: ${sha256Hex(key)} }]
    cache: ${options.cache ?? '{ exact: { store: kv } }'}
`
  const compiled = await compilePolicy([{ path: 'test.yaml', text: yaml }])
  if (!compiled.ok) throw new Error(JSON.stringify(compiled.error))
  return compiled.value
}

/** A fresh app is a fresh isolate's L0; the Cache API and KV are shared, as in one data centre. */
async function ask(policy: CompiledPolicy, key: string, content: string, env: Partial<GatewayEnv> = {}) {
  const ctx = createExecutionContext()
  const started = Date.now()
  const res = await createApp(policy).fetch(
    new Request(`${ORIGIN}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content }] }),
    }),
    { ...genv, ...env } as GatewayEnv,
    ctx,
  )
  const ms = Date.now() - started
  await res.text()
  await waitOnExecutionContext(ctx)
  return { status: res.status, cache: res.headers.get('x-watchllm-cache'), id: res.headers.get('x-watchllm-request-id')!, ms }
}

const keyFor = (project: string, content: string) =>
  exactCacheKey({
    project,
    namespace: 'default',
    endpoint: 'chat',
    alias: 'gpt-4o-mini',
    routeFingerprint: routeFingerprint([{ config: { type: 'openai' }, model: 'gpt-4o-mini' }]),
    body: { model: 'gpt-4o-mini', messages: [{ role: 'user', content }] },
  })

const maxAge = (res: Response | undefined) => Number(/max-age=(\d+)/.exec(res?.headers.get('cache-control') ?? '')?.[1])

describe('the per-location tier (Cache API)', () => {
  it('a store writes both tiers; a global hit refills this location, which then serves with KV gone', async () => {
    const project = `p-${unique()}`
    const key = `lgw_test_${unique()}`
    const policy = await policyOf(project, key)
    const content = `tiers ${unique()}`
    const k = keyFor(project, content)

    expect((await ask(policy, key, content)).cache).toBe('MISS')
    expect(await genv.CACHE_KV.get(k)).not.toBeNull()
    const stored = await caches.default.match(urlOf(k))
    expect(maxAge(stored)).toBe(LOCATION_MAX_TTL_SECONDS) // the default 3600 s TTL, capped
    await stored?.text()

    // Gone from this location: a fresh isolate reads KV (HIT) and puts it back here.
    await caches.default.delete(urlOf(k))
    expect((await ask(policy, key, content)).cache).toBe('HIT')
    const refilled = await caches.default.match(urlOf(k))
    expect(refilled).toBeDefined()
    await refilled?.text()

    // Gone from KV: this location still answers.
    await genv.CACHE_KV.delete(k)
    expect((await ask(policy, key, content)).cache).toBe('HIT')
  })

  it('a global entry with little TTL left is kept here only for what it has left', async () => {
    const project = `p-${unique()}`
    const key = `lgw_test_${unique()}`
    const policy = await policyOf(project, key, { cache: '{ exact: { store: kv, ttl_seconds: 45 } }' })
    const content = `short ${unique()}`
    const k = keyFor(project, content)
    expect((await ask(policy, key, content)).cache).toBe('MISS')
    const entry = await caches.default.match(urlOf(k))
    expect(maxAge(entry)).toBeGreaterThan(40)
    expect(maxAge(entry)).toBeLessThanOrEqual(45)
    await entry?.text()
  })

  it('a global miss is remembered here: a store by another location is not seen until the marker goes, and a store here replaces it', async () => {
    const project = `p-${unique()}`
    const key = `lgw_test_${unique()}`
    const content = `absent ${unique()}`
    const k = keyFor(project, content)

    // The upstream fails: nothing is stored, and KV's "absent" is remembered in this location.
    const failing = await ask(await policyOf(project, key, { upstream: 'failing' }), key, content)
    expect(failing.cache).toBe('MISS')
    expect(failing.status).toBeGreaterThanOrEqual(500)
    const marker = await caches.default.match(urlOf(k))
    expect(marker?.headers.get('x-watchllm-absent')).toBe('1')
    expect(maxAge(marker)).toBe(ABSENT_TTL_SECONDS)
    await marker?.text()

    // Another location stores the answer in KV; here the marker still says absent: a MISS, never a wrong answer.
    const policy = await policyOf(project, key)
    const donor = `donor ${unique()}`
    await ask(policy, key, donor)
    await genv.CACHE_KV.put(k, (await genv.CACHE_KV.get(keyFor(project, donor)))!)
    expect((await ask(policy, key, content)).cache).toBe('MISS')
    // That request's own store replaced the marker: the next isolate here hits.
    const replaced = await tier.get(k)
    expect(replaced.kind).toBe('hit')
    expect((await ask(policy, key, content)).cache).toBe('HIT')
  })
})

describe('the pre-upstream budget', () => {
  it('a slow global store is abandoned at the budget: MISS, answered upstream, and the event and log name the stage', async () => {
    const project = `p-${unique()}`
    const key = `lgw_test_${unique()}`
    const policy = await policyOf(project, key, { cache: '{ lookup_budget_ms: 50, exact: { store: kv } }' })
    const slow = {
      get: () => new Promise((resolve) => setTimeout(() => resolve(null), 2_000)),
      put: (k: string, v: string, o: KVNamespacePutOptions) => genv.CACHE_KV.put(k, v, o),
    } as unknown as KVNamespace
    const res = await ask(policy, key, `slow ${unique()}`, { CACHE_KV: slow })
    expect(res.status).toBe(200)
    expect(res.cache).toBe('MISS')
    expect(res.ms).toBeLessThan(1_500) // not the store's 2 s
    expect((await eventFor(res.id)).lookup_budget_stage).toBe('exact')
    const line = capturedLogLines().map((l) => JSON.parse(l) as Record<string, unknown>).find((l) => l.request_id === res.id)
    expect(line?.lookup_budget_stage).toBe('exact')
  })

  it('a slow embedder is abandoned at the budget; a fast path records no stage', async () => {
    const project = `p-${unique()}`
    const key = `lgw_test_${unique()}`
    const policy = await policyOf(project, key, { cache: '{ lookup_budget_ms: 80, exact: { store: kv }, semantic: { enabled: true, threshold: 0.9, index: d1 } }' })
    const slowAi = { run: () => new Promise((resolve) => setTimeout(() => resolve({ data: [[1, 0, 0]] }), 900)) } as unknown as Ai
    const res = await ask(policy, key, `what is the capital of ${unique()}`, { AI: slowAi })
    expect([res.status, res.cache]).toEqual([200, 'MISS'])
    expect(res.ms).toBeLessThan(850)
    expect((await eventFor(res.id)).lookup_budget_stage).toBe('semantic')

    const fast = await ask(await policyOf(project, key), key, `fast ${unique()}`)
    expect((await eventFor(fast.id)).lookup_budget_stage).toBeNull()
  })
})

describe('LookupBudget', () => {
  it('is the policy value when set, else 150 ms deployed and 1,000 ms locally', async () => {
    const { budgetMsFor } = await import('../cache/lookup-budget.ts')
    expect(budgetMsFor(undefined, 'production')).toBe(150)
    expect(budgetMsFor(undefined, undefined)).toBe(150)
    expect(budgetMsFor(undefined, 'local')).toBe(1_000)
    expect(budgetMsFor(40, 'local')).toBe(40)
  })

  it('returns the work when it finishes in time, undefined (and the stage) when not', async () => {
    const { LookupBudget } = await import('../cache/lookup-budget.ts')
    const facts = { attempts: [], stream: false }
    const budget = new LookupBudget(40, facts)
    expect(await budget.spend('location', Promise.resolve('x'))).toBe('x')
    expect(await budget.spend('exact', new Promise((r) => setTimeout(() => r('late'), 200)))).toBeUndefined()
    expect(budget.remainingMs()).toBe(0)
    // A later stage finds nothing left; the first stage to run out is the one recorded.
    expect(await budget.spend('semantic', Promise.resolve('y'))).toBeUndefined()
    expect(facts).toMatchObject({ lookupBudgetStage: 'exact' })
  })
})
