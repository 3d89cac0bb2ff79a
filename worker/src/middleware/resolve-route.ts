/**
 * Model alias → route: checks the project may use the alias and that it suits the endpoint, then
 * builds the ordered target list with credentials resolved. A target whose provider's secret (or
 * base-URL var) is not set is skipped, which is how the demo falls back to `mock` with no keys.
 *
 * @example app.post('/v1/chat/completions', validate(…), resolveRoute(policy), …)
 */
import type { MiddlewareHandler } from 'hono'
import { secretOf, type AppEnv, type GatewayEnv } from '../env.ts'
import { GatewayError } from '../errors.ts'
import { experimentRouter, variantHeaders, type RouteCache } from '../governance/experiments.ts'
import { canonicalJson, sha256Hex } from '../lib/hash.ts'
import type { CompiledPolicy } from '../policy/compile.ts'
import type { ProviderPolicy, RoutePolicy } from '../policy/schema.ts'
import type { ResolvedRoute, ResolvedTarget } from '../providers/types.ts'
import { own } from '../lib/own.ts'

export function resolveRoute(policy: CompiledPolicy): MiddlewareHandler<AppEnv> {
  const cachedRoute = routesFor(policy)
  const variantRoute = experimentRouter(policy, cachedRoute) // A/B: governance/experiments.ts
  return async function resolveRouteStage(c, next) {
    const alias = String(c.get('body').model)
    const route = own(policy.models, alias)
    if (!route) throw new GatewayError(404, 'model_not_found', `The model \`${alias}\` does not exist.`, 'model')
    if (!mayUse(c.get('project').models, alias))
      throw new GatewayError(403, 'model_not_allowed', `This project may not use \`${alias}\`.`, 'model')
    if (route.kind !== c.get('endpoint'))
      throw new GatewayError(400, 'wrong_endpoint', `\`${alias}\` is a ${route.kind} model; call /v1/${route.kind === 'chat' ? 'chat/completions' : 'embeddings'}.`, 'model')

    const resolved = variantRoute(c) ?? cachedRoute(alias, alias, route, c.env)
    if (resolved.targets.length === 0)
      throw new GatewayError(503, 'no_provider_available', `No provider for \`${resolved.alias}\` has credentials configured.`)
    c.set('route', resolved)
    await next()
    variantHeaders(c)
  }
}

const routeCaches = new WeakMap<CompiledPolicy, RouteCache>()

/**
 * The route of an alias (or an experiment's target, under its own key), built once per policy and
 * env object — env is fixed for an isolate's life — and shared: targets with secrets, and the
 * fingerprint the caches key on. Also what a rule's re-route and a budget's downgrade use.
 */
export function routesFor(policy: CompiledPolicy): RouteCache {
  let cache = routeCaches.get(policy)
  if (cache) return cache
  const resolvedByEnv = new WeakMap<object, Map<string, ResolvedRoute>>()
  cache = (key, alias, route, env) => {
    let byKey = resolvedByEnv.get(env)
    if (!byKey) resolvedByEnv.set(env, (byKey = new Map()))
    let resolved = byKey.get(key)
    if (!resolved) {
      const targets = resolveTargets(alias, route, policy.providers, env)
      resolved = {
        alias,
        kind: route.kind,
        targets,
        retry: { attempts: route.retry.attempts, backoffMs: route.retry.backoff_ms },
        fingerprint: routeFingerprint(targets),
      }
      byKey.set(key, resolved)
    }
    return resolved
  }
  routeCaches.set(policy, cache)
  return cache
}

/**
 * What the caches key on besides the request: the provider types and models that can answer, so
 * re-routing an alias (or a provider key appearing) never serves the previous model's answers.
 */
export function routeFingerprint(targets: readonly { config: { type: string }; model: string }[]): string {
  return sha256Hex(canonicalJson(targets.map((t) => [t.config.type, t.model])))
}

export function mayUse(allowed: readonly string[], alias: string): boolean {
  return allowed.includes('*') || allowed.includes(alias)
}

export function resolveTargets(alias: string, route: RoutePolicy, providers: Record<string, ProviderPolicy>, env: GatewayEnv): ResolvedTarget[] {
  const out: ResolvedTarget[] = []
  for (const target of route.targets) {
    const config = own(providers, target.provider)
    if (!config) continue
    const apiKey = config.api_key ? secretOf(env, config.api_key.secret) : undefined
    if (config.api_key && !apiKey) continue
    const baseUrl = typeof config.base_url === 'object' ? secretOf(env, config.base_url.var) : config.base_url
    if (typeof config.base_url === 'object' && !baseUrl) continue
    const headers: Record<string, string> = {}
    let missing = false
    for (const [name, value] of Object.entries(config.headers ?? {})) {
      const resolved = typeof value === 'string' ? value : secretOf(env, value.secret)
      if (resolved === undefined) missing = true
      else headers[name] = resolved
    }
    if (missing) continue
    out.push({
      provider: target.provider,
      config,
      model: target.model ?? alias,
      apiKey,
      baseUrl,
      headers,
      timeoutMs: target.timeout_ms ?? config.timeout_ms ?? route.timeout_ms,
    })
  }
  return out
}
