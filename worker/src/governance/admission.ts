/**
 * One request's admission: the estimates and costs it is judged on, one call per scope (its
 * ledger, plus Upstash or the binding when policy counts rate limits there) — all in parallel,
 * each bounded by `limits.timeout_ms` — and the verdict folded from their answers: refused (and
 * why), or admitted at which alias, with what room for a stream and which headers to send.
 */
import type { Context } from 'hono'
import type { AppEnv } from '../env.ts'
import type { CompiledPolicy } from '../policy/compile.ts'
import type { ResolvedTarget } from '../providers/types.ts'
import type { StreamMeter } from '../stream/relay.ts'
import { maxOutputTokens, promptTokens } from './estimate.ts'
import { takeBinding, takeUpstash, type Buckets, type ExternalAnswer } from './external-limits.ts'
import { bounded, ledgerStub } from './ledger-client.ts'
import type { ProjectPlan, ScopePlan } from './plan.ts'
import type { AdmitAnswer, AdmitCall, BudgetSpec, Cost, Crossing, RateSnapshot, Scope, Unit } from './protocol.ts'
import { aliasRates, costAt } from './route-prices.ts'

/** Longer than any request should take; an unsettled reservation (a dead isolate) is dropped after it. */
export const RESERVATION_TTL_MS = 15 * 60_000

export interface ScopeCall {
  scope: Scope
  /** The ledger's name, e.g. `key:support:ci-bot`. */
  name: string
  /** Who the scope is: the project, key id or session id (alerts and views name it). */
  subject: string
  plan: ScopePlan
  budgets: BudgetSpec[]
  rate: AdmitCall['rate']
  answer?: AdmitAnswer
  failed?: boolean
}

export interface ExternalCall {
  scope: 'key' | 'project'
  name: string
  buckets: Buckets
  answer?: ExternalAnswer
  failed?: boolean
}

export type Refusal =
  | { kind: 'unavailable'; scope: Scope }
  | { kind: 'budget'; scope: Scope; budget: string; unit: Unit; used: number; limit: number; periodEnd: number | null }
  | { kind: 'rate'; scope: Scope; rate: 'requests' | 'tokens'; retryAfterMs: number | null; limit: number }

export interface Admission {
  id: string
  calls: ScopeCall[]
  external: ExternalCall[]
  /** The alias asked for, and the one to serve (a downgrade budget may have switched it). */
  alias: string
  served: string
  downgradedBy?: string
  refusal?: Refusal
  /** The tightest block budget's room for this request, per unit: where a stream is cut. */
  headroom: AdmitAnswer['headroom']
  rate: { requests?: RateSnapshot; tokens?: RateSnapshot }
  crossings: { call: ScopeCall; crossing: Crossing }[]
  /** A counter could not be reached and its `fail: open` let the request through. */
  failedOpen: { rate: boolean; budget: boolean }
  promptTokens: number
  tokenCost: number
  /** Output tokens a stream has relayed so far (the stream meter counts them). */
  streamedTokens: number
  /** The relay's meter for a stream answered by `target` (set by the limit stage once admitted). */
  meterFor?: (target: ResolvedTarget) => StreamMeter
}

/** The per-request part: estimates, costs per candidate alias, and who is asked. */
export function prepareAdmission(c: Context<AppEnv>, plan: ProjectPlan, policy: CompiledPolicy, session: string | undefined): Admission {
  const { project, keyId } = c.var.caller
  const endpoint = c.var.endpoint
  const prompt = promptTokens(c.var.body, endpoint)
  const output = maxOutputTokens(c.var.body, endpoint, plan.limits?.assume_max_tokens ?? 4_096)
  const alias = c.var.route.alias
  const calls: ScopeCall[] = []
  const add = (scope: Scope, name: string, subject: string, scopePlan: ScopePlan | undefined, budgets: BudgetSpec[]) => {
    if (!scopePlan || (budgets.length === 0 && !scopePlan.rate)) return
    calls.push({ scope, name, subject, plan: scopePlan, budgets, rate: scopePlan.rate ? { ...scopePlan.rate, tokenCost: prompt + output } : undefined })
  }
  const sessionPlan = plan.scopes.session
  if (sessionPlan && session !== undefined)
    add('session', `session:${project}:${session}`, session, sessionPlan, sessionPlan.budgets.filter((_, i) => sessionPlan.covers?.[i]?.(session)))
  add('key', `key:${project}:${keyId}`, keyId, plan.scopes.key, plan.scopes.key?.budgets ?? [])
  add('project', `project:${project}`, project, plan.scopes.project, plan.scopes.project?.budgets ?? [])
  const external: ExternalCall[] = []
  for (const scope of ['key', 'project'] as const) {
    const buckets = plan.external?.[scope]
    if (buckets) external.push({ scope, name: scope === 'key' ? `key:${project}:${keyId}` : `project:${project}`, buckets })
  }
  return {
    id: c.var.requestId,
    calls,
    external,
    alias,
    served: alias,
    headroom: {},
    rate: {},
    crossings: [],
    failedOpen: { rate: false, budget: false },
    promptTokens: prompt,
    tokenCost: prompt + output,
    streamedTokens: 0,
  }
}

