/**
 * Budgets in workerd, against the fake OpenAI upstream: reserve-then-settle under 200 parallel
 * requests, `downgrade`, per-session budgets, and the caller endpoints `/v1/budget` and `/v1/usage`.
 */
import { createExecutionContext, waitOnExecutionContext } from 'cloudflare:test'
import { describe, expect, it } from 'vitest'
import { createApp } from '../../src/app.ts'
import { priceUsage } from '../../src/telemetry/pricing.ts'
import { ask, errorOf, eventFor, gatewayFor, genv, projectWith, unique } from './harness.ts'

/** What the fake OpenAI reports for one question (its own token rule: ⌈chars / 4⌉). */
function fakeUsage(content: string) {
  const prompt = Math.ceil(JSON.stringify([{ role: 'user', content }]).length / 4)
  const completion = Math.ceil(`You said: ${content}`.length / 4)
  return { prompt, completion }
}

describe('reserve, then settle', () => {
  it('200 parallel requests against a budget worth N requests never let more than N through', async () => {
    const N = 20
    const content = 'How many requests does this budget allow? Exactly twenty.'
    const { prompt, completion } = fakeUsage(content)
    const price = priceUsage({ providerId: 'openai', model: 'gpt-4o-mini' }, { inputTokens: prompt, outputTokens: completion, cachedInputTokens: 0, reasoningTokens: 0 })
    if (price.status !== 'priced') throw new Error('gpt-4o-mini must be priced')
    const budget = (N + 0.5) * price.usd
    const project = await projectWith(`budgets: { daily: { scope: project, usd: ${budget} } }`)
    const app = createApp(project.policy)

    const results = await Promise.all(
      Array.from({ length: 200 }, async () => {
        const ctx = createExecutionContext()
        const res = await app.fetch(
          new Request('http://gateway.test/v1/chat/completions', {
            method: 'POST',
            headers: { authorization: `Bearer ${project.key}`, 'content-type': 'application/json' },
            // max_tokens = what the fake will answer: each reservation is close to the real cost.
            body: JSON.stringify(ask(content, { max_tokens: completion })),
          }),
          genv,
          ctx,
        )
        const body = res.status === 200 ? null : await errorOf(res)
        if (res.status === 200) await res.arrayBuffer()
        await waitOnExecutionContext(ctx)
        return { status: res.status, code: body?.code }
      }),
    )
    const passed = results.filter((r) => r.status === 200).length
    expect(passed).toBeLessThanOrEqual(N)
    expect(passed).toBeGreaterThan(0)
    expect(results.filter((r) => r.status !== 200).every((r) => r.status === 429 && r.code === 'budget_exceeded')).toBe(true)

    // Every request has settled to its real cost: the spend the ledger counted is exactly what the
    // answers that got through cost, and with what is still reserved (this isolate's lease) it fits.
    const view = (await (await gatewayFor(project).get('/v1/budget')).json()) as { budgets: { name: string; used: number; reserved: number; limit: number }[] }
    const daily = view.budgets.find((b) => b.name === 'daily')!
    expect(daily.used).toBeCloseTo(passed * price.usd, 12)
    expect(daily.used + daily.reserved).toBeLessThanOrEqual(daily.limit)
  })

  it('refuses with 429 budget_exceeded naming the budget, tells SDKs not to retry, and says when it resets', async () => {
    const g = gatewayFor(await projectWith('budgets: { tiny: { scope: key, usd: 0.0000001 } }'))
    const res = await g.post(ask('hello', { max_tokens: 50 }))
    expect(res.status).toBe(429)
    const error = await errorOf(res)
    expect(error).toMatchObject({ type: 'insufficient_quota', code: 'budget_exceeded' })
    expect(error.message).toContain('`tiny`')
    expect(error.message).toMatch(/resets at \d{4}-\d{2}-\d{2}T00:00:00\.000Z/)
    expect(res.headers.get('x-should-retry')).toBe('false')
    expect(Number(res.headers.get('retry-after'))).toBeGreaterThan(0)
    const error2 = await g.client({ maxRetries: 3 }).chat.completions.create(ask('hello', { max_tokens: 50 }) as never).catch((e: unknown) => e)
    expect(error2).toMatchObject({ status: 429, code: 'budget_exceeded' })
  })

  it('a burst of parallel requests leaves at most one lease reserved per isolate (the rest go back at once)', async () => {
    const g = gatewayFor(await projectWith('budgets: { daily: { scope: project, usd: 1 } }'))
    const statuses = await Promise.all(Array.from({ length: 20 }, (_, i) => g.post(ask(`burst ${i}`, { max_tokens: 20 })).then((r) => r.status)))
    expect(statuses.every((s) => s === 200)).toBe(true)
    await g.settled()
    const daily = ((await (await g.get('/v1/budget')).json()) as { budgets: { used: number; reserved: number }[] }).budgets[0]!
    expect(daily.used).toBeGreaterThan(0)
    // One lease takes 1/16 of what was left; twenty of them would hold nearly three quarters.
    expect(daily.reserved).toBeLessThanOrEqual(1 / 16)
  })

  it('a cache hit costs the budget nothing (its reservation is released in full)', async () => {
    const g = gatewayFor(await projectWith('budgets: { daily: { scope: project, usd: 1 } }', { cache: true }))
    const body = ask('cache me')
    expect((await g.post(body)).headers.get('x-watchllm-cache')).toBe('MISS')
    await g.settled()
    const used = async () => ((await (await g.get('/v1/budget')).json()) as { budgets: { used: number }[] }).budgets[0]!.used
    const afterMiss = await used()
    expect(afterMiss).toBeGreaterThan(0)
    const hit = await g.post(body)
    expect(hit.headers.get('x-watchllm-cache')).toBe('HIT')
    expect(hit.headers.get('x-watchllm-cost-usd')).toBe('0')
    await g.settled()
    expect(await used()).toBe(afterMiss)
  })
})

