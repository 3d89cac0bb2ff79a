/**
 * The limit stage: rate limits and budgets, checked before the upstream call and settled after it.
 *
 * Before: one call per scope (project, key, session — their ledgers, plus Upstash or the binding
 * when policy counts rate limits there), all in parallel and bounded in time; nothing else is
 * awaited. A refusal is a 429 in OpenAI's shape with `Retry-After` (or 503 when a counter that
 * must not fail open is unreachable); a downgrade budget re-routes to its cheaper alias.
 * After: every answer carries OpenAI's `x-ratelimit-*` headers, and the reservations are settled
 * to the real cost inside `waitUntil` once the answer is complete (a stream: at its end). Key and
 * session ledgers judge anomalies on those settlements; a `block` anomaly refuses the scope (429
 * `anomaly_blocked`) from its next request until its cooldown ends.
 *
 * @example app.post('/v1/chat/completions', validate(…), resolveRoute(policy), limit(policy), cache, …)
 */
import type { Context, MiddlewareHandler } from 'hono'
import type { AppEnv } from '../env.ts'
import { GatewayError, toErrorResponse } from '../errors.ts'
import { costsFor, prepareAdmission, runAdmission, type Admission, type Refusal } from '../governance/admission.ts'
import { anomalyBlockedMessage } from '../governance/anomaly-alerts.ts'
import { anomalyId } from '../governance/anomaly.ts'
import { planFor } from '../governance/plan.ts'
import { rateLimitHeaders, retryHeaders } from '../governance/ratelimit-headers.ts'
import { releaseAdmission, settleAdmission } from '../governance/settle.ts'
import { meterFor } from '../governance/stream-meter.ts'
import type { CompiledPolicy } from '../policy/compile.ts'
import { routesFor } from './resolve-route.ts'
import { own } from '../lib/own.ts'
import { lookupBudgetOf } from '../cache/lookup-budget.ts'

const saneSession = /^[\w.:@-]{1,128}$/

export function limit(policy: CompiledPolicy): MiddlewareHandler<AppEnv> {
  const routes = routesFor(policy)
  return async function limitStage(c, next) {
    // The pre-upstream budget starts here, once the body is read: limits are charged, never cut, by it.
    const budget = lookupBudgetOf(c)
    const plan = planFor(c.get('project'))
    if (!plan.active) return next()
    const header = c.req.header('x-watchllm-session')
    if (header !== undefined && plan.scopes.session && !saneSession.test(header))
      throw new GatewayError(400, 'invalid_request', 'X-WatchLLM-Session: must be 1–128 letters, digits or . _ : @ -', 'X-WatchLLM-Session')

    const admission = prepareAdmission(c, plan, plan.scopes.session ? header : undefined)
    const costs = costsFor(policy, admission, [admission.alias, ...plan.downgrades], c.get('route').kind)
    await runAdmission(c, admission, plan, costs, (work) => waitUntil(c, work))
    budget.charge('limits')
    if (admission.served !== admission.alias) {
      const route = own(policy.models, admission.served)
      const resolved = route ? routes(admission.served, admission.served, route, c.env) : undefined
      // A downgrade target with no configured provider leaves the request on its own alias.
      if (resolved && resolved.targets.length > 0) c.set('route', resolved)
      else admission.downgradedBy = undefined
    }
    record(c, admission, plan.external !== undefined || Object.values(plan.scopes).some((s) => s.rate), Object.values(plan.scopes).some((s) => s.budgets.length > 0))

    if (admission.refusal) {
      waitUntil(c, releaseAdmission(c, admission))
      const res = toErrorResponse(refusalError(admission.refusal), c)
      for (const [name, value] of Object.entries({ ...rateLimitHeaders(admission.rate), ...refusalRetry(admission.refusal) })) res.headers.set(name, value)
      return res
    }
    const alias = c.get('route').alias
    admission.meterFor = (target) => meterFor(policy, admission, c.get('facts'), alias, target)
    c.set('limits', admission)

    await next()
    for (const [name, value] of Object.entries(rateLimitHeaders(admission.rate))) c.res.headers.set(name, value)
    if (admission.downgradedBy && c.get('route').alias !== admission.alias) c.res.headers.set('X-WatchLLM-Downgraded-From', admission.alias)
    const settling = settleAdmission(c, admission, policy)
    waitUntil(c, settling.done)
    // The usage event waits for the anomaly verdict on this request (off the response path, bounded).
    if (admission.calls.some((call) => call.plan.anomaly)) admission.settled = settling.verdict
  }
}

