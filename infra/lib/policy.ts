/**
 * Compiles the policy inside the Pulumi program, with the same compiler the worker build and
 * `npm run policy:check` use, so a bad policy fails `pulumi preview` before anything changes.
 */
import * as pulumi from '@pulumi/pulumi'
import { formatPolicyIssues, loadPolicyDir, type CompiledPolicy, type PolicyEnvironment } from '../../worker/src/policy/load.ts'

export type { CompiledPolicy }

/**
 * Returns the compiled policy or throws a `RunError` (Pulumi prints it without a stack trace)
 * whose message is the compiler's own `file:line path: message — hint: …` lines.
 *
 * Deploys compile for `production`: a `mock` target or a `local_only` key stops them at its line.
 *
 * @example
 *   const policy = await compilePolicyOrThrow('policies', 'production') // throws on a bad threshold, a plaintext key, a mock target, …
 */
export async function compilePolicyOrThrow(dir: string, environment: PolicyEnvironment): Promise<CompiledPolicy> {
  const result = await loadPolicyDir(dir, { environment })
  if (!result.ok) throw new pulumi.RunError(formatPolicyIssues(result.error))
  return result.value
}

/** What the policy asks of the stack's optional parts. */
export interface PolicyNeeds {
  /** Projects whose exact cache lives in Upstash Redis. */
  redisProjects: string[]
  /** Projects whose rate limits are counted in Upstash Redis (`limits.backend: upstash`). */
  upstashLimitProjects: string[]
  /** Projects with the semantic cache on. */
  semanticProjects: string[]
}

export function policyNeeds(policy: CompiledPolicy): PolicyNeeds {
  const projects = Object.entries(policy.projects)
  return {
    redisProjects: projects.filter(([, p]) => p.cache.exact.enabled && p.cache.exact.store === 'redis').map(([n]) => n),
    upstashLimitProjects: projects.filter(([, p]) => p.limits?.backend === 'upstash').map(([n]) => n),
    semanticProjects: projects.filter(([, p]) => p.cache.semantic.enabled).map(([n]) => n),
  }
}
