/**
 * Which price-table entry an answer is priced on, from the policy: the provider's type names the
 * table's provider; an OpenAI-compatible provider is matched by its base URL.
 *
 * The `mock` provider is priced as the model it stands in for — the route's real target serving
 * the same model (else the table's own model-name matching) — and flagged `simulated`: the demo
 * shows realistic costs, and nobody mistakes them for a bill.
 */
import type { CompiledPolicy } from '../policy/compile.ts'
import type { ProviderPolicy, ProviderType } from '../policy/schema.ts'
import type { PriceSubject } from './pricing.ts'
import { own } from '../lib/own.ts'

export interface PricedAs {
  subject: PriceSubject
  simulated: boolean
}

/** genai-prices provider ids for the provider types whose prices it keeps. */
const tableIds: Partial<Record<ProviderType, string>> = {
  openai: 'openai',
  anthropic: 'anthropic',
  groq: 'groq',
  'workers-ai': 'cloudflare',
}

export function priceSubjectFor(
  policy: CompiledPolicy,
  answer: { alias: string | undefined; provider: string; model: string; baseUrl?: string },
): PricedAs {
  const config = own(policy.providers, answer.provider)
  if (!config) return { subject: { model: answer.model }, simulated: false }
  if (config.type !== 'mock') return { subject: subjectOf(config, answer.model, answer.baseUrl), simulated: false }

  const route = answer.alias === undefined ? undefined : own(policy.models, answer.alias)
  for (const target of route?.targets ?? []) {
    const real = own(policy.providers, target.provider)
    if (!real || real.type === 'mock' || (target.model ?? answer.alias) !== answer.model) continue
    return { subject: subjectOf(real, answer.model), simulated: true }
  }
  return { subject: { model: answer.model }, simulated: true }
}

function subjectOf(config: ProviderPolicy, model: string, resolvedBaseUrl?: string): PriceSubject {
  const providerId = tableIds[config.type]
  if (providerId) return { model, providerId }
  const baseUrl = resolvedBaseUrl ?? (typeof config.base_url === 'string' ? config.base_url : undefined)
  return baseUrl ? { model, providerApiUrl: baseUrl } : { model }
}
