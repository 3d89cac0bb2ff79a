/**
 * The stream cut: a meter for the relay that counts a stream's output as it goes and ends it once
 * its running cost crosses the remaining budget seen at admission (the tightest block budget's
 * room, in USD at the answering target's prices, or in tokens). It always counts — settling a
 * stream the client abandoned needs what was streamed — and only cuts when a budget bounds it.
 */
import type { RequestFacts } from '../telemetry/request-facts.ts'
import type { CompiledPolicy } from '../policy/compile.ts'
import type { ResolvedTarget } from '../providers/types.ts'
import type { StreamMeter } from '../stream/relay.ts'
import type { Admission } from './admission.ts'
import { costAt, targetRates } from './route-prices.ts'

export function meterFor(policy: CompiledPolicy, admission: Admission, facts: RequestFacts, alias: string, target: ResolvedTarget): StreamMeter {
  const { allowance, budget } = outputAllowance(policy, admission, alias, target)
  return {
    add(tokens) {
      admission.streamedTokens += tokens
      if (admission.streamedTokens <= allowance) return true
      facts.budget = `stream_cut:${budget}`.slice(0, 64)
      facts.errorCode = 'budget_exceeded'
      // No usage chunk will come: the event and the settlement price what was streamed, estimated.
      facts.usage = { inputTokens: admission.promptTokens, outputTokens: admission.streamedTokens, cachedInputTokens: 0, reasoningTokens: 0 }
      return false
    },
    error: {
      message: `Budget \`${budget}\` reached: the answer was cut after about ${allowance} output tokens.`,
      type: 'insufficient_quota',
      param: null,
      code: 'budget_exceeded',
    },
  }
}

/** Output tokens this stream may produce before its budget is spent (Infinity when none bounds it). */
export function outputAllowance(policy: CompiledPolicy, admission: Admission, alias: string, target: ResolvedTarget): { allowance: number; budget: string } {
  let allowance = Number.POSITIVE_INFINITY
  let budget = ''
  const usd = admission.headroom.usd
  if (usd) {
    const rates = targetRates(policy, alias, target.provider, target.model, target.baseUrl)
    if (rates && rates.output > 0) {
      const tokens = Math.floor((usd.amount - costAt(rates, admission.promptTokens, 0)) / rates.output)
      if (tokens < allowance) [allowance, budget] = [Math.max(0, tokens), usd.budget]
    }
  }
  const tokens = admission.headroom.tokens
  if (tokens && tokens.amount - admission.promptTokens < allowance) [allowance, budget] = [Math.max(0, tokens.amount - admission.promptTokens), tokens.budget]
  return { allowance, budget }
}
