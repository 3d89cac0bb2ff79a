/**
 * The built admin site in real headless Chromium, served as Cloudflare Pages serves it (the upload
 * directory under `wrangler pages dev`: static pages + the `/api` Pages Function, whose service
 * binding reaches the gateway's `AdminApi` entrypoint), against a local gateway that has just served
 * real requests through the official `openai` client: the Overview shows exactly what was sent,
 * the Requests page lists it, no page logs an error. Screenshots of every page, light and dark,
 * go to test-artifacts/admin/.
 */
import { mkdir, mkdtemp } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import OpenAI from 'openai'
import { chromium, type Browser, type Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startEmbeddingsServer, type EmbeddingsServer } from '../../scripts/embeddings-server.ts'
import { startAdmin } from '../../scripts/start/admin.mjs'
import { priceUsage } from '../../worker/src/telemetry/pricing.ts'
import { freePort, startLocalGateway, type LocalGateway } from './local-gateway.ts'

const artifacts = fileURLToPath(new URL('../../test-artifacts/admin/', import.meta.url))
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium'
const pages = ['/', '/requests', '/cache', '/costs', '/experiments', '/budgets', '/policy', '/audit'] as const

let gateway: LocalGateway
let embeddings: EmbeddingsServer
let admin: { url: string; stop: () => Promise<void> }
let browser: Browser
const sent = { total: 0, hits: 0, misses: 0, errors: 0, cost: 0 }
let firstRequestId = ''
/** Requests per demo-experiment variant. */
const enrolled = new Map<string, number>()
/** The session whose small baseline requests come first; its spike, later, trips the demo's anomaly rule. */
let agentSession = ''
let baselineAt = 0
const agentClient = () => new OpenAI({ apiKey: 'lgw_local_dev_key', baseURL: `${gateway.url}/v1`, maxRetries: 0, defaultHeaders: { 'x-watchllm-session': agentSession } })

