/**
 * Compile-time checks of experiments, rules and PII that need more than one entry to judge:
 * references to aliases, providers and projects, kinds that must agree, weights that must add up,
 * and every rule regex proven linear-time (`regex-safety.ts`). Run by `compilePolicy`; never bundled.
 */
import type { Reported } from './compile.ts'
import type { PolicyIssue } from './errors.ts'
import { policyIssue } from './errors.ts'
import type { ExperimentPolicy } from './experiments.ts'
import { regexProblem } from './regex-safety.ts'
import type { ProjectPolicy, ProviderPolicy, RoutePolicy } from './schema.ts'
import { own } from '../lib/own.ts'

type Locate = (section: 'projects' | 'experiments', entry: string, rest: (string | number)[]) => { file: string; line: number; path: string }

interface Governed {
  providers: Record<string, ProviderPolicy>
  models: Record<string, RoutePolicy>
  projects: Record<string, ProjectPolicy>
  experiments: Record<string, ExperimentPolicy>
}

/** `reported`: names defined in a file that failed to parse; a reference to one is not an error again. */
export function checkGovernance(policy: Governed, where: Locate, issues: PolicyIssue[], reported: Reported): void {
  for (const [name, project] of Object.entries(policy.projects)) checkRules(policy, name, project, where, issues, reported)
  for (const [name, experiment] of Object.entries(policy.experiments)) checkExperiment(policy, name, experiment, where, issues, reported)
}

function checkRules(policy: Governed, projectName: string, project: ProjectPolicy, where: Locate, issues: PolicyIssue[], reported: Reported): void {
  const seen = new Map<string, number>()
  project.rules.forEach((rule, i) => {
    const at = (...rest: (string | number)[]) => where('projects', projectName, ['rules', i, ...rest])
    const first = seen.get(rule.id)
    if (first !== undefined) issues.push(policyIssue('DuplicateEntry', at('id'), `rule id "${rule.id}" is already used by rules.${first}`))
    else seen.set(rule.id, i)

    const pinned = new Set<string>()
    rule.when.forEach((condition, j) => {
      if (condition.kind === 'model') {
        const aliases = condition.in ?? condition.not_in ?? []
        aliases.forEach((alias, k) => {
          if (!own(policy.models, alias)) {
            if (!reported('models', alias)) issues.push(policyIssue('UnknownModel', at('when', j, condition.in ? 'in' : 'not_in', k), `no model alias "${alias}"`))
          } else if (condition.in) pinned.add(alias)
        })
      }
      if (condition.kind === 'regex') {
        const problem = regexProblem(condition.pattern, condition.flags)
        if (problem) issues.push(policyIssue(problem.name, at('when', j, 'pattern'), problem.message))
      }
    })
    if (rule.then.kind === 'route') {
      const target = own(policy.models, rule.then.model)
      if (!target) {
        if (!reported('models', rule.then.model)) issues.push(policyIssue('UnknownModel', at('then', 'model'), `no model alias "${rule.then.model}"`))
      } else
        for (const alias of pinned)
          if (own(policy.models, alias)!.kind !== target.kind)
            issues.push(policyIssue('WrongModelKind', at('then', 'model'), `"${rule.then.model}" is a ${target.kind} alias but the rule matches ${own(policy.models, alias)!.kind} alias "${alias}"`))
    }
  })
}

function checkExperiment(policy: Governed, name: string, experiment: ExperimentPolicy, where: Locate, issues: PolicyIssue[], reported: Reported): void {
  const at = (...rest: (string | number)[]) => where('experiments', name, rest)
  const total = experiment.variants.reduce((sum, v) => sum + v.weight, 0)
  if (Math.abs(total - 100) > 1e-9)
    issues.push(policyIssue('ExperimentWeights', at('variants'), `the weights sum to ${Number(total.toFixed(6))}; they must sum to 100`))

  experiment.match.projects?.forEach((project, i) => {
    if (!own(policy.projects, project) && !reported('projects', project)) issues.push(policyIssue('UnknownProject', at('match', 'projects', i), `no project "${project}"`))
  })
  let kind: RoutePolicy['kind'] | undefined
  experiment.match.models.forEach((alias, i) => {
    const route = own(policy.models, alias)
    if (!route) {
      if (!reported('models', alias)) issues.push(policyIssue('UnknownModel', at('match', 'models', i), `no model alias "${alias}"`))
      return
    }
    if (kind && route.kind !== kind) issues.push(policyIssue('WrongModelKind', at('match', 'models', i), `"${alias}" is a ${route.kind} alias; the experiment's other models are ${kind}`))
    kind ??= route.kind
  })

  const ids = new Map<string, number>()
  experiment.variants.forEach((variant, i) => {
    const first = ids.get(variant.id)
    if (first !== undefined) issues.push(policyIssue('DuplicateEntry', at('variants', i, 'id'), `variant id "${variant.id}" is already used by variants.${first}`))
    else ids.set(variant.id, i)
    if (variant.model) {
      const route = own(policy.models, variant.model)
      if (!route) {
        if (!reported('models', variant.model)) issues.push(policyIssue('UnknownModel', at('variants', i, 'model'), `no model alias "${variant.model}"`))
      } else if (kind && route.kind !== kind)
        issues.push(policyIssue('WrongModelKind', at('variants', i, 'model'), `"${variant.model}" is ${route.kind === 'embeddings' ? 'an' : 'a'} ${route.kind} alias; this experiment splits ${kind} requests`))
    }
    if (variant.target) {
      const provider = own(policy.providers, variant.target.provider)
      if (!provider) {
        if (!reported('providers', variant.target.provider)) issues.push(policyIssue('UnknownProvider', at('variants', i, 'target', 'provider'), `no provider "${variant.target.provider}"`))
      } else if (kind === 'embeddings' && provider.type === 'anthropic')
        issues.push(policyIssue('WrongRouteKind', at('variants', i, 'target', 'provider'), 'anthropic has no embeddings endpoint'))
    }
  })
}
