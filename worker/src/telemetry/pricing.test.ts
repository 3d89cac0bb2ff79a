import { calcPrice } from '@pydantic/genai-prices'
import { describe, expect, it } from 'vitest'
import { priceUsage, type PriceSubject } from './pricing.ts'
import type { TokenUsage } from './request-facts.ts'

const usage = (inputTokens: number, outputTokens: number, cachedInputTokens = 0, reasoningTokens = 0): TokenUsage => ({
  inputTokens,
  outputTokens,
  cachedInputTokens,
  reasoningTokens,
})

/** The table's own per-million rates for a model, to compute expectations independently. */
function rates(subject: PriceSubject): Record<string, number> {
  const found = calcPrice({ input_tokens: 0, output_tokens: 0 }, subject.model, { providerId: subject.providerId })
  if (!found) throw new Error(`${subject.model} is not in the price table`)
  return found.model_price as Record<string, number>
}

const priced = (subject: PriceSubject, u: TokenUsage): number => {
  const price = priceUsage(subject, u)
  if (price.status !== 'priced') throw new Error(`${subject.model} came back ${price.status}`)
  return price.usd
}

describe('pricing on the price table', () => {
  it('prices Anthropic cache writes at the write rate, their 1-hour share at its own, and reads at the read rate', () => {
    const subject = { providerId: 'anthropic', model: 'claude-haiku-4-5' }
    const r = rates(subject)
    expect(r.cache_write_mtok).toBeGreaterThan(r.input_mtok!)
    expect(r.cache_write_1h_mtok).toBeGreaterThan(r.cache_write_mtok!)
    // 10,000 input tokens in all: 2,000 read from the cache, 5,000 written (1,000 of them for 1 hour), 3,000 plain.
    const u: TokenUsage = { ...usage(10_000, 1_000, 2_000), cacheWriteTokens: 5_000, cacheWrite1hTokens: 1_000 }
    const expected = (3_000 * r.input_mtok! + 2_000 * r.cache_read_mtok! + 4_000 * r.cache_write_mtok! + 1_000 * r.cache_write_1h_mtok! + 1_000 * r.output_mtok!) / 1e6
    expect(priced(subject, u)).toBeCloseTo(expected, 12)
    // claude-haiku-4-5: $1 input, $0.10 read, $1.25 write, $2 write (1h), $5 output per million.
    expect(priced(subject, u)).toBeCloseTo(0.0152, 12)
    expect(priced(subject, u)).toBeGreaterThan(priced(subject, { ...u, cacheWrite1hTokens: 0 }))
    expect(priced(subject, { ...u, cacheWriteTokens: 0, cacheWrite1hTokens: 0 })).toBeLessThan(priced(subject, u))
  })

  it('prices cache writes on a tiered model through the table, as the library computes them', () => {
    const subject = { providerId: 'anthropic', model: 'claude-sonnet-4-5' }
    const u: TokenUsage = { ...usage(300_000, 2_000, 50_000), cacheWriteTokens: 100_000, cacheWrite1hTokens: 40_000 }
    const library = calcPrice(
      { input_tokens: 300_000, cache_read_tokens: 50_000, cache_write_tokens: 100_000, cache_write_1h_tokens: 40_000, output_tokens: 2_000 },
      'claude-sonnet-4-5',
      { providerId: 'anthropic' },
    )!.total_price
    expect(priced(subject, u)).toBeCloseTo(library, 10)
  })

  it('prices OpenAI cache writes (it charges none) as plain input', () => {
    const subject = { providerId: 'openai', model: 'gpt-4o-mini' }
    expect(priced(subject, { ...usage(10_000, 500, 4_000), cacheWriteTokens: 3_000 })).toBeCloseTo(priced(subject, usage(10_000, 500, 4_000)), 12)
  })

  it('prices cached input tokens at the cache-read rate and the rest at the input rate', () => {
    const subject = { providerId: 'openai', model: 'gpt-4o-mini' }
    const r = rates(subject)
    expect(r.cache_read_mtok).toBeLessThan(r.input_mtok!)
    const expected = ((10_000 - 4_000) * r.input_mtok! + 4_000 * r.cache_read_mtok! + 500 * r.output_mtok!) / 1e6
    expect(priced(subject, usage(10_000, 500, 4_000))).toBeCloseTo(expected, 12)
    expect(priced(subject, usage(10_000, 500, 4_000))).toBeLessThan(priced(subject, usage(10_000, 500, 0)))
  })

  it('counts reasoning tokens as part of the output, as OpenAI reports them', () => {
    const subject = { providerId: 'openai', model: 'o3-mini' }
    const r = rates(subject)
    const expected = (2_000 * r.input_mtok! + 3_000 * r.output_mtok!) / 1e6
    expect(priced(subject, usage(2_000, 3_000, 0, 2_500))).toBeCloseTo(expected, 12)
  })

  it('agrees with the library’s full calculation for every provider the demo routes to', () => {
    const cases: [PriceSubject, TokenUsage][] = [
      [{ providerId: 'openai', model: 'gpt-4o' }, usage(1_234, 567, 200, 0)],
      [{ providerId: 'openai', model: 'o3-mini' }, usage(5_000, 9_000, 1_000, 8_000)],
      [{ providerId: 'anthropic', model: 'claude-haiku-4-5' }, usage(3_000, 700, 2_000)],
      [{ providerId: 'groq', model: 'llama-3.1-8b-instant' }, usage(800, 90)],
      [{ providerId: 'openai', model: 'text-embedding-3-small' }, usage(4_096, 0)],
      // Tiered: above 200k input tokens the rate changes, so this one goes through the table each time.
      [{ providerId: 'anthropic', model: 'claude-sonnet-4-5' }, usage(250_000, 1_000, 50_000)],
      [{ providerId: 'anthropic', model: 'claude-sonnet-4-5' }, usage(1_000, 1_000, 0)],
    ]
    for (const [subject, u] of cases) {
      const library = calcPrice(
        { input_tokens: u.inputTokens, cache_read_tokens: u.cachedInputTokens, output_tokens: u.outputTokens, output_reasoning_tokens: u.reasoningTokens },
        subject.model,
        { providerId: subject.providerId },
      )
      expect(library, subject.model).not.toBeNull()
      expect(priced(subject, u), subject.model).toBeCloseTo(library!.total_price, 10)
    }
  })

  it('prices the same model the same way on repeated calls (the per-isolate cache changes nothing)', () => {
    const subject = { providerId: 'anthropic', model: 'claude-haiku-4-5' }
    const first = priced(subject, usage(1_000, 100, 10))
    for (let i = 0; i < 100; i++) expect(priced(subject, usage(1_000, 100, 10))).toBe(first)
  })

  it('flags a model the table does not know as unpriced rather than pricing it at $0', () => {
    expect(priceUsage({ providerId: 'openai', model: 'gpt-nonexistent-9' }, usage(100, 100))).toEqual({ status: 'unpriced', reason: 'unknown_model' })
    expect(priceUsage({ model: 'house-model-unlisted' }, usage(100, 100))).toEqual({ status: 'unpriced', reason: 'unknown_model' })
  })

  it('never reports float noise: costs are rounded to 1e-10 USD', () => {
    const usd = priced({ providerId: 'openai', model: 'gpt-4o-mini' }, usage(3, 7))
    expect(Math.round(usd * 1e10) / 1e10).toBe(usd)
  })
})