describe('downgrade', () => {
  it('answers from the cheaper alias once the downgrade budget is reached, and says so', async () => {
    const project = await projectWith('budgets: { soft: { scope: project, usd: 0.0000001, action: downgrade, downgrade_to: gpt-4o-mini } }')
    const g = gatewayFor(project)
    const id = `dg-${unique()}`
    const { data, response } = await g
      .client({ headers: { 'x-request-id': id } })
      .chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'Which model answers?' }] })
      .withResponse()
    expect(response.status).toBe(200)
    expect(data.model).toBe('gpt-4o-mini') // the fake echoes the model it was asked for
    expect(response.headers.get('x-watchllm-model')).toBe('gpt-4o-mini')
    expect(response.headers.get('x-watchllm-downgraded-from')).toBe('gpt-4o')
    expect(await eventFor(id)).toMatchObject({ model_requested: 'gpt-4o', model_served: 'gpt-4o-mini', budget: 'downgraded:soft' })
  })

  it('leaves the cheaper alias itself alone, and still lets a hard cap refuse', async () => {
    const g = gatewayFor(await projectWith('budgets:\n  soft: { scope: project, usd: 0.0000001, action: downgrade, downgrade_to: gpt-4o-mini }\n  hard: { scope: project, usd: 0.0000002 }'))
    const res = await g.post({ model: 'gpt-4o', messages: [{ role: 'user', content: 'hi' }], max_tokens: 100 })
    expect(res.status).toBe(429)
    expect((await errorOf(res)).message).toContain('`hard`')
  })
})

describe('session budgets', () => {
  it('count per X-WatchLLM-Session, only for the sessions they cover', async () => {
    const project = await projectWith('budgets: { trial: { scope: session, sessions: "trial-*", tokens: 200 } }')
    const g = gatewayFor(project)
    const big = ask('x'.repeat(300), { max_tokens: 50 }) // ≈ 100 + 4 prompt + 50 output tokens reserved
    expect((await g.post(big, { 'x-watchllm-session': 'trial-1' })).status).toBe(200)
    await g.settled()
    const second = await g.post(big, { 'x-watchllm-session': 'trial-1' })
    expect(second.status).toBe(429)
    expect((await errorOf(second)).message).toContain('start a new session')
    expect((await g.post(big, { 'x-watchllm-session': 'trial-2' })).status).toBe(200)
    expect((await g.post(big, { 'x-watchllm-session': 'other' })).status).toBe(200)
    expect((await g.post(big)).status).toBe(200)
    expect((await g.post(big, { 'x-watchllm-session': 'bad session!' })).status).toBe(400)
  })
})

