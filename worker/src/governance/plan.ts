/**
 * A project's limits and budgets, turned once per project (per isolate) into what each scope's
 * counter is asked: bucket specs, budget specs, which session ids a session budget covers, the
 * anomaly detection of key and session scopes, and what an unreachable counter means (`fail`). The
 * limit stage only fills in the per-request parts.
 */
import type { AnomalyPolicy } from '../policy/anomaly-schema.ts'
import type { BudgetPolicy, LimitsPolicy } from '../policy/governance-schema.ts'
import type { AnomalySpec } from './anomaly.ts'
import type { ProjectPolicy } from '../policy/schema.ts'
import type { BudgetSpec, Scope } from './protocol.ts'
import type { BucketSpec } from './token-bucket.ts'

export interface ScopePlan {
  scope: Scope
  /** Rate buckets kept by this scope's Durable Object (backend durable-object only). */
  rate?: { requests?: BucketSpec; tokens?: BucketSpec }
  budgets: BudgetSpec[]
  /** session scope: which session ids each budget covers. */
  covers?: ((session: string) => boolean)[]
  /** When this scope's counter cannot be reached: closed if any of its budgets (or its limits) say so. */
  fail: 'open' | 'closed'
  /** Anomaly detection, judged by this scope's ledger at settlement. */
  anomaly?: AnomalySpec
}

export interface ProjectPlan {
  limits: LimitsPolicy | undefined
  /** Rate limits counted outside the Durable Objects (Upstash, the binding), per scope. */
  external?: { backend: 'upstash' | 'binding'; key?: { requests?: BucketSpec; tokens?: BucketSpec }; project?: { requests?: BucketSpec; tokens?: BucketSpec } }
  scopes: Partial<Record<Scope, ScopePlan>>
  /** The aliases downgrade budgets may switch to (their costs are sent with each admission). */
  downgrades: string[]
  active: boolean
}

const DEFAULT_THRESHOLDS = [50, 80, 100]
const plans = new WeakMap<ProjectPolicy, ProjectPlan>()

export function planFor(project: ProjectPolicy): ProjectPlan {
  let plan = plans.get(project)
  if (!plan) plans.set(project, (plan = buildPlan(project)))
  return plan
}

function buildPlan(project: ProjectPolicy): ProjectPlan {
  const limits = project.limits
  const thresholds = [...new Set(project.alerts?.thresholds ?? DEFAULT_THRESHOLDS)].sort((a, b) => a - b)
  const windowMs = (limits?.window_seconds ?? 60) * 1000
  const buckets = (scope: 'key' | 'project') => {
    const numbers = limits?.[scope]
    if (!numbers) return undefined
    return {
      ...(numbers.requests ? { requests: { limit: numbers.requests, windowMs } } : {}),
      ...(numbers.tokens ? { tokens: { limit: numbers.tokens, windowMs } } : {}),
    }
  }
  const onObjects = !limits || limits.backend === 'durable-object'
  const scopes: Partial<Record<Scope, ScopePlan>> = {}
  const anomaly = project.anomaly ? anomalySpec(project.anomaly) : undefined
  for (const scope of ['project', 'key', 'session'] as const) {
    const entries = Object.entries(project.budgets ?? {}).filter(([, b]) => b.scope === scope)
    const rate = scope === 'session' || !onObjects ? undefined : buckets(scope)
    const detects = scope !== 'project' && project.anomaly?.scopes.includes(scope) === true
    if (entries.length === 0 && !rate && !detects) continue
    const budgetsFail = entries.some(([, b]) => b.fail === 'closed')
    scopes[scope] = {
      scope,
      ...(rate ? { rate } : {}),
      budgets: entries.map(([name, b]) => budgetSpec(name, b, thresholds)),
      ...(scope === 'session' ? { covers: entries.map(([, b]) => glob(b.sessions ?? '*')) } : {}),
      fail: budgetsFail || (rate && limits?.fail === 'closed') ? 'closed' : 'open',
      ...(detects ? { anomaly } : {}),
    }
  }
  const external =
    limits && limits.backend !== 'durable-object' ? { backend: limits.backend, key: buckets('key'), project: buckets('project') } : undefined
  const downgrades = [...new Set(Object.values(project.budgets ?? {}).flatMap((b) => (b.downgrade_to ? [b.downgrade_to] : [])))]
  return { limits, ...(external ? { external } : {}), scopes, downgrades, active: Object.keys(scopes).length > 0 || external !== undefined }
}

function budgetSpec(name: string, b: BudgetPolicy, thresholds: number[]): BudgetSpec {
  return {
    name,
    period: b.period ?? (b.scope === 'session' ? 'session' : 'day'),
    unit: b.tokens !== undefined ? 'tokens' : 'usd',
    limit: b.tokens ?? b.usd ?? 0,
    action: b.action,
    ...(b.downgrade_to ? { downgradeTo: b.downgrade_to } : {}),
    thresholds,
  }
}

/** Below this a baseline is too thin to judge growth against (`anomaly.min_baseline` unset). */
export const DEFAULT_MIN_BASELINE = { usd: 0.01, tokens: 10_000 } as const

function anomalySpec(a: AnomalyPolicy): AnomalySpec {
  return {
    metric: a.metric,
    windowMs: a.window_seconds * 1000,
    baselineMs: a.baseline_seconds * 1000,
    ratio: a.ratio,
    minBaseline: a.min_baseline ?? DEFAULT_MIN_BASELINE[a.metric],
    action: a.action,
    cooldownMs: (a.cooldown_seconds ?? a.window_seconds) * 1000,
  }
}

/** `demo-*` → a matcher; `*` matches any run of characters, everything else literally. */
export function glob(pattern: string): (value: string) => boolean {
  if (pattern === '*') return () => true
  const re = new RegExp(`^${pattern.split('*').map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`)
  return (value) => re.test(value)
}