/** The event's `rate_limit` and `budget` outcomes: ids and kinds only. */
function record(c: Context<AppEnv>, a: Admission, rates: boolean, budgets: boolean): void {
  const facts = c.get('facts')
  const r = a.refusal
  const unavailable = r?.kind === 'unavailable'
  if (r?.kind === 'anomaly') facts.anomaly = { id: anomalyId(c.get('caller').project, r.scope, r.subject, r.report.windowStart), ratio: r.report.ratio }
  if (rates) facts.rateLimit = r?.kind === 'rate' ? `limited:${r.scope}:${r.rate}` : unavailable ? 'fail_closed' : a.failedOpen.rate ? 'fail_open' : 'ok'
  if (budgets)
    facts.budget = (
      r?.kind === 'budget' ? `exceeded:${r.budget}` : unavailable ? 'fail_closed' : a.failedOpen.budget ? 'fail_open' : a.downgradedBy ? `downgraded:${a.downgradedBy}` : 'ok'
    ).slice(0, 64)
}

function refusalError(r: Refusal): GatewayError {
  switch (r.kind) {
    case 'rate': {
      const wait = r.retryAfterMs === null ? 'This request alone is larger than the limit.' : `Try again in ${(r.retryAfterMs / 1000).toFixed(1)}s.`
      return new GatewayError(429, 'rate_limit_exceeded', `Rate limit reached for ${r.rate} per ${r.scope} (limit ${r.limit}). ${wait}`)
    }
    case 'budget': {
      const amount = (n: number) => (r.unit === 'usd' ? `$${n.toFixed(6).replace(/0+$/, '').replace(/\.$/, '')}` : `${Math.round(n)} tokens`)
      const held = r.reserved > 0 ? ` and ${amount(r.reserved)} held by requests in flight` : ''
      const resets = r.periodEnd === null ? 'It does not reset: start a new session.' : `It resets at ${new Date(r.periodEnd).toISOString()}.`
      const smaller = r.used + r.reserved + r.need > r.limit && r.used + r.reserved < r.limit ? ' A smaller max_tokens, or a stream (which needs room only for its prompt), may fit.' : ''
      return new GatewayError(
        429,
        'budget_exceeded',
        `Budget \`${r.budget}\` (${r.scope}) has no room for this request: ${amount(r.used)} spent${held} of ${amount(r.limit)}; it needs up to ${amount(r.need)}. ${resets}${smaller}`,
      )
    }
    case 'anomaly':
      return new GatewayError(429, 'anomaly_blocked', anomalyBlockedMessage(r.scope, r.subject, r.report))
    case 'unavailable':
      return new GatewayError(503, 'limits_unavailable', `The ${r.scope}'s limits could not be checked, and policy says to refuse rather than guess (fail: closed).`)
  }
}

function refusalRetry(r: Refusal): Record<string, string> {
  if (r.kind === 'rate') return retryHeaders(r.retryAfterMs)
  // A budget frees up only when its period ends: tell SDKs not to retry (they would only spend retries).
  if (r.kind === 'budget') return r.periodEnd === null ? { 'x-should-retry': 'false' } : { 'x-should-retry': 'false', 'Retry-After': String(Math.max(1, Math.ceil((r.periodEnd - Date.now()) / 1000))) }
  // An anomaly block ends with its cooldown: retrying sooner only spends retries.
  if (r.kind === 'anomaly') return { 'x-should-retry': 'false', 'Retry-After': String(Math.max(1, Math.ceil((r.report.until - Date.now()) / 1000))) }
  return retryHeaders(1_000)
}

function waitUntil(c: Context<AppEnv>, work: Promise<unknown>): void {
  try {
    c.executionCtx.waitUntil(work.catch((e: unknown) => console.error(JSON.stringify({ limits: 'settle_failed', request_id: c.get('requestId'), error: String(e) }))))
  } catch {
    // `app.request()` without an execution context (unit tests): the work still runs, unawaited.
  }
}