/** What the request would cost at `alias` (and at each downgrade target of the same kind). */
export function costsFor(policy: CompiledPolicy, admission: Admission, aliases: string[], kind: string, output: number): Record<string, Cost> {
  const costs: Record<string, Cost> = {}
  const prompt = admission.promptTokens
  for (const alias of aliases) {
    if (policy.models[alias]?.kind !== kind) continue
    // Compilation refuses USD budgets over unpriced models; should one get through, it cannot fit.
    const rates = aliasRates(policy, alias)
    costs[alias] = {
      full: { usd: rates ? costAt(rates, prompt, output) : Number.POSITIVE_INFINITY, tokens: prompt + output },
      prompt: { usd: rates ? costAt(rates, prompt, 0) : Number.POSITIVE_INFINITY, tokens: prompt },
    }
  }
  return costs
}

/** Asks every scope at once; `late` receives work (releasing an admission that came too late) for waitUntil. */
export async function runAdmission(
  c: Context<AppEnv>,
  admission: Admission,
  plan: ProjectPlan,
  costs: Record<string, Cost>,
  late: (work: Promise<unknown>) => void,
): Promise<void> {
  const timeoutMs = plan.limits?.timeout_ms ?? 1_000
  const stream = c.var.body.stream === true
  await Promise.all([
    ...admission.calls.map(async (call) => {
      const stub = ledgerStub(c.env, call.name)
      if (!stub) return void (call.failed = true)
      const work = stub.admit({ id: admission.id, rate: call.rate, budgets: call.budgets, alias: admission.alias, costs, stream, ttlMs: RESERVATION_TTL_MS })
      try {
        call.answer = await bounded(work, timeoutMs)
      } catch {
        call.failed = true
        late(Promise.resolve(work).then((answer) => (admitted(answer) ? stub.release(admission.id, call.rate) : undefined)).catch(() => undefined))
      }
    }),
    ...admission.external.map(async (ext) => {
      try {
        const backend = plan.external?.backend
        const work = backend === 'upstash' ? takeUpstash(c.env, ext.name, ext.buckets, admission.tokenCost) : takeBinding(c.env, plan.limits?.binding ?? 'RATE_LIMITER', ext.name, ext.buckets)
        ext.answer = await bounded(work, timeoutMs)
      } catch {
        ext.failed = true
      }
    }),
  ])
  fold(admission, plan.limits?.fail ?? 'open')
}

export const admitted = (answer: AdmitAnswer | undefined): answer is AdmitAnswer => answer !== undefined && !answer.rate.limited && !answer.blocked

const rank = { unavailable: 3, budget: 2, rate: 1 } as const

function refuse(admission: Admission, refusal: Refusal): void {
  if (!admission.refusal || rank[refusal.kind] > rank[admission.refusal.kind]) admission.refusal = refusal
}

function fold(admission: Admission, limitsFail: 'open' | 'closed'): void {
  const tighter = (kind: 'requests' | 'tokens', snap: RateSnapshot | undefined) => {
    const now = admission.rate[kind]
    if (snap && (!now || snap.remaining < now.remaining || Number.isNaN(now.remaining))) admission.rate[kind] = snap
  }
  for (const call of admission.calls) {
    if (call.failed) {
      if (call.plan.fail === 'closed') refuse(admission, { kind: 'unavailable', scope: call.scope })
      if (call.rate) admission.failedOpen.rate = true
      if (call.budgets.length > 0) admission.failedOpen.budget = true
      continue
    }
    const answer = call.answer
    if (!answer) continue
    tighter('requests', answer.rate.requests)
    tighter('tokens', answer.rate.tokens)
    for (const crossing of answer.crossings) admission.crossings.push({ call, crossing })
    const limited = answer.rate.limited
    if (limited)
      refuse(admission, { kind: 'rate', scope: call.scope, rate: limited.kind, retryAfterMs: limited.retryAfterMs, limit: call.rate?.[limited.kind]?.limit ?? 0 })
    if (answer.blocked) refuse(admission, { kind: 'budget', scope: call.scope, ...answer.blocked })
    // The most specific scope's downgrade wins (session, then key, then project: the calls' order).
    if (answer.downgradedBy && !admission.downgradedBy) {
      admission.served = answer.alias
      admission.downgradedBy = answer.downgradedBy
    }
    for (const unit of ['usd', 'tokens'] as const) {
      const room = answer.headroom[unit]
      const current = admission.headroom[unit]
      if (room && (!current || room.amount < current.amount)) admission.headroom[unit] = room
    }
  }
  for (const ext of admission.external) {
    if (ext.failed) {
      if (limitsFail === 'closed') refuse(admission, { kind: 'unavailable', scope: ext.scope })
      else admission.failedOpen.rate = true
      continue
    }
    tighter('requests', ext.answer?.requests)
    tighter('tokens', ext.answer?.tokens)
    const limited = ext.answer?.limited
    if (limited) refuse(admission, { kind: 'rate', scope: ext.scope, rate: limited.kind, retryAfterMs: limited.retryAfterMs, limit: ext.buckets[limited.kind]?.limit ?? 0 })
  }
}
