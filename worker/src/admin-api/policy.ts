/**
 * `GET /admin/api/policy`: what is deployed — the policy hash, its source files, projects (key ids,
 * never key hashes), model routes and providers (types and secret names, never values).
 */
import type { Handler } from 'hono'
import type { CompiledPolicy } from '../policy/compile.ts'
import type { PolicyResponse } from './responses.ts'
import type { AdminEnv } from './types.ts'

export function deployedPolicy(policy: CompiledPolicy): Handler<AdminEnv> {
  // The policy is fixed for the isolate's life: shape the answer once.
  const body = {
    hash: policy.hash,
    version: policy.version,
    sources: policy.sources,
    projects: Object.entries(policy.projects).map(([name, p]) => ({
      name,
      description: p.description ?? null,
      keys: p.keys.map((k) => ({ id: k.id, local_only: k.local_only })),
      models: p.models,
      cache: p.cache,
      log_prompts: p.telemetry.log_prompts,
      max_body_bytes: p.request.max_body_bytes,
    })),
    routes: Object.entries(policy.models).map(([alias, r]) => ({
      alias,
      kind: r.kind,
      targets: r.targets.map((t) => ({ provider: t.provider, model: t.model ?? alias, type: policy.providers[t.provider]?.type ?? null })),
      retry: r.retry,
      timeout_ms: r.timeout_ms,
    })),
    providers: Object.entries(policy.providers).map(([name, p]) => ({
      name,
      type: p.type,
      secret: p.api_key?.secret ?? null,
      base_url: typeof p.base_url === 'string' ? p.base_url : p.base_url ? `var:${p.base_url.var}` : null,
    })),
  }
  return function deployedPolicyHandler(c) {
    return c.json<PolicyResponse>({ ...body, environment: c.env.WATCHLLM_ENV })
  }
}
