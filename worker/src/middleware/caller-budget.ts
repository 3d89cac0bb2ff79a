/**
 * `GET /v1/budget`: the calling key's rate limits and what is left of every budget that applies to
 * it — its project's, its own, and its session's when `X-WatchLLM-Session` is sent — read from the
 * same counters the limit stage uses (nothing is reserved or spent by asking). `reserved` is what
 * requests in flight and the gateway's leases hold: not spent, but not available either.
 *
 * @example app.get('/v1/budget', callerBudget())
 */
import type { Handler } from 'hono'
import type { AppEnv } from '../env.ts'
import { remainingExternal } from '../governance/external-limits.ts'
import { bounded, ledgerStub } from '../governance/ledger-client.ts'
import { leftOn } from '../governance/leases.ts'
import { planFor } from '../governance/plan.ts'
import type { RateSnapshot, ScopeView } from '../governance/protocol.ts'
import { openAiDuration } from '../governance/ratelimit-headers.ts'

export function callerBudget(): Handler<AppEnv> {
  return async function callerBudgetHandler(c) {
    const { project, keyId } = c.get('caller')
    const plan = planFor(c.get('project'))
    const header = c.req.header('x-watchllm-session')
    const session = header && /^[\w.:@-]{1,128}$/.test(header) ? header : undefined
    const timeoutMs = plan.limits?.timeout_ms ?? 1_000
    const windowSeconds = plan.limits?.window_seconds ?? 60
    const backend = plan.limits?.backend ?? 'durable-object'

    const scopes = [
      { scope: 'project' as const, name: `project:${project}`, subject: project, plan: plan.scopes.project, budgets: plan.scopes.project?.budgets ?? [] },
      { scope: 'key' as const, name: `key:${project}:${keyId}`, subject: keyId, plan: plan.scopes.key, budgets: plan.scopes.key?.budgets ?? [] },
      ...(session && plan.scopes.session
        ? [{ scope: 'session' as const, name: `session:${project}:${session}`, subject: session, plan: plan.scopes.session, budgets: plan.scopes.session.budgets.filter((_, i) => plan.scopes.session?.covers?.[i]?.(session)) }]
        : []),
    ]
    const unavailable: string[] = []
    const views = await Promise.all(
      scopes.map(async (s): Promise<ScopeView | undefined> => {
        if (!s.plan || (s.budgets.length === 0 && !s.plan.rate)) return undefined
        try {
          const stub = ledgerStub(c.env, s.name)
          if (!stub) throw new Error('LEDGER is not bound')
          return await bounded(Promise.resolve(stub.view(s.budgets, s.plan.rate ? { ...s.plan.rate, tokenCost: 0 } : undefined)), timeoutMs)
        } catch {
          unavailable.push(s.scope)
          return undefined
        }
      }),
    )

    const rateLimits: Record<string, unknown>[] = []
    const rate = (scope: string, kind: string, snap: RateSnapshot | undefined, limit: number) =>
      rateLimits.push({
        scope,
        kind,
        limit,
        remaining: snap && Number.isFinite(snap.remaining) ? snap.remaining : null,
        window_seconds: windowSeconds,
        reset: snap && Number.isFinite(snap.resetMs) ? openAiDuration(snap.resetMs) : null,
        backend,
      })
    for (const scope of ['key', 'project'] as const) {
      const numbers = plan.limits?.[scope]
      if (!numbers) continue
      const view = views[scope === 'project' ? 0 : 1]
      const external = plan.external ? await remainingExternal(c.env, plan.external, scope, scope === 'key' ? `key:${project}:${keyId}` : `project:${project}`).catch(() => undefined) : undefined
      // The ledger counts what this isolate has leased as taken; what the lease still holds is not used yet.
      const left = leftOn(scope === 'key' ? `key:${project}:${keyId}` : `project:${project}`)
      const plus = (snap: RateSnapshot | undefined, extra = 0) => (snap ? { ...snap, remaining: Math.min(snap.limit, snap.remaining + Math.floor(extra)) } : undefined)
      if (numbers.requests) rate(scope, 'requests', external?.requests ?? plus(view?.requests, left?.requests), numbers.requests)
      if (numbers.tokens) rate(scope, 'tokens', external?.tokens ?? plus(view?.tokens, left?.tokens), numbers.tokens)
    }

    const budgets = scopes.flatMap((s, i) =>
      (views[i]?.budgets ?? []).map((b) => ({
        name: b.name,
        scope: s.scope,
        subject: s.subject,
        period: b.period,
        resets_at: b.periodEnd === null ? null : new Date(b.periodEnd).toISOString(),
        unit: b.unit,
        limit: b.limit,
        used: round(b.used),
        reserved: round(b.reserved),
        remaining: round(Math.max(0, b.limit - b.used - b.reserved)),
        percent_used: round((100 * b.used) / b.limit),
        action: b.action,
      })),
    )
    return c.json({ object: 'budget', project, key: keyId, session: session ?? null, rate_limits: rateLimits, budgets, unavailable })
  }
}

const round = (n: number): number => Math.round(n * 1e10) / 1e10