beforeAll(async () => {
  // The real local embedder, so the demo project's semantic cache (and its verification) runs.
  embeddings = await startEmbeddingsServer({ port: 0 })
  gateway = await startLocalGateway({ EMBEDDINGS_URL: embeddings.url })
  const client = new OpenAI({ apiKey: 'lgw_local_dev_key', baseURL: `${gateway.url}/v1`, maxRetries: 0 })
  const run = crypto.randomUUID().slice(0, 8)
  const ask = async (content: string) => {
    const { response } = await client.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content }] }).withResponse()
    sent.total++
    const cache = response.headers.get('x-watchllm-cache')
    if (cache === 'HIT') sent.hits++
    else sent.misses++
    sent.cost += Number(response.headers.get('x-watchllm-cost-usd'))
    firstRequestId ||= response.headers.get('x-watchllm-request-id') ?? ''
    return cache
  }
  // Four distinct questions (misses), then two of them again (exact hits once stored).
  for (const q of ['one', 'two', 'three', 'four']) await ask(`Question ${q} ${run}`)
  for (const q of ['one', 'two']) {
    // The answer is stored in waitUntil just after the first reply; wait for it, bounded.
    const deadline = Date.now() + 5_000
    while ((await ask(`Question ${q} ${run}`)) !== 'HIT') {
      if (Date.now() > deadline) throw new Error('the exact cache never answered')
    }
  }
  // A near miss: the paraphrase scores just under the demo's conservative threshold, so it is
  // answered upstream (MISS) and then judged against the cached answer — one verification label.
  expect(await ask('How do I reset my bank password?')).toBe('MISS')
  expect(await ask('How do I reset my online banking password?')).toBe('MISS') // scores 0.83: the band is 0.78–0.88
  // A stream: its cost is not in a header; price its reported usage as the gateway does (mock → gpt-4o-mini).
  const stream = await client.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: `Stream ${run}` }], stream: true, stream_options: { include_usage: true } })
  for await (const chunk of stream) {
    if (!chunk.usage) continue
    const price = priceUsage({ providerId: 'openai', model: 'gpt-4o-mini' }, { inputTokens: chunk.usage.prompt_tokens, outputTokens: chunk.usage.completion_tokens, cachedInputTokens: 0, reasoningTokens: 0 })
    if (price.status === 'priced') sent.cost += price.usd
  }
  sent.total++
  sent.misses++
  // Users enrolled in the demo experiment (sticky by `user`), each rating its answer.
  for (let i = 0; i < 6; i++) {
    const { data, response } = await client.chat.completions
      .create({ model: 'gpt-4o-mini', user: `user-${run}-${i}`, messages: [{ role: 'user', content: `Experiment ${run} ${i}` }] })
      .withResponse()
    const variant = response.headers.get('x-watchllm-variant') ?? 'none'
    enrolled.set(variant, (enrolled.get(variant) ?? 0) + 1)
    sent.total++
    sent.misses++
    sent.cost += Number(response.headers.get('x-watchllm-cost-usd'))
    const rated = await fetch(`${gateway.url}/v1/feedback`, {
      method: 'POST',
      headers: { authorization: 'Bearer lgw_local_dev_key', 'content-type': 'application/json' },
      body: JSON.stringify({ request_id: response.headers.get('x-watchllm-request-id'), score: i % 2 }),
    })
    if (rated.status !== 200 || !data.choices[0]) throw new Error(`feedback refused: ${rated.status}`)
  }
  // PII: the demo redacts e-mail addresses on the way out and restores them in the answer.
  const pii = await client.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: `Mail ada@example.com ${run}` }] }).withResponse()
  if (pii.response.headers.get('x-watchllm-pii') !== 'email=1' || !pii.data.choices[0]?.message.content?.includes('ada@example.com')) throw new Error('the PII guard did not redact and restore')
  sent.total++
  sent.misses++
  sent.cost += Number(pii.response.headers.get('x-watchllm-cost-usd'))
  // A request the demo's rule blocks (422, naming the rule).
  await expect(client.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: '-----BEGIN RSA PRIVATE KEY----- MIIE' }] })).rejects.toThrow(/no-private-keys/)
  sent.total++
  sent.errors++
  // An agent's baseline: a few small requests in its own session (the demo blocks a session whose
  // token use jumps to 5× its own recent rate; the spike comes in the Budgets & alerts test).
  agentSession = `agent-${run}`
  for (let i = 0; i < 3; i++) {
    const { response } = await agentClient()
      .chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: `${agentSession} ping ${i}: checking in before the long run` }] })
      .withResponse()
    sent.total++
    sent.misses++
    sent.cost += Number(response.headers.get('x-watchllm-cost-usd'))
  }
  baselineAt = Date.now()
  // And one error: a model that does not exist.
  await expect(client.chat.completions.create({ model: 'no-such-model', messages: [{ role: 'user', content: 'x' }] })).rejects.toThrow()
  sent.total++
  sent.errors++

  // Events travel queue → consumer → D1 asynchronously: wait until all of them are counted.
  const deadline = Date.now() + 30_000
  for (;;) {
    const res = await fetch(`${gateway.url}/admin/api/overview`, { headers: { authorization: 'Bearer lgw_admin_local_dev_token' } })
    const body = (await res.json()) as { requests: number }
    if (body.requests >= sent.total) break
    if (Date.now() > deadline) throw new Error(`only ${body.requests} of ${sent.total} events arrived`)
    await new Promise((r) => setTimeout(r, 250))
  }

  // The verdict is written after the answer (waitUntil): wait for it, bounded.
  const labelled = Date.now() + 30_000
  for (;;) {
    const res = await fetch(`${gateway.url}/admin/api/cache/semantic`, { headers: { authorization: 'Bearer lgw_admin_local_dev_token' } })
    const body = (await res.json()) as { scopes: { labels: { total: number } }[] }
    if ((body.scopes[0]?.labels.total ?? 0) >= 1) break
    if (Date.now() > labelled) throw new Error('the near miss was never labelled')
    await new Promise((r) => setTimeout(r, 250))
  }

  admin = await startAdmin({ registry: gateway.registry, port: await freePort() })
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  })
  await mkdir(artifacts, { recursive: true })
}, 240_000)

afterAll(async () => {
  await browser?.close()
  await admin?.stop()
  await gateway?.stop()
  await embeddings?.close()
}, 60_000)

