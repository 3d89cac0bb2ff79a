/**
 * Cost of one answer from the usage the provider reported, on `@pydantic/genai-prices`' bundled
 * price table (no network: the table ships inside the package). Cached-input and reasoning tokens
 * are priced at their own rates where the table has them, and so are prompt-cache writes (Anthropic's
 * `cache_creation_input_tokens`, with its 1-hour TTL share dearer than the 5-minute default).
 *
 * Hot path: the table lookup happens once per (provider, model) per isolate. Most models are priced
 * linearly, so their per-token rates are derived once and each answer costs four multiplications;
 * tiered or time-dependent prices fall back to the library's full calculation.
 */
import { calcPrice, type PriceOptions, type Provider, type ModelInfo } from '@pydantic/genai-prices'
import type { TokenUsage } from './request-facts.ts'
import { registerCache } from '../lib/isolate-caches.ts'

/** What to look up: the price table's provider (by id or API URL) and the provider's model id. */
export interface PriceSubject {
  model: string
  providerId?: string
  providerApiUrl?: string
}

export type Price =
  | { status: 'priced'; usd: number }
  | { status: 'unpriced'; reason: 'unknown_model' }

/** Per-token rates in USD, plus any per-request fee. */
interface LinearRates {
  kind: 'linear'
  base: number
  input: number
  cachedInput: number
  output: number
  reasoning: number
  /** Prompt-cache writes: 5-minute TTL, and 1-hour TTL (both the input rate where the table has no write price). */
  cacheWrite: number
  cacheWrite1h: number
}
type Pricer = LinearRates | { kind: 'table'; options: PriceOptions; model: string } | { kind: 'unknown' }

const MAX_CACHED_SUBJECTS = 1_000
// Deliberate isolate-level cache: bounded by subject count (models in use are few).
const pricers = new Map<string, Pricer>()
registerCache('pricers', { size: () => pricers.size, bound: MAX_CACHED_SUBJECTS, unit: 'entries' })

export function priceUsage(subject: PriceSubject, usage: TokenUsage, now: Date = new Date()): Price {
  const key = `${subject.providerId ?? ''}\0${subject.providerApiUrl ?? ''}\0${subject.model}`
  let pricer = pricers.get(key)
  if (!pricer) {
    if (pricers.size >= MAX_CACHED_SUBJECTS) pricers.clear()
    pricers.set(key, (pricer = buildPricer(subject, now)))
  }
  switch (pricer.kind) {
    case 'unknown':
      return { status: 'unpriced', reason: 'unknown_model' }
    case 'linear': {
      const cached = Math.min(usage.cachedInputTokens, usage.inputTokens)
      const written = Math.min(usage.cacheWriteTokens ?? 0, usage.inputTokens - cached)
      const written1h = Math.min(usage.cacheWrite1hTokens ?? 0, written)
      const reasoning = Math.min(usage.reasoningTokens, usage.outputTokens)
      const usd =
        pricer.base +
        (usage.inputTokens - cached - written) * pricer.input +
        cached * pricer.cachedInput +
        (written - written1h) * pricer.cacheWrite +
        written1h * pricer.cacheWrite1h +
        (usage.outputTokens - reasoning) * pricer.output +
        reasoning * pricer.reasoning
      return { status: 'priced', usd: round(usd) }
    }
    case 'table': {
      const result = calcPrice(toLibraryUsage(usage), pricer.model, { ...pricer.options, timestamp: now })
      return result ? { status: 'priced', usd: round(result.total_price) } : { status: 'unpriced', reason: 'unknown_model' }
    }
  }
}

/**
 * The library's usage shape: cache reads, cache writes and reasoning are partitions of the input /
 * output totals, and the 1-hour cache writes a partition of the writes.
 */
function toLibraryUsage(usage: TokenUsage): Record<string, number> {
  const read = Math.min(usage.cachedInputTokens, usage.inputTokens)
  const written = Math.min(usage.cacheWriteTokens ?? 0, usage.inputTokens - read)
  return {
    input_tokens: usage.inputTokens,
    cache_read_tokens: read,
    ...(written > 0 ? { cache_write_tokens: written, cache_write_1h_tokens: Math.min(usage.cacheWrite1hTokens ?? 0, written) } : {}),
    output_tokens: usage.outputTokens,
    output_reasoning_tokens: Math.min(usage.reasoningTokens, usage.outputTokens),
  }
}

function buildPricer(subject: PriceSubject, now: Date): Pricer {
  const options: PriceOptions = {}
  if (subject.providerId) options.providerId = subject.providerId
  if (subject.providerApiUrl) options.providerApiUrl = subject.providerApiUrl
  const found = calcPrice({ input_tokens: 0, output_tokens: 0 }, subject.model, { ...options, timestamp: now })
  if (!found) return { kind: 'unknown' }
  // From here on, only this one model is searched.
  const single: Provider = { ...found.provider, models: [found.model] }
  const table = { kind: 'table' as const, options: { provider: single }, model: subject.model }
  if (!isLinear(found.model)) return table

  const M = 1_000_000
  const total = (usage: Record<string, number>) => {
    try {
      return calcPrice(usage, subject.model, { provider: single, timestamp: now })?.total_price ?? NaN
    } catch {
      return NaN // a usage key this model's prices cannot take: priced by the library per answer instead
    }
  }
  const base = total({ input_tokens: 0, output_tokens: 0 })
  const input = (total({ input_tokens: M, output_tokens: 0 }) - base) / M
  const cachedInput = (total({ input_tokens: M, cache_read_tokens: M, output_tokens: 0 }) - base) / M
  const output = (total({ input_tokens: 0, output_tokens: M }) - base) / M
  const reasoning = (total({ input_tokens: 0, output_tokens: M, output_reasoning_tokens: M }) - base) / M
  const cacheWrite = (total({ input_tokens: M, cache_write_tokens: M, output_tokens: 0 }) - base) / M
  const cacheWrite1h = (total({ input_tokens: M, cache_write_tokens: M, cache_write_1h_tokens: M, output_tokens: 0 }) - base) / M
  const rates = [base, input, cachedInput, output, reasoning, cacheWrite, cacheWrite1h]
  return rates.every(Number.isFinite) ? { kind: 'linear', base, input, cachedInput, output, reasoning, cacheWrite, cacheWrite1h } : table
}

/** Flat per-token prices: no tiers, no time-of-day or start-date conditions. */
function isLinear(model: ModelInfo): boolean {
  if (Array.isArray(model.prices)) return false
  return Object.values(model.prices).every((p) => p === undefined || typeof p === 'number')
}

/** Micro-dollar precision is plenty, and keeps float noise out of sums and headers. */
const round = (usd: number): number => Math.round(usd * 1e10) / 1e10
