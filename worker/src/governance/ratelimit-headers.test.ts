import { describe, expect, it } from 'vitest'
import { openAiDuration, rateLimitHeaders, retryHeaders } from './ratelimit-headers.ts'

describe('OpenAI rate-limit headers', () => {
  it.each([
    [0, '0s'],
    [20, '20ms'],
    [999, '999ms'],
    [1000, '1s'],
    [8640, '8.64s'],
    [59_999, '59.999s'],
    [360_000, '6m0s'],
    [3_723_000, '1h2m3s'],
  ])('formats %i ms as %s (Go durations, as OpenAI sends them)', (ms, text) => {
    expect(openAiDuration(ms)).toBe(text)
  })

  it('names every header the way OpenAI does', () => {
    expect(rateLimitHeaders({ requests: { limit: 60, remaining: 59, resetMs: 1000 }, tokens: { limit: 1000, remaining: 10, resetMs: 360_000 } })).toEqual({
      'x-ratelimit-limit-requests': '60',
      'x-ratelimit-remaining-requests': '59',
      'x-ratelimit-reset-requests': '1s',
      'x-ratelimit-limit-tokens': '1000',
      'x-ratelimit-remaining-tokens': '10',
      'x-ratelimit-reset-tokens': '6m0s',
    })
  })

  it('leaves out what a backend cannot know rather than invent it', () => {
    expect(rateLimitHeaders({ requests: { limit: 3, remaining: Number.NaN, resetMs: Number.NaN } })).toEqual({ 'x-ratelimit-limit-requests': '3' })
  })

  it('rounds Retry-After up to whole seconds, keeps the milliseconds, and says not to retry what never fits', () => {
    expect(retryHeaders(1200)).toEqual({ 'Retry-After': '2', 'retry-after-ms': '1200' })
    expect(retryHeaders(3)).toEqual({ 'Retry-After': '1', 'retry-after-ms': '3' })
    expect(retryHeaders(null)).toEqual({ 'x-should-retry': 'false' })
  })
})