/** Opens a page, collecting console errors and uncaught exceptions. */
async function open(path: string, theme: 'light' | 'dark' = 'light'): Promise<{ page: Page; problems: string[] }> {
  const context = await browser.newContext({ viewport: { width: 1440, height: 960 }, colorScheme: theme })
  const page = await context.newPage()
  const problems: string[] = []
  page.on('console', (m) => m.type() === 'error' && problems.push(`console: ${m.text()}`))
  page.on('pageerror', (e) => problems.push(`exception: ${e.message}`))
  page.on('requestfailed', (r) => problems.push(`request failed: ${r.url()}`))
  await page.goto(`${admin.url}${path}`, { waitUntil: 'networkidle' })
  // Every view settles into data, an empty state or an error state.
  await page.waitForFunction(() => document.querySelectorAll('[aria-busy="true"]').length === 0, undefined, { timeout: 15_000 })
  return { page, problems }
}

const raw = (page: Page, stat: string) => page.locator(`[data-stat="${stat}"] [data-value]`).getAttribute('data-raw')

describe('the admin site after real traffic', () => {
  it('Overview shows exactly the requests sent, the right hit rate, errors and cost', async () => {
    const { page, problems } = await open('/')
    expect(Number(await raw(page, 'requests'))).toBe(sent.total)
    expect(Number(await raw(page, 'hit-rate'))).toBeCloseTo(sent.hits / (sent.hits + sent.misses), 10)
    expect(Number(await raw(page, 'errors'))).toBe(sent.errors)
    const cost = Number(await raw(page, 'cost'))
    expect(cost).toBeGreaterThan(0)
    expect(cost).toBeCloseTo(sent.cost, 9)
    expect(await page.locator('[data-stat="requests"] [data-value]').textContent()).toBe(String(sent.total))
    expect(await page.locator('#chart-requests .uplot').count()).toBe(1)
    expect(problems).toEqual([])
  })

  it('Requests lists every request, and one request opens in detail', async () => {
    const { page, problems } = await open('/requests')
    await expect.poll(() => page.locator('[data-testid="requests-table"] tbody tr').count()).toBe(sent.total)
    await page.locator('[data-testid="requests-table"] tbody tr').last().click()
    await page.waitForURL(/\/request\?id=/, { timeout: 10_000 })
    await page.waitForFunction(() => document.querySelectorAll('[aria-busy="true"]').length === 0)
    expect(await page.locator('[data-request-id]').getAttribute('data-request-id')).toBe(firstRequestId)
    expect(problems).toEqual([])
  })

  it('Budgets & alerts shows each budget’s state, the refusal, the stream cut and the alerts they raised', async () => {
    // The demo gives sessions named demo-* 400 tokens: a long streamed answer is cut, the next request refused.
    const client = new OpenAI({ apiKey: 'lgw_local_dev_key', baseURL: `${gateway.url}/v1`, maxRetries: 0, defaultHeaders: { 'x-watchllm-session': `demo-admin-${crypto.randomUUID().slice(0, 6)}` } })
    const long = 'All work and no play makes Jack a dull boy. '.repeat(20)
    const stream = await client.chat.completions.create({ model: 'gpt-4o-mini', stream: true, messages: [{ role: 'user', content: long }] })
    const cut = await (async () => {
      for await (const _ of stream) void _
    })().catch((e: unknown) => e)
    expect(cut).toMatchObject({ code: 'budget_exceeded' })
    await expect(client.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'one more?' }] })).rejects.toMatchObject({ status: 429, code: 'budget_exceeded' })
    const deadline = Date.now() + 30_000
    for (;;) {
      const res = await fetch(`${gateway.url}/admin/api/budgets`, { headers: { authorization: 'Bearer lgw_admin_local_dev_token' } })
      const body = (await res.json()) as { stream_cuts: unknown[]; series: { points: { budget_refused: number }[] } }
      if (body.stream_cuts.length >= 1 && body.series.points.some((p) => p.budget_refused > 0)) break
      if (Date.now() > deadline) throw new Error('the cut and the refusal never reached the admin API')
      await new Promise((r) => setTimeout(r, 250))
    }

    const { page, problems } = await open('/budgets')
    expect(Number(await raw(page, 'budget-refused'))).toBe(1)
    expect(Number(await raw(page, 'stream-cuts'))).toBe(1)
    expect(Number(await raw(page, 'alerts'))).toBeGreaterThanOrEqual(1)
    const daily = page.locator('[data-testid="budget-states"] [data-budget="demo/daily/demo"]')
    expect(Number(await daily.getAttribute('data-used'))).toBeGreaterThan(0)
    expect(await page.locator('[data-testid="budget-states"] tbody tr', { hasText: 'demo-session' }).textContent()).toContain('per session')
    expect(await page.locator('[data-testid="alerts-table"] tbody tr', { hasText: 'demo-session' }).count()).toBeGreaterThanOrEqual(1)
    expect(await page.locator('#stream-cuts tbody tr').count()).toBe(1)
    expect(await page.locator('#chart-refusals .uplot').count()).toBe(1)
    expect(problems).toEqual([])
  })

  it('Cache shows the semantic verification: labels gathered, the threshold in force, one row per project and embedder', async () => {
    const { page, problems } = await open('/cache')
    expect(Number(await raw(page, 'semantic-labels'))).toBeGreaterThanOrEqual(1)
    expect(Number(await raw(page, 'semantic-threshold'))).toBeGreaterThan(0.5)
    await expect.poll(() => page.locator('[data-testid="semantic-scopes-table"] tbody tr').count()).toBe(1)
    const row = await page.locator('[data-testid="semantic-scopes-table"] tbody tr').first().textContent()
    expect(row).toContain('local:use-lite-512')
    // The judge's own error where labels exist (question pairs, measured by the fit) is shown beside it.
    expect(row).toMatch(/default judge on labelled question pairs: misses \d+\.\d ?% of wrong, flags \d+ ?% of right/)
    // The demo project does not log prompts: no pair is ever shown.
    expect(await page.locator('[data-testid="semantic-wrong-table"]').count()).toBe(0)
    expect(problems).toEqual([])
  })

  it('Budgets & alerts lists the anomaly a runaway session tripped, which then blocked it', async () => {
    // The spike must fall in a later window than the baseline (the demo's window is 20 s); the
    // tests before this one usually take longer than that already.
    const wait = baselineAt + 26_000 - Date.now()
    if (wait > 0) await new Promise((r) => setTimeout(r, wait))
    const long = 'All work and no play makes Jack a dull boy. '.repeat(20)
    let refused: unknown
    for (let i = 0; i < 12 && refused === undefined; i++)
      refused = await agentClient()
        .chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: `${agentSession} ${i} ${long}` }] })
        .then(() => undefined, (e: unknown) => e)
    expect(refused).toMatchObject({ status: 429, code: 'anomaly_blocked' })
    expect((refused as Error).message).toContain(`session ${agentSession}`)
    const deadline = Date.now() + 30_000
    for (;;) {
      const res = await fetch(`${gateway.url}/admin/api/budgets`, { headers: { authorization: 'Bearer lgw_admin_local_dev_token' } })
      const body = (await res.json()) as { anomalies: { list: { subject: string }[] }; series: { points: { anomaly_blocked: number }[] } }
      if (body.anomalies.list.some((a) => a.subject === agentSession) && body.series.points.some((p) => p.anomaly_blocked > 0)) break
      if (Date.now() > deadline) throw new Error('the anomaly and its refusal never reached the admin API')
      await new Promise((r) => setTimeout(r, 250))
    }

    const { page, problems } = await open('/budgets')
    expect(Number(await raw(page, 'anomalies'))).toBe(1)
    const row = page.locator('[data-testid="anomalies-table"] tbody tr', { hasText: agentSession })
    expect(await row.count()).toBe(1)
    const text = (await row.textContent()) ?? ''
    expect(text).toContain(`session ${agentSession}`)
    expect(text).toContain('blocked until')
    expect(text).toMatch(/tokens in \d+ s vs [\d,]+ tokens in the \d+ s before/)
    expect(Number(await row.locator('[data-ratio]').getAttribute('data-ratio'))).toBeGreaterThanOrEqual(5)
    expect(problems).toEqual([])
  })

  it('every page renders without errors, in light and dark (screenshots saved)', async () => {
    for (const theme of ['light', 'dark'] as const) {
      for (const path of [...pages, `/request?id=${firstRequestId}`]) {
        const { page, problems } = await open(path, theme)
        expect(problems, `${path} (${theme})`).toEqual([])
        expect(await page.locator('[data-state="error"]').count(), `${path} (${theme}) shows an error state`).toBe(0)
        const name = path === '/' ? 'overview' : path.slice(1).replace(/\?id=.*/, '-detail')
        await page.screenshot({ path: `${artifacts}${name}-${theme}.png`, fullPage: true })
        await page.context().close()
      }
    }
  })

  it('serves the site the way Pages does: static pages, /api only through the function, read-only', async () => {
    const page = await fetch(`${admin.url}/requests`)
    expect(page.status).toBe(200)
    expect(page.headers.get('content-type')).toMatch(/text\/html/)
    const api = await fetch(`${admin.url}/api/policy`)
    expect(api.status).toBe(200)
    expect(api.headers.get('cache-control')).toBe('no-store')
    expect(((await api.json()) as { environment: string }).environment).toBe('local')
    // No token anywhere: the binding is the credential; the gateway's own checks still apply.
    const bad = await fetch(`${admin.url}/api/overview?probe=1`)
    expect(bad.status).toBe(400)
    expect(((await bad.json()) as { error: { param: string } }).error.param).toBe('probe')
    expect((await fetch(`${admin.url}/api/overview`, { method: 'POST' })).status).toBe(405)
    expect((await fetch(`${admin.url}/api/..%2F..%2Fhealth`)).status).toBe(404)
    // The same admin API on the gateway's public hostname still wants the token.
    expect((await fetch(`${gateway.url}/admin/api/policy`, { headers: { 'x-watchllm-admin-user': 'ann@example.com' } })).status).toBe(401)
  })

  it('Experiments shows each variant side by side with intervals, and names no winner on six requests', async () => {
    const { page, problems } = await open('/experiments')
    const experiment = page.locator('[data-experiment="mini-concise"]')
    expect(await experiment.count()).toBe(1)
    for (const [variant, n] of enrolled) {
      const cell = experiment.locator(`td[data-variant="${variant}"][data-metric="Requests"]`)
      expect(Number(await cell.getAttribute('data-raw')), variant).toBe(n)
    }
    expect(await experiment.locator('[data-verdict]').getAttribute('data-winner')).toBe('')
    expect(await experiment.locator('[data-verdict]').textContent()).toContain('No winner yet')
    expect(await experiment.locator('td[data-metric="Error rate"] .sub').first().textContent()).toMatch(/^95% /)
    expect(problems).toEqual([])
  })

  it('Policy counts rule hits by rule and PII by kind', async () => {
    const { page, problems } = await open('/policy')
    const rules = page.locator('[data-testid="rule-hits"] tbody tr')
    await expect.poll(() => rules.count()).toBe(1)
    expect(await rules.first().textContent()).toBe('no-private-keysblock1')
    const pii = page.locator('[data-testid="pii-hits"] tbody tr')
    expect(await pii.first().textContent()).toBe('email110')
    expect(problems).toEqual([])
  })

  it('Audit lists the authenticated admin reads (token fingerprints, never tokens) and counts refused calls', async () => {
    // A refused call: counted, not recorded. An isolate's first refusal is written at once.
    expect((await fetch(`${gateway.url}/admin/api/policy`)).status).toBe(401)
    const { page, problems } = await open('/audit')
    const rows = page.locator('[data-testid="audit-entries"] tbody tr')
    expect(await rows.count()).toBeGreaterThan(0)
    expect(await rows.filter({ hasText: /token:[0-9a-f]{12}/ }).count()).toBeGreaterThan(0)
    expect(await page.locator('[data-testid="audit-entries"]').textContent()).not.toContain('lgw_admin_local_dev_token')
    expect(Number(await raw(page, 'refused'))).toBeGreaterThanOrEqual(1)
    expect(await page.locator('[data-testid="audit-refusals"] tbody tr').count()).toBeGreaterThanOrEqual(1)
    expect(problems).toEqual([])
    await page.context().close()
  })

  it('shows an error state, not a blank page, when the gateway is unreachable', async () => {
    // A registry where no gateway ever registered: the binding has nothing to reach.
    const orphan = await startAdmin({ registry: await mkdtemp(join(tmpdir(), 'watchllm-empty-registry-')), port: await freePort() })
    try {
      const context = await browser.newContext({ viewport: { width: 1280, height: 800 } })
      const page = await context.newPage()
      await page.goto(`${orphan.url}/`, { waitUntil: 'networkidle' })
      await page.waitForFunction(() => document.querySelectorAll('[aria-busy="true"]').length === 0)
      expect(await page.locator('[data-state="error"]').count()).toBeGreaterThan(0)
      expect(await page.locator('#gateway-state').textContent()).toBe('Gateway unreachable')
      await page.screenshot({ path: `${artifacts}overview-gateway-down.png` })
      await context.close()
    } finally {
      await orphan.stop()
    }
  })
})