describe('caller endpoints', () => {
  it('GET /v1/budget shows the key’s limits and what is left of each budget, its session’s included', async () => {
    const project = await projectWith(
      'limits: { key: { requests: 10, tokens: 100000 } }\nbudgets:\n  daily: { scope: project, usd: 1 }\n  mine: { scope: key, period: month, usd: 2 }\n  chat: { scope: session, tokens: 5000 }',
    )
    const g = gatewayFor(project)
    await g.post(ask('spend a little'), { 'x-watchllm-session': 's-1' })
    await g.settled()
    const res = await g.get('/v1/budget', { 'x-watchllm-session': 's-1' })
    expect(res.status).toBe(200)
    const body = (await res.json()) as Record<string, unknown> & { rate_limits: Record<string, unknown>[]; budgets: Record<string, unknown>[] }
    expect(body).toMatchObject({ object: 'budget', project: project.name, key: 'k1', session: 's-1', unavailable: [] })
    expect(body.rate_limits).toEqual([
      { scope: 'key', kind: 'requests', limit: 10, remaining: 9, window_seconds: 60, reset: expect.stringMatching(/s$/), backend: 'durable-object' },
      { scope: 'key', kind: 'tokens', limit: 100000, remaining: expect.any(Number), window_seconds: 60, reset: expect.stringMatching(/s$/), backend: 'durable-object' },
    ])
    const byName = Object.fromEntries(body.budgets.map((b) => [b.name, b]))
    expect(byName.daily).toMatchObject({ scope: 'project', period: new Date().toISOString().slice(0, 10), unit: 'usd', limit: 1, action: 'block' })
    // What this isolate's lease still holds is reserved, not spent.
    expect((byName.daily!.used as number) + (byName.daily!.reserved as number) + (byName.daily!.remaining as number)).toBeCloseTo(1, 10)
    expect(byName.daily!.used as number).toBeGreaterThan(0)
    expect(byName.mine).toMatchObject({ scope: 'key', subject: 'k1', period: new Date().toISOString().slice(0, 7) })
    expect(byName.chat).toMatchObject({ scope: 'session', subject: 's-1', period: 'session', resets_at: null, unit: 'tokens', limit: 5000 })
    expect(byName.chat!.used as number).toBeGreaterThan(0)
    // Asking spends nothing.
    const again = (await (await g.get('/v1/budget', { 'x-watchllm-session': 's-1' })).json()) as typeof body
    expect(again.rate_limits[0]!.remaining).toBe(9)
  })

  it('GET /v1/usage sums the key’s and the project’s requests, tokens, cost and hit rate today and this month', async () => {
    const project = await projectWith('limits: { key: { requests: 100 } }')
    const g = gatewayFor(project)
    const ids = [`u-${unique()}`, `u-${unique()}`]
    for (const id of ids) await g.post(ask(), { 'x-request-id': id })
    const events = await Promise.all(ids.map(eventFor))
    const res = await g.get('/v1/usage')
    expect(res.status).toBe(200)
    const body = (await res.json()) as { today: { key: Record<string, number>; project: Record<string, number> }; month: { key: Record<string, number> } }
    expect(body.today.key.requests).toBe(2)
    expect(body.today.project.requests).toBe(2)
    expect(body.month.key.requests).toBe(2)
    expect(body.today.key.input_tokens).toBe(events.reduce((n, e) => n + (e.input_tokens as number), 0))
    expect(body.today.key.cost_usd).toBeCloseTo(events.reduce((n, e) => n + (e.cost_usd as number), 0), 10)
    expect(body.today.key.cache_hit_rate).toBeNull() // the cache is off for this project: nothing was looked up
  })
})
