/**
 * Per-token prices for reservations and the stream cut, from the same price table and subjects as
 * the usage event (telemetry/pricing.ts, price-subject.ts). An alias's rates are the worst case over
 * its targets, since failover may answer from any of them; a target's own rates price what it
 * streamed. Each is looked up once per isolate (the policy never changes under a running isolate).
 */
import type { CompiledPolicy } from '../policy/compile.ts'
import { priceSubjectFor } from '../telemetry/price-subject.ts'
import { priceUsage, type PriceSubject } from '../telemetry/pricing.ts'
import { own } from '../lib/own.ts'

/** USD per token, and per request. */
export interface Rates {
  base: number
  input: number
  output: number
}

const M = 1_000_000
const byPolicy = new WeakMap<CompiledPolicy, Map<string, Rates | null>>()

/** The dearest rates any target of `alias` charges; null when one of them cannot be priced. */
export function aliasRates(policy: CompiledPolicy, alias: string): Rates | null {
  return cached(policy, `alias\0${alias}`, () => {
    const route = own(policy.models, alias)
    if (!route) return null
    let worst: Rates = { base: 0, input: 0, output: 0 }
    for (const target of route.targets) {
      const rates = targetRates(policy, alias, target.provider, target.model ?? alias)
      if (!rates) return null
      worst = { base: Math.max(worst.base, rates.base), input: Math.max(worst.input, rates.input), output: Math.max(worst.output, rates.output) }
    }
    return worst
  })
}

/** The rates of the target that answered; null when the price table does not know it. */
export function targetRates(policy: CompiledPolicy, alias: string, provider: string, model: string, baseUrl?: string): Rates | null {
  return cached(policy, `target\0${alias}\0${provider}\0${model}\0${baseUrl ?? ''}`, () => {
    const config = own(policy.providers, provider)
    const url = baseUrl ?? (typeof config?.base_url === 'string' ? config.base_url : undefined)
    return ratesOf(priceSubjectFor(policy, { alias, provider, model, baseUrl: url }).subject)
  })
}

export function costAt(rates: Rates, inputTokens: number, outputTokens: number): number {
  return rates.base + inputTokens * rates.input + outputTokens * rates.output
}

function ratesOf(subject: PriceSubject): Rates | null {
  const price = (inputTokens: number, outputTokens: number) => priceUsage(subject, { inputTokens, outputTokens, cachedInputTokens: 0, reasoningTokens: 0 })
  const base = price(0, 0)
  const input = price(M, 0)
  const output = price(0, M)
  if (base.status !== 'priced' || input.status !== 'priced' || output.status !== 'priced') return null
  return { base: base.usd, input: (input.usd - base.usd) / M, output: (output.usd - base.usd) / M }
}

function cached(policy: CompiledPolicy, key: string, build: () => Rates | null): Rates | null {
  let map = byPolicy.get(policy)
  if (!map) byPolicy.set(policy, (map = new Map()))
  let value = map.get(key)
  if (value === undefined) map.set(key, (value = build()))
  return value
}
