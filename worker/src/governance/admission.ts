/**
 * One request's admission: the estimates and costs it is judged on, then per scope (project, key,
 * session) either a draw on this isolate's lease (no round trip) or one call to the scope's ledger
 * — those calls all at once, each bounded by `limits.timeout_ms` — plus Upstash or the binding when
 * policy counts rate limits there. The verdict is folded from the answers: refused (and why), or
 * admitted at which alias, with what room for a stream and which headers to send. A scope this
 * isolate knows an anomaly blocks is refused before anything is asked.
 */
import type { Context } from 'hono'
import type { AppEnv } from '../env.ts'
import type { CompiledPolicy } from '../policy/compile.ts'
import type { ResolvedTarget } from '../providers/types.ts'
import type { StreamMeter } from '../stream/relay.ts'
import { blockOn, holdBlock } from './anomaly-blocks.ts'
import type { AnomalyReport } from './anomaly.ts'
import { maxOutputTokens, promptTokens } from './estimate.ts'
import { takeBinding, takeUpstash, type Buckets, type ExternalAnswer } from './external-limits.ts'
import { bounded, ledgerStub } from './ledger-client.ts'
import { adopt, drawLocal, LEASE_SHARE, rateOf, returning } from './leases.ts'
import type { ProjectPlan, ScopePlan } from './plan.ts'
import type { AdmitAnswer, BudgetSpec, Cost, Crossing, Holding, LeaseCall, RateSnapshot, Scope, Unit } from './protocol.ts'
import { aliasRates, costAt } from './route-prices.ts'
import { own } from '../lib/own.ts'

/**
 * How long a ledger holds a lease it never hears back about (an isolate that died): long enough
 * for the requests in flight under it, short enough that a dead isolate's share returns soon.
 */
export const RESERVATION_TTL_MS = 5 * 60_000

export interface ScopeCall {
  scope: Scope
  /** The ledger's name, e.g. `key:support:ci-bot`. */
  name: string
  /** Who the scope is: the project, key id or session id (alerts and views name it). */
  subject: string
  plan: ScopePlan
  budgets: BudgetSpec[]
  rate: LeaseCall['rate']
  /** The lease this request holds its share under, what it holds, and each block budget's room for it. */
  leaseId?: string
  held?: Holding
  room?: Record<string, number>
  /** Set when the ledger was asked (the request was not covered by this isolate's lease). */
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
  | { kind: 'budget'; scope: Scope; budget: string; unit: Unit; used: number; reserved: number; need: number; limit: number; periodEnd: number | null }
  | { kind: 'rate'; scope: Scope; rate: 'requests' | 'tokens'; retryAfterMs: number | null; limit: number }
  | { kind: 'anomaly'; scope: Scope; subject: string; report: AnomalyReport }

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
  headroom: Partial<Record<Unit, { budget: string; amount: number }>>
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
  /** With anomaly detection: resolves (bounded) once the settlement has said whether this request tripped one. */
  settled?: Promise<unknown>
}

