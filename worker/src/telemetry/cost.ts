/**
 * One request's cost, as the event records it and the answer's headers show it. A cache hit costs
 * nothing and saves what the cached answer cost from its provider; an unknown model is `unpriced`
 * (cost null, header `unpriced`), never $0.
 */
import type { Context } from 'hono'
import type { AppEnv } from '../env.ts'
import type { CompiledPolicy } from '../policy/compile.ts'
import type { EventCost } from './build-event.ts'
import { priceSubjectFor } from './price-subject.ts'
import { priceUsage } from './pricing.ts'
import type { RequestFacts } from './request-facts.ts'

export function costOf(policy: CompiledPolicy, c: Context<AppEnv>, facts: RequestFacts): EventCost {
  const usage = facts.usage
  if (!usage || !facts.provider || !facts.modelServed) return { costUsd: null, costSavedUsd: null, status: 'none' }
  const route = c.get('route')
  const target = route?.targets.find((t) => t.provider === facts.provider && t.model === facts.modelServed)
  const { subject, simulated } = priceSubjectFor(policy, {
    alias: route?.alias ?? facts.modelRequested,
    provider: facts.provider,
    model: facts.modelServed,
    baseUrl: target?.baseUrl,
  })
  const price = priceUsage(subject, usage)
  if (price.status === 'unpriced') return { costUsd: null, costSavedUsd: null, status: 'unpriced' }
  const hit = facts.cache === 'HIT' || facts.cache === 'SEMANTIC'
  return {
    costUsd: hit ? 0 : price.usd,
    costSavedUsd: hit ? price.usd : null,
    status: simulated ? 'simulated' : 'priced',
  }
}

/**
 * `X-WatchLLM-Cost-USD` (what this answer cost through the gateway) and, on a cache hit,
 * `X-WatchLLM-Cost-Saved-USD`. Mock answers are priced as the model they stand in for; the
 * `X-WatchLLM-Provider: mock` header already says they are not a real charge.
 */
export function costHeaders(cost: EventCost): Record<string, string> {
  if (cost.status === 'none') return {}
  if (cost.status === 'unpriced') return { 'X-WatchLLM-Cost-USD': 'unpriced' }
  const headers: Record<string, string> = { 'X-WatchLLM-Cost-USD': usd(cost.costUsd ?? 0) }
  if (cost.costSavedUsd !== null) headers['X-WatchLLM-Cost-Saved-USD'] = usd(cost.costSavedUsd)
  return headers
}

/** Fixed notation (no `1e-7`), trailing zeros trimmed: `0.000435`, `0`. */
function usd(value: number): string {
  const fixed = value.toFixed(10).replace(/0+$/, '').replace(/\.$/, '')
  return fixed === '' ? '0' : fixed
}
