/**
 * After the answer (JSON: at once; a stream: at its end), inside `waitUntil` and never on the
 * response path: each scope that admitted the request replaces its holding with what the request
 * really cost (batched per ledger, settle-batch.ts), token buckets counted elsewhere are
 * corrected, and the thresholds crossed become alerts. The ledgers judge anomalies on the same
 * settlements: the request that trips one carries it in its usage event. A refused request gives
 * back what other scopes had already granted it.
 */
import type { Context } from 'hono'
import type { AppEnv } from '../env.ts'
import type { CompiledPolicy } from '../policy/compile.ts'
import { costOf } from '../telemetry/cost.ts'
import { holds, type Admission } from './admission.ts'
import { recordCrossings } from './alerts.ts'
import { anomalyId } from './anomaly.ts'
import { giveUpstash } from './external-limits.ts'
import { bounded, ledgerStub } from './ledger-client.ts'
import { giveBack } from './leases.ts'
import type { Actual } from './protocol.ts'
import { settleBatched } from './settle-batch.ts'
import { costAt, targetRates } from './route-prices.ts'

/** How long a usage event waits, after the answer, for the anomaly verdict on its request. */
const VERDICT_WAIT_MS = 3_000

export interface Settling {
  /** Resolves once the ledgers have answered (not waiting for alerts to be posted), bounded in time. */
  verdict: Promise<void>
  /** Everything: the ledgers, corrections elsewhere, alerts. What `waitUntil` must cover. */
  done: Promise<void>
}

export function settleAdmission(c: Context<AppEnv>, admission: Admission, policy: CompiledPolicy): Settling {
  const { project } = c.get('caller')
  const started = (async () => {
    // A stream's facts (usage, completion, a cut) are final only once it has ended.
    await c.get('answer')?.catch(() => undefined)
    const actual = actualCost(c, admission, policy)
    const batches = admission.calls.map((call) => {
      if (!holds(call)) return undefined
      const batch = settleBatched(
        { env: c.env, name: call.name, scope: call.scope, subject: call.subject, project, policy: c.get('project'), budgets: call.budgets, tokens: call.rate?.tokens, anomaly: call.plan.anomaly },
        { leaseId: call.leaseId!, held: call.held!, actual, requestId: admission.id },
      )
      const verdict = batch.answered.then((answer) => {
        const flagged = answer?.flagged
        if (flagged?.requestId === admission.id) c.get('facts').anomaly = { id: anomalyId(project, call.scope, call.subject, flagged.windowStart), ratio: flagged.ratio }
      })
      return { verdict, done: batch.done }
    })
    return { actual, batches }
  })()
  const verdict = started.then(({ batches }) => bounded(Promise.all(batches.map((b) => b?.verdict)), VERDICT_WAIT_MS)).then(
    () => undefined,
    () => undefined,
  )
  const done = started.then(async ({ actual, batches }) => {
    await Promise.all([
      ...batches.map((b) => b?.done),
      ...admission.external.map((ext) => {
        const taken = ext.answer?.taken.tokens ?? 0
        if (!ext.buckets.tokens || taken === actual.rateTokens) return undefined
        return giveUpstash(c.env, ext.name, ext.buckets, { requests: 0, tokens: taken - actual.rateTokens }).catch(() => undefined)
      }),
      alert(c, admission),
    ])
  })
  return { verdict, done }
}

/**
 * A refused request: what other scopes granted it goes back — into this isolate's lease it came
 * from, or to the ledger when that lease is gone — and a refusal's announcement is sent.
 */
export async function releaseAdmission(c: Context<AppEnv>, admission: Admission): Promise<void> {
  await Promise.all([
    ...admission.calls.map((call) => {
      if (!holds(call) || giveBack(call.name, call.leaseId!, call.held!)) return undefined
      return ledgerStub(c.env, call.name)?.release(call.leaseId!, call.held!, call.rate).catch(() => undefined)
    }),
    ...admission.external.map((ext) => {
      const taken = ext.answer?.taken
      return taken && (taken.requests > 0 || taken.tokens > 0) ? giveUpstash(c.env, ext.name, ext.buckets, taken).catch(() => undefined) : undefined
    }),
  ])
  await alert(c, admission)
}

/** What the ledgers announced while judging the request (a refusal, a downgrade); settlements announce their own. */
async function alert(c: Context<AppEnv>, admission: Admission): Promise<void> {
  const crossings = admission.crossings.map(({ call, crossing }) => ({ scope: call.scope, subject: call.subject, crossing }))
  if (crossings.length > 0) await recordCrossings(c.env, c.get('caller').project, c.get('project'), crossings)
}

/** What the request cost: nothing for a cache hit, the priced usage, or an estimate of a stream cut short. */
export function actualCost(c: Context<AppEnv>, admission: Admission, policy: CompiledPolicy): Actual {
  const facts = c.get('facts')
  if (facts.cache === 'HIT' || facts.cache === 'SEMANTIC') return { usd: 0, tokens: 0, rateTokens: 0 }
  if (facts.usage) {
    const tokens = facts.usage.inputTokens + facts.usage.outputTokens
    const cost = costOf(policy, c, facts)
    return { usd: cost.status === 'unpriced' || cost.status === 'none' ? null : (cost.costUsd ?? null), tokens, rateTokens: tokens }
  }
  if (admission.streamedTokens > 0 && facts.provider && facts.modelServed) {
    // The client went away mid-stream: the provider still produced what was relayed.
    const tokens = admission.promptTokens + admission.streamedTokens
    const rates = targetRates(policy, c.get('route').alias, facts.provider, facts.modelServed)
    return { usd: rates ? costAt(rates, admission.promptTokens, admission.streamedTokens) : null, tokens, rateTokens: tokens }
  }
  return { usd: 0, tokens: 0, rateTokens: 0 }
}