/** The per-request part: estimates, and who is asked. */
export function prepareAdmission(c: Context<AppEnv>, plan: ProjectPlan, session: string | undefined): Admission {
  const { project, keyId } = c.get('caller')
  const endpoint = c.get('endpoint')
  const prompt = promptTokens(c.get('body'), endpoint)
  const output = maxOutputTokens(c.get('body'), endpoint, plan.limits?.assume_max_tokens ?? 4_096)
  const calls: ScopeCall[] = []
  const add = (scope: Scope, name: string, subject: string, scopePlan: ScopePlan | undefined, budgets: BudgetSpec[]) => {
    if (!scopePlan || (budgets.length === 0 && !scopePlan.rate && !scopePlan.anomaly)) return
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
  const alias = c.get('route').alias
  return {
    id: c.get('requestId'),
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
export function costsFor(policy: CompiledPolicy, admission: Admission, aliases: string[], kind: string): Record<string, Cost> {
  const costs: Record<string, Cost> = {}
  const prompt = admission.promptTokens
  const output = admission.tokenCost - prompt
  for (const alias of aliases) {
    if (own(policy.models, alias)?.kind !== kind) continue
    // Compilation refuses USD budgets over unpriced models; should one get through, it cannot fit.
    const rates = aliasRates(policy, alias)
    costs[alias] = {
      full: { usd: rates ? costAt(rates, prompt, output) : Number.POSITIVE_INFINITY, tokens: prompt + output },
      prompt: { usd: rates ? costAt(rates, prompt, 0) : Number.POSITIVE_INFINITY, tokens: prompt },
    }
  }
  return costs
}

/** Each scope: a draw on this isolate's lease, or one ledger call (all at once); `late` takes waitUntil work. */
export async function runAdmission(
  c: Context<AppEnv>,
  admission: Admission,
  plan: ProjectPlan,
  costs: Record<string, Cost>,
  late: (work: Promise<unknown>) => void,
  now: number = Date.now(),
): Promise<void> {
  const timeoutMs = plan.limits?.timeout_ms ?? 1_000
  const stream = c.get('body').stream === true
  const cost = own(costs, admission.alias)
  for (const call of admission.calls) {
    const report = call.plan.anomaly && blockOn(call.name, now)
    if (report) return refuse(admission, { kind: 'anomaly', scope: call.scope, subject: call.subject, report })
  }
  await Promise.all([
    ...admission.calls.map(async (call) => {
      const need: Holding = { requests: call.rate?.requests ? 1 : 0, tokens: call.rate?.tokens ? admission.tokenCost : 0, budgets: {} }
      for (const spec of call.budgets) need.budgets[spec.name] = cost?.full[spec.unit] ?? Number.POSITIVE_INFINITY
      const local = drawLocal(call.name, need, now)
      if (local) {
        Object.assign(call, { leaseId: local.lease.id, held: need, room: local.room })
        admission.rate = tighter(admission.rate, rateOf(local.lease))
        return
      }
      const stub = ledgerStub(c.env, call.name)
      if (!stub) return void (call.failed = true)
      const leaseId = `${admission.id}:${call.scope}`
      const back = returning(call.name)
      const lease: LeaseCall = { id: leaseId, returning: back, rate: call.rate, budgets: call.budgets, alias: admission.alias, costs, stream, ttlMs: RESERVATION_TTL_MS, share: LEASE_SHARE, anomaly: call.plan.anomaly }
      let work: Promise<AdmitAnswer> | undefined
      try {
        work = Promise.resolve(stub.lease(lease))
        const answer = await bounded(work, timeoutMs)
        call.answer = answer
        if (answer.anomaly) holdBlock(call.name, answer.anomaly)
        if (!admitted(answer)) return
        const adopted = adopt(call.name, leaseId, answer, now)
        Object.assign(call, { leaseId, held: answer.held, room: answer.room })
        admission.rate = tighter(admission.rate, rateOf(adopted))
        // Parallel requests each brought back a lease; all but the newest go back now, off the
        // response path, rather than sit reserved until this isolate's next ledger call.
        for (const stale of returning(call.name)) late(Promise.resolve(stub.release(stale.id, stale.unused, call.rate)).catch(() => undefined))
      } catch {
        call.failed = true
        // Whatever it granted after we stopped waiting goes straight back.
        if (work) late(work.then((answer) => (admitted(answer) ? stub.release(leaseId, sum(answer.held, answer.extra), call.rate) : undefined)).catch(() => undefined))
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

export const admitted = (answer: AdmitAnswer | undefined): boolean => answer !== undefined && !answer.rate.limited && !answer.blocked && !answer.anomaly

/** The call holds something for this request (granted by its lease or its ledger). */
export const holds = (call: ScopeCall): boolean => call.leaseId !== undefined && call.held !== undefined

const rank = { anomaly: 4, unavailable: 3, budget: 2, rate: 1 } as const

function refuse(admission: Admission, refusal: Refusal): void {
  if (!admission.refusal || rank[refusal.kind] > rank[admission.refusal.kind]) admission.refusal = refusal
}

/** Per kind, the snapshot with the fewest remaining (what the client can still do). */
function tighter(a: Admission['rate'], b: Admission['rate']): Admission['rate'] {
  const out = { ...a }
  for (const kind of ['requests', 'tokens'] as const) {
    const [x, y] = [a[kind], b[kind]]
    if (y && (!x || y.remaining < x.remaining || Number.isNaN(x.remaining))) out[kind] = y
  }
  return out
}

function fold(admission: Admission, limitsFail: 'open' | 'closed'): void {
  for (const call of admission.calls) {
    if (call.failed) {
      if (call.plan.fail === 'closed') refuse(admission, { kind: 'unavailable', scope: call.scope })
      if (call.rate) admission.failedOpen.rate = true
      if (call.budgets.length > 0) admission.failedOpen.budget = true
      continue
    }
    const answer = call.answer
    if (answer) {
      if (!admitted(answer)) admission.rate = tighter(admission.rate, answer.rate)
      for (const crossing of answer.crossings) admission.crossings.push({ call, crossing })
      const limited = answer.rate.limited
      if (limited)
        refuse(admission, { kind: 'rate', scope: call.scope, rate: limited.kind, retryAfterMs: limited.retryAfterMs, limit: call.rate?.[limited.kind]?.limit ?? 0 })
      if (answer.blocked) refuse(admission, { kind: 'budget', scope: call.scope, ...answer.blocked })
      if (answer.anomaly) refuse(admission, { kind: 'anomaly', scope: call.scope, subject: call.subject, report: answer.anomaly })
      // The most specific scope's downgrade wins (session, then key, then project: the calls' order).
      if (answer.downgradedBy && !admission.downgradedBy) {
        admission.served = answer.alias
        admission.downgradedBy = answer.downgradedBy
      }
    }
    for (const spec of call.budgets) {
      const room = call.room?.[spec.name]
      const current = admission.headroom[spec.unit]
      if (room !== undefined && (!current || room < current.amount)) admission.headroom[spec.unit] = { budget: spec.name, amount: room }
    }
  }
  for (const ext of admission.external) {
    if (ext.failed) {
      if (limitsFail === 'closed') refuse(admission, { kind: 'unavailable', scope: ext.scope })
      else admission.failedOpen.rate = true
      continue
    }
    admission.rate = tighter(admission.rate, { requests: ext.answer?.requests, tokens: ext.answer?.tokens })
    const limited = ext.answer?.limited
    if (limited) refuse(admission, { kind: 'rate', scope: ext.scope, rate: limited.kind, retryAfterMs: limited.retryAfterMs, limit: ext.buckets[limited.kind]?.limit ?? 0 })
  }
}

export function sum(a: Holding, b: Holding): Holding {
  const budgets = { ...a.budgets }
  for (const [k, v] of Object.entries(b.budgets)) budgets[k] = (budgets[k] ?? 0) + v
  return { requests: a.requests + b.requests, tokens: a.tokens + b.tokens, budgets }
}
