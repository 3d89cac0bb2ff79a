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
import type { CompiledPolicy } from '../policy/compile.ts'
import type { ProviderPolicy, RoutePolicy } from '../policy/schema.ts'
import type { ResolvedRoute, ResolvedTarget } from '../providers/types.ts'

export function resolveRoute(policy: CompiledPolicy): MiddlewareHandler<AppEnv> {
  // Env is fixed for an isolate's life, so each alias resolves once per env object.
  const resolvedByEnv = new WeakMap<object, Map<string, ResolvedTarget[]>>()
  const cachedTargets = (alias: string, route: RoutePolicy, env: GatewayEnv): ResolvedTarget[] => {
    let byAlias = resolvedByEnv.get(env)
    if (!byAlias) resolvedByEnv.set(env, (byAlias = new Map()))
    let targets = byAlias.get(alias)
    if (!targets) byAlias.set(alias, (targets = resolveTargets(alias, route, policy.providers, env)))
    return targets
  }
  return async function resolveRouteStage(c, next) {
    const alias = String(c.var.body.model)
    const route = policy.models[alias]
    if (!route) throw new GatewayError(404, 'model_not_found', `The model \`${alias}\` does not exist.`, 'model')
    if (!mayUse(c.var.project.models, alias))
      throw new GatewayError(403, 'model_not_allowed', `This project may not use \`${alias}\`.`, 'model')
    if (route.kind !== c.var.endpoint)
      throw new GatewayError(400, 'wrong_endpoint', `\`${alias}\` is a ${route.kind} model; call /v1/${route.kind === 'chat' ? 'chat/completions' : 'embeddings'}.`, 'model')

    const targets = cachedTargets(alias, route, c.env)
    if (targets.length === 0)
      throw new GatewayError(503, 'no_provider_available', `No provider for \`${alias}\` has credentials configured.`)
    const resolved: ResolvedRoute = {
      alias,
      kind: route.kind,
      targets,
      retry: { attempts: route.retry.attempts, backoffMs: route.retry.backoff_ms },
    }
    c.set('route', resolved)
    await next()
  }
}

export function mayUse(allowed: readonly string[], alias: string): boolean {
  return allowed.includes('*') || allowed.includes(alias)
}

export function resolveTargets(alias: string, route: RoutePolicy, providers: Record<string, ProviderPolicy>, env: GatewayEnv): ResolvedTarget[] {
  const out: ResolvedTarget[] = []
  for (const target of route.targets) {
    const config = providers[target.provider]
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
