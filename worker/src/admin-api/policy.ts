/**
 * `GET /admin/api/policy`: what is deployed — the policy hash, its source files, projects (key ids,
 * never key hashes; rules and PII actions), model routes, experiments and providers (types and
 * secret names, never values; URLs without user info or query values).
 */
import type { Handler } from 'hono'
import { piiKinds } from '../governance/pii/kinds.ts'
import type { CompiledPolicy } from '../policy/compile.ts'
import { redactUrl } from '../policy/provider-credentials.ts'
import type { PolicyResponse } from './responses.ts'
import type { AdminEnv } from './types.ts'
import { own } from '../lib/own.ts'

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
      rules: p.rules.map((r) => ({ id: r.id, when: r.when.map((w) => w.kind), action: r.then.kind })),
      pii: p.pii ? { restore: p.pii.restore, actions: Object.fromEntries(piiKinds.map((k) => [k, p.pii![k] ?? p.pii!.default])) } : null,
    })),
    routes: Object.entries(policy.models).map(([alias, r]) => ({
      alias,
      kind: r.kind,
      targets: r.targets.map((t) => ({ provider: t.provider, model: t.model ?? alias, type: own(policy.providers, t.provider)?.type ?? null })),
      retry: r.retry,
      timeout_ms: r.timeout_ms,
    })),
    experiments: Object.entries(policy.experiments ?? {}).map(([id, e]) => ({
      id,
      status: e.status,
      models: e.match.models,
      projects: e.match.projects ?? null,
      sticky: e.sticky,
      metric: e.metric,
      variants: e.variants.map((v) => ({ id: v.id, weight: v.weight })),
    })),
    providers: Object.entries(policy.providers).map(([name, p]) => ({
      name,
      type: p.type,
      secret: p.api_key?.secret ?? null,
      // Policy refuses credentials in URLs; the view redacts user info and query values all the same.
      base_url: typeof p.base_url === 'string' ? redactUrl(p.base_url) : p.base_url ? `var:${p.base_url.var}` : null,
    })),
  }
  return function deployedPolicyHandler(c) {
    return c.json<PolicyResponse>({ ...body, environment: c.env.WATCHLLM_ENV })
  }
}
