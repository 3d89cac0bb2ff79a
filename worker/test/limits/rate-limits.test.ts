/**
 * Rate limits in workerd, against the fake OpenAI upstream: OpenAI's headers on every answer, the
 * 429 with every header and what the official `openai` client does with it, each backend
 * (Durable Objects, Upstash through @upstash/ratelimit, the rate-limit binding), and `fail`.
 */
import { describe, expect, it } from 'vitest'
import { ask, errorOf, eventFor, gatewayFor, projectWith } from './harness.ts'

describe('rate limits on the Durable Object backend', () => {
  it('answers the 4th request in a window of 3 with a 429 carrying every header', async () => {
    const g = gatewayFor(await projectWith('limits: { key: { requests: 3, tokens: 100000 } }'))
    const ok = await g.post(ask())
    expect(ok.status).toBe(200)
    expect(ok.headers.get('x-ratelimit-limit-requests')).toBe('3')
    expect(ok.headers.get('x-ratelimit-remaining-requests')).toBe('2')
    expect(ok.headers.get('x-ratelimit-reset-requests')).toMatch(/^\d+(\.\d+)?s$|^\d+ms$/)
    expect(ok.headers.get('x-ratelimit-limit-tokens')).toBe('100000')
    expect(Number(ok.headers.get('x-ratelimit-remaining-tokens'))).toBeLessThan(100000)
    expect(ok.headers.get('x-ratelimit-reset-tokens')).toMatch(/s$/)
    await g.post(ask())
    await g.post(ask())

    const refused = await g.post(ask())
    expect(refused.status).toBe(429)
    expect(await errorOf(refused)).toMatchObject({ type: 'requests', code: 'rate_limit_exceeded', param: null })
    expect(refused.headers.get('x-ratelimit-limit-requests')).toBe('3')
    expect(refused.headers.get('x-ratelimit-remaining-requests')).toBe('0')
    expect(refused.headers.get('x-ratelimit-reset-requests')).toMatch(/s$/)
    expect(refused.headers.get('x-ratelimit-limit-tokens')).toBe('100000')
    expect(refused.headers.get('x-ratelimit-remaining-tokens')).not.toBeNull()
    expect(refused.headers.get('x-ratelimit-reset-tokens')).not.toBeNull()
    const ms = Number(refused.headers.get('retry-after-ms'))
    expect(ms).toBeGreaterThan(15_000) // one request a 20 s: the next token is 20 s after the first
    expect(ms).toBeLessThanOrEqual(20_000)
    expect(refused.headers.get('retry-after')).toBe(String(Math.ceil(ms / 1000)))
  })

  it('cache hits carry the headers too, and count as requests', async () => {
    const g = gatewayFor(await projectWith('limits: { key: { requests: 5 } }', { cache: true }))
    const body = ask('the same question')
    expect((await g.post(body)).headers.get('x-ratelimit-remaining-requests')).toBe('4')
    await g.settled()
    const hit = await g.post(body)
    expect(hit.headers.get('x-watchllm-cache')).toBe('HIT')
    expect(hit.headers.get('x-ratelimit-limit-requests')).toBe('5')
    expect(hit.headers.get('x-ratelimit-remaining-requests')).toBe('3')
    expect(hit.headers.get('x-ratelimit-reset-requests')).toMatch(/s$/)
  })

  it('the openai client reads retry-after-ms, waits that long and retries into a success', async () => {
    // Two requests per 2 s: the third waits about a second for its token.
    const project = await projectWith('limits: { key: { requests: 2 }, window_seconds: 2 }')
    const g = gatewayFor(project)
    const client = g.client({ maxRetries: 2 })
    await client.chat.completions.create(ask() as never)
    await client.chat.completions.create(ask() as never)
    const started = Date.now()
    const { response } = await client.chat.completions.create(ask() as never).withResponse()
    const waited = Date.now() - started
    expect(response.status).toBe(200)
    expect(waited).toBeGreaterThanOrEqual(500)
    expect(waited).toBeLessThan(5_000)
  })

  it('with no retries left, the openai client raises RateLimitError with the gateway’s message and headers', async () => {
    const g = gatewayFor(await projectWith('limits: { project: { requests: 1 } }'))
    await g.client().chat.completions.create(ask() as never)
    const error = await g.client().chat.completions.create(ask() as never).catch((e: unknown) => e)
    expect((error as Error).constructor.name).toBe('RateLimitError')
    expect(error).toMatchObject({ status: 429, code: 'rate_limit_exceeded' })
    expect((error as { headers: Headers }).headers.get('x-ratelimit-remaining-requests')).toBe('0')
  })

  it('counts tokens: an estimate before the call, corrected by the reported usage after it', async () => {
    const g = gatewayFor(await projectWith('limits: { key: { tokens: 5000 }, assume_max_tokens: 1000 }'))
    const first = await g.post(ask('hello there'))
    // Before the call: prompt estimate + 1000 assumed output tokens were taken.
    const during = Number(first.headers.get('x-ratelimit-remaining-tokens'))
    expect(during).toBeLessThan(4000)
    await g.settled()
    // After it: the fake reported a few tokens, so most of the first estimate came back before the
    // second took its own (uncorrected, the second would leave about `during` − 1000).
    const second = await g.post(ask('hello there'))
    expect(Number(second.headers.get('x-ratelimit-remaining-tokens'))).toBeGreaterThan(during - 100)
    // A request larger than the whole limit can never pass: 429, and the client is told not to retry.
    const huge = await g.post(ask('x', { max_tokens: 6000 }))
    expect(huge.status).toBe(429)
    expect(huge.headers.get('x-should-retry')).toBe('false')
  })
})

