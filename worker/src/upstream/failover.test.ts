import { describe, expect, it } from 'vitest'
import { GatewayError } from '../errors.ts'
import type { ProviderPolicy } from '../policy/schema.ts'
import type { ResolvedRoute, ResolvedTarget } from '../providers/types.ts'
import { backoff, callWithFailover } from './failover.ts'
import { UpstreamError } from './upstream-error.ts'

const target = (provider: string, config: Partial<ProviderPolicy> = {}): ResolvedTarget => ({
  provider,
  config: { type: 'openai-compatible', failover_on_auth_error: false, ...config } as ProviderPolicy,
  model: `${provider}-model`,
  headers: {},
  timeoutMs: 50,
})
const route = (targets: ResolvedTarget[], attempts = 0): ResolvedRoute => ({ alias: 'm', kind: 'chat', targets, retry: { attempts, backoffMs: 10 }, fingerprint: 'f' })
const noSleep = { sleep: async () => {}, random: () => 0.5 }

describe('failover', () => {
  it('moves to the fallback when the primary answers 503, and says who answered', async () => {
    const calls: string[] = []
    const answered = await callWithFailover(
      route([target('primary'), target('fallback')]),
      async (t) => {
        calls.push(t.provider)
        if (t.provider === 'primary') throw new UpstreamError('http', 503, 'overloaded')
        return 'ok'
      },
      noSleep,
    )
    expect(answered.target.provider).toBe('fallback')
    expect(calls).toEqual(['primary', 'fallback'])
  })

  it('moves on when the primary does not answer within its timeout', async () => {
    const answered = await callWithFailover(
      route([target('slow'), target('fast')]),
      (t, signal) =>
        t.provider === 'slow'
          ? new Promise((_, reject) => signal.addEventListener('abort', () => reject(new Error('aborted'))))
          : Promise.resolve('fast answer'),
      noSleep,
    )
    expect(answered.value).toBe('fast answer')
  })

  it.each([408, 409, 429, 500, 502, 504])('fails over on HTTP %i', async (status) => {
    const answered = await callWithFailover(
      route([target('a'), target('b')]),
      async (t) => {
        if (t.provider === 'a') throw new UpstreamError('http', status, 'x')
        return 'b'
      },
      noSleep,
    )
    expect(answered.target.provider).toBe('b')
  })

  it('returns a 400 from the provider to the client without trying the fallback', async () => {
    const calls: string[] = []
    const failing = callWithFailover(
      route([target('a'), target('b')]),
      async (t) => {
        calls.push(t.provider)
        throw new UpstreamError('http', 400, 'max_tokens is too large')
      },
      noSleep,
    )
    await expect(failing).rejects.toMatchObject({ status: 400, reason: 'invalid_request' })
    expect(calls).toEqual(['a'])
  })

  it('fails over on 401 only where policy says so, and never reports it as the client’s 401', async () => {
    const revoked = async (t: ResolvedTarget) => {
      if (t.provider === 'a') throw new UpstreamError('http', 401, 'Incorrect API key provided: sk-proj-abcdefghijklmnop')
      return 'b'
    }
    const strict = callWithFailover(route([target('a'), target('b')]), revoked, noSleep)
    await expect(strict).rejects.toMatchObject({ status: 502, reason: 'upstream_error' })
    const lenient = await callWithFailover(route([target('a', { failover_on_auth_error: true }), target('b')]), revoked, noSleep)
    expect(lenient.target.provider).toBe('b')
  })

  it('retries the same target with backoff before moving on, and records every attempt', async () => {
    const slept: number[] = []
    const attempts: number[] = []
    let n = 0
    const answered = await callWithFailover(
      route([target('a'), target('b')], 2),
      async (t) => {
        n++
        if (t.provider === 'a' && n < 3) throw new UpstreamError('network', 0, 'reset')
        return t.provider
      },
      { sleep: async (ms) => void slept.push(ms), random: () => 0.5, onAttempt: (a) => attempts.push(a.status) },
    )
    expect(answered.value).toBe('a')
    expect(slept).toEqual([10, 20])
    expect(attempts).toEqual([0, 0, 200])
  })

  it('when every target fails, answers 504 for a timeout and 502 otherwise', async () => {
    const timeout = callWithFailover(route([target('a')]), () => Promise.reject(new UpstreamError('timeout', 0, 't')), noSleep)
    await expect(timeout).rejects.toBeInstanceOf(GatewayError)
    await expect(timeout).rejects.toMatchObject({ status: 504, reason: 'upstream_timeout' })
    const down = callWithFailover(route([target('a'), target('b')]), () => Promise.reject(new TypeError('fetch failed')), noSleep)
    await expect(down).rejects.toMatchObject({ status: 502, reason: 'upstream_unreachable' })
  })

  it('spreads backoff with jitter and caps it', () => {
    expect(backoff(100, 1, () => 0)).toBe(50)
    expect(backoff(100, 3, () => 0.999)).toBe(Math.round(400 * 1.499))
    expect(backoff(10_000, 10, () => 0.5)).toBe(5_000)
  })
})
