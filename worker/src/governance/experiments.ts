/**
 * A/B assignment, in the resolve stage: a request that matches an active experiment (project,
 * model alias, header or metadata value) is assigned a variant by a hash of the experiment id and
 * its sticky unit — the same user, session or key always lands in the same variant, with no
 * storage, and units spread over the variants in proportion to their weights. The variant may send
 * the request to another alias or straight to a target, and may set parameters (on the body, before
 * the cache, so they are part of its key); the route's fingerprint carries the variant, so one
 * variant's cached answers never serve another.
 *
 * @example const variantRoute = experimentRouter(policy, cachedRoute); const route = variantRoute(c) ?? …
 */
import type { Context } from 'hono'
import type { AppEnv, GatewayEnv } from '../env.ts'
import { sha256Hex } from '../lib/hash.ts'
import type { CompiledPolicy } from '../policy/compile.ts'
import type { ExperimentPolicy } from '../policy/experiments.ts'
import type { ParamOverrides } from '../policy/param-overrides.ts'
import type { RoutePolicy } from '../policy/schema.ts'
import type { ResolvedRoute } from '../providers/types.ts'
import { metadataValue } from '../policy/rules/metadata.ts'
import { own } from '../lib/own.ts'

export type RouteCache = (key: string, alias: string, route: RoutePolicy, env: GatewayEnv) => ResolvedRoute

interface CompiledVariant {
  id: string
  /** Cumulative weight: the variant takes the buckets below this (and at or above the previous one's). */
  upTo: number
  /** The alias the request goes to, the route policy it resolves with, and the route cache's key for it. */
  alias: string
  route: RoutePolicy
  routeKey: string
  params?: ParamOverrides
}

interface CompiledExperiment {
  id: string
  policy: ExperimentPolicy
  projects?: ReadonlySet<string>
  variants: CompiledVariant[]
}

export interface Assignment {
  experiment: string
  variant: string
}

/** Where a unit falls in an experiment: a point in [0, 100), uniform over units, fixed per (experiment, unit). */
export function bucketOf(experiment: string, unit: string): number {
  // 52 bits of the hash: exactly representable, and far finer than any weight.
  return (parseInt(sha256Hex(`${experiment}\0${unit}`).slice(0, 13), 16) / 2 ** 52) * 100
}

/** Active experiments by the alias they split, each with its variants' routes worked out once. */
export function compileExperiments(policy: CompiledPolicy): Map<string, CompiledExperiment[]> {
  const byAlias = new Map<string, CompiledExperiment[]>()
  // Name order: when two active experiments match one request, the first by name applies.
  for (const [id, experiment] of Object.entries(policy.experiments ?? {}).sort(([a], [b]) => (a < b ? -1 : 1))) {
    if (experiment.status !== 'active') continue
    for (const asked of experiment.match.models) {
      const askedRoute = own(policy.models, asked)
      if (!askedRoute) continue
      let upTo = 0
      const variants = experiment.variants.map((v): CompiledVariant => {
        upTo += v.weight
        const target = v.target
        // A target variant keeps the asked alias's kind, retry and timeout, with this one target.
        const route: RoutePolicy = target ? { ...askedRoute, targets: [{ provider: target.provider, model: target.model, timeout_ms: target.timeout_ms }] } : own(policy.models, v.model ?? asked)!
        const alias = target ? asked : (v.model ?? asked)
        return { id: v.id, upTo, alias, route, routeKey: target ? `${asked}\0${id}\0${v.id}` : alias, params: v.params }
      })
      const list = byAlias.get(asked) ?? []
      list.push({ id, policy: experiment, projects: experiment.match.projects && new Set(experiment.match.projects), variants })
      byAlias.set(asked, list)
    }
  }
  return byAlias
}

/** The sticky unit of a request, or undefined (then it is not enrolled). */
function unitOf(c: Context<AppEnv>, sticky: ExperimentPolicy['sticky']): string | undefined {
  if (sticky === 'key') return `key:${c.get('caller').project}/${c.get('caller').keyId}`
  if (sticky === 'session') return c.req.header('x-watchllm-session') || undefined
  const user = c.get('body').user ?? c.get('body').safety_identifier
  return typeof user === 'string' && user.length > 0 ? user : undefined
}

function matches(c: Context<AppEnv>, e: CompiledExperiment): boolean {
  const m = e.policy.match
  if (e.projects && !e.projects.has(c.get('caller').project)) return false
  if (m.header && c.req.header(m.header.name) !== m.header.equals) return false
  if (m.metadata && metadataValue(c.get('body'), m.metadata.key) !== m.metadata.equals) return false
  return true
}

/**
 * The resolve stage's experiment step: the variant's route for a request in an experiment (facts
 * record it; its parameters are set on the body), or undefined for everything else.
 */
export function experimentRouter(policy: CompiledPolicy, routes: RouteCache): (c: Context<AppEnv>) => ResolvedRoute | undefined {
  const byAlias = compileExperiments(policy)
  const tagged = new Map<string, ResolvedRoute>()
  return (c) => {
    const alias = String(c.get('body').model)
    const candidates = byAlias.get(alias)
    if (!candidates) return undefined
    for (const e of candidates) {
      if (!matches(c, e)) continue
      const unit = unitOf(c, e.policy.sticky)
      if (unit === undefined) continue
      const bucket = bucketOf(e.id, unit)
      const variant = e.variants.find((v) => bucket < v.upTo) ?? e.variants[e.variants.length - 1]!
      c.get('facts').experiment = e.id
      c.get('facts').variant = variant.id
      if (variant.params) c.set('body', { ...c.get('body'), ...variant.params })
      const base = routes(variant.routeKey, variant.alias, variant.route, c.env)
      return withVariant(base, { experiment: e.id, variant: variant.id }, tagged)
    }
    return undefined
  }
}

/** The same route with the variant in its fingerprint (cache keys): computed once per (route, variant). */
export function withVariant(route: ResolvedRoute, a: Assignment, memo: Map<string, ResolvedRoute>): ResolvedRoute {
  const key = `${route.alias}\0${route.fingerprint}\0${a.experiment}\0${a.variant}`
  let out = memo.get(key)
  if (!out || out.targets !== route.targets) {
    out = { ...route, fingerprint: sha256Hex(`${route.fingerprint}\0${a.experiment}\0${a.variant}`) }
    memo.set(key, out)
  }
  return out
}

/** `X-WatchLLM-Experiment` / `X-WatchLLM-Variant` on the answer of an enrolled request. */
export function variantHeaders(c: Context<AppEnv>): void {
  const { experiment, variant } = c.get('facts')
  if (!experiment || !variant) return
  c.res.headers.set('X-WatchLLM-Experiment', experiment)
  c.res.headers.set('X-WatchLLM-Variant', variant)
}