describe('other rate-limit backends', () => {
  it('upstash: @upstash/ratelimit over Redis refuses the 3rd request of 2, with the headers', async () => {
    const g = gatewayFor(await projectWith('limits: { backend: upstash, key: { requests: 2, tokens: 50000 } }'))
    expect((await g.post(ask())).status).toBe(200)
    const second = await g.post(ask())
    expect(second.status).toBe(200)
    expect(second.headers.get('x-ratelimit-remaining-requests')).toBe('0')
    const third = await g.post(ask())
    expect(third.status).toBe(429)
    expect(await errorOf(third)).toMatchObject({ code: 'rate_limit_exceeded' })
    expect(Number(third.headers.get('retry-after-ms'))).toBeGreaterThan(0)
  })

  it('binding: the Workers rate-limit binding refuses past its own limit (3 per 60 s)', async () => {
    const g = gatewayFor(await projectWith('limits: { backend: binding, binding: TEST_RATE_LIMITER, key: { requests: 3 } }'))
    const statuses: number[] = []
    for (let i = 0; i < 5; i++) statuses.push((await g.post(ask())).status)
    expect(statuses.slice(0, 3)).toEqual([200, 200, 200])
    expect(statuses).toContain(429)
    const last = await g.post(ask())
    expect(last.headers.get('x-ratelimit-limit-requests')).toBe('3')
    expect(last.headers.get('x-ratelimit-remaining-requests')).toBeNull() // the binding does not say
  })
})

describe('when the counters are unreachable, policy decides', () => {
  const downLedger = {
    idFromName: () => ({}),
    get: () => ({ lease: () => Promise.reject(new Error('Durable Object overloaded')), release: () => Promise.resolve(), settle: () => Promise.resolve([]) }),
  }

  it('fail: open (the default for rate limits) serves the request and records fail_open', async () => {
    const g = gatewayFor(await projectWith('limits: { key: { requests: 1 } }'), { LEDGER: downLedger } as never)
    const id = `fo-${crypto.randomUUID()}`
    const res = await g.post(ask(), { 'x-request-id': id })
    expect(res.status).toBe(200)
    expect(res.headers.get('x-ratelimit-limit-requests')).toBeNull()
    expect(await eventFor(id)).toMatchObject({ status: 200, rate_limit: 'fail_open' })
  })

  it('fail: closed answers 503 limits_unavailable, in the OpenAI shape, with Retry-After', async () => {
    const g = gatewayFor(await projectWith('limits: { key: { requests: 1 }, fail: closed }'), { LEDGER: downLedger } as never)
    const res = await g.post(ask())
    expect(res.status).toBe(503)
    expect(await errorOf(res)).toMatchObject({ code: 'limits_unavailable', type: 'server_error' })
    expect(res.headers.get('retry-after')).toBe('1')
  })

  it('a budget fails closed by default: an outage never means unbounded spend', async () => {
    const g = gatewayFor(await projectWith('budgets: { daily: { scope: project, usd: 10 } }'), { LEDGER: downLedger } as never)
    expect((await g.post(ask())).status).toBe(503)
    const open = gatewayFor(await projectWith('budgets: { daily: { scope: project, usd: 10, fail: open } }'), { LEDGER: downLedger } as never)
    expect((await open.post(ask())).status).toBe(200)
  })

  it('upstash down: the limit fails open or closed as its policy says', async () => {
    const dead = { UPSTASH_REDIS_REST_URL: 'http://127.0.0.1:9', UPSTASH_REDIS_REST_TOKEN: 'x' }
    const open = gatewayFor(await projectWith('limits: { backend: upstash, key: { requests: 5 } }'), dead)
    expect((await open.post(ask())).status).toBe(200)
    const closed = gatewayFor(await projectWith('limits: { backend: upstash, key: { requests: 5 }, fail: closed }'), dead)
    expect((await closed.post(ask())).status).toBe(503)
  })

  it('a counter that answers too late is abandoned at timeout_ms (and the request goes on, failing open)', async () => {
    const slow = { idFromName: () => ({}), get: () => ({ lease: () => new Promise(() => {}), release: () => Promise.resolve() }) }
    const g = gatewayFor(await projectWith('limits: { key: { requests: 1 }, timeout_ms: 50 }'), { LEDGER: slow } as never)
    const started = Date.now()
    expect((await g.post(ask())).status).toBe(200)
    expect(Date.now() - started).toBeLessThan(2_000)
  })
})

