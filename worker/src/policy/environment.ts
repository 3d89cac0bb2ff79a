/**
 * What a policy may contain where it runs. `mock` answers are simulated and `local_only` keys are
 * the documented dev key: both exist for `npm start` and the tests (WATCHLLM_ENV=local). Compiled
 * for production (infra, `npm run policy:check -- --env production`), each is an error at its line.
 */
import { policyIssue, type PolicyIssue } from './errors.ts'
import type { ProjectPolicy, ProviderPolicy, RoutePolicy } from './schema.ts'
import { own } from '../lib/own.ts'

export const policyEnvironments = ['local', 'production'] as const
export type PolicyEnvironment = (typeof policyEnvironments)[number]

type Locate = (section: 'models' | 'projects', entry: string, rest: (string | number)[]) => { file: string; line: number; path: string }

export function checkEnvironment(
  policy: { providers: Record<string, ProviderPolicy>; models: Record<string, RoutePolicy>; projects: Record<string, ProjectPolicy> },
  environment: PolicyEnvironment,
  where: Locate,
): PolicyIssue[] {
  if (environment === 'local') return []
  const issues: PolicyIssue[] = []
  for (const [alias, route] of Object.entries(policy.models))
    route.targets.forEach((target, i) => {
      if (own(policy.providers, target.provider)?.type === 'mock')
        issues.push(
          policyIssue('LocalOnlyTarget', where('models', alias, ['targets', i, 'provider']), `routes to the mock provider "${target.provider}", which only answers under WATCHLLM_ENV=local`),
        )
    })
  for (const [name, project] of Object.entries(policy.projects))
    project.keys.forEach((key, i) => {
      if (key.local_only)
        issues.push(policyIssue('LocalOnlyKey', where('projects', name, ['keys', i, 'local_only']), `key ${key.id} is local_only: the deployed gateway would refuse it`))
    })
  return issues
}

/** `--env production` / `--env=local` from argv, else WATCHLLM_ENV, else `local`; undefined for anything else. */
export function environmentFrom(argv: readonly string[], env: Readonly<Record<string, string | undefined>>): PolicyEnvironment | undefined {
  const i = argv.findIndex((a) => a === '--env' || a.startsWith('--env='))
  const arg = i < 0 ? undefined : argv[i]?.startsWith('--env=') ? argv[i]?.slice('--env='.length) : argv[i + 1]
  const value = arg ?? env['WATCHLLM_ENV'] ?? 'local'
  return (policyEnvironments as readonly string[]).includes(value) ? (value as PolicyEnvironment) : undefined
}
