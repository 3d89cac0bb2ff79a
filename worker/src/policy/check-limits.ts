/**
 * Compile-time checks of limits, budgets, alerts and reports that need the whole merged policy:
 * a downgrade to an alias the project cannot call, a token budget with no session to count, a USD
 * budget over a model the price table does not know (its spend could not be counted), a rate limit
 * the chosen backend cannot enforce, reports with nowhere to go. Also: the Worker secrets the
 * alerts' webhooks name (infra binds them like provider keys).
 */
import { priceSubjectFor } from '../telemetry/price-subject.ts'
import { priceUsage } from '../telemetry/pricing.ts'
import type { CompiledPolicy, Reported } from './compile.ts'
import { policyIssue, type PolicyIssue } from './errors.ts'
import type { ProjectPolicy, ProviderPolicy, RoutePolicy } from './schema.ts'
import { own } from '../lib/own.ts'

type Where = (section: 'projects', entry: string, rest: (string | number)[]) => { file: string; line: number; path: string }
interface Merged {
  providers: Record<string, ProviderPolicy>
  models: Record<string, RoutePolicy>
  projects: Record<string, ProjectPolicy>
}

const ONE_OF_EACH = { inputTokens: 1, outputTokens: 1, cachedInputTokens: 0, reasoningTokens: 0 }

export function checkLimits(policy: Merged, where: Where, issues: PolicyIssue[], reported: Reported): void {
  for (const [projectName, project] of Object.entries(policy.projects)) {
    const at = (...rest: (string | number)[]) => where('projects', projectName, rest)
    const may = (alias: string) => project.models.includes('*') || project.models.includes(alias)

    const limits = project.limits
    if (limits?.backend === 'binding') {
      for (const scope of ['key', 'project'] as const)
        if (limits[scope]?.tokens !== undefined)
          issues.push(policyIssue('RateLimitBackend', at('limits', scope, 'tokens'), 'the rate-limit binding cannot count tokens'))
      if (limits.window_seconds !== 10 && limits.window_seconds !== 60)
        issues.push(policyIssue('RateLimitBackend', at('limits', 'window_seconds'), 'the rate-limit binding counts over 10 or 60 seconds only'))
    }

    let pricesChecked = false
    for (const [budgetName, budget] of Object.entries(project.budgets ?? {})) {
      if (budget.tokens !== undefined && budget.scope !== 'session')
        issues.push(policyIssue('TokenBudgetScope', at('budgets', budgetName, 'tokens'), `a ${budget.scope} has no session to count tokens for`))
      if (budget.downgrade_to !== undefined) {
        const target = own(policy.models, budget.downgrade_to)
        const problem = !target
          ? reported('models', budget.downgrade_to)
            ? undefined
            : `no model alias "${budget.downgrade_to}"`
          : target.kind !== 'chat'
            ? `"${budget.downgrade_to}" is an ${target.kind} model, not a chat model`
            : !may(budget.downgrade_to)
              ? `project ${projectName} may not call "${budget.downgrade_to}"`
              : undefined
        if (problem) issues.push(policyIssue('DowngradeTarget', at('budgets', budgetName, 'downgrade_to'), problem))
      }
      if (budget.usd !== undefined && !pricesChecked) {
        pricesChecked = true
        const unpriced = unpricedTargets(policy, may)
        if (unpriced.length > 0)
          issues.push(
            policyIssue(
              'UnpricedBudget',
              at('budgets', budgetName, 'usd'),
              `counts USD, but ${unpriced.slice(0, 3).join(', ')}${unpriced.length > 3 ? ` and ${unpriced.length - 3} more` : ''} cannot be priced`,
            ),
          )
      }
    }

    const webhook = project.alerts?.webhook
    if (webhook?.format === 'generic' && !webhook.signing_key)
      issues.push(policyIssue('WebhookMissing', at('alerts', 'webhook', 'format'), 'format generic needs signing_key'))
    if ((project.reports?.daily || project.reports?.weekly) && !webhook)
      issues.push(policyIssue('WebhookMissing', at('reports'), 'reports are posted to alerts.webhook, which is not set'))
  }
}

/** `alias → provider/model` for each target the project may reach that the price table cannot price. */
export function unpricedTargets(policy: Merged, may: (alias: string) => boolean): string[] {
  const out: string[] = []
  for (const [alias, route] of Object.entries(policy.models)) {
    if (!may(alias)) continue
    for (const target of route.targets) {
      const model = target.model ?? alias
      const config = own(policy.providers, target.provider)
      // A provider that is not there was reported already (unknown, or in a file that failed).
      if (!config) continue
      const baseUrl = typeof config?.base_url === 'string' ? config.base_url : undefined
      const { subject } = priceSubjectFor(policy as CompiledPolicy, { alias, provider: target.provider, model, baseUrl })
      if (priceUsage(subject, ONE_OF_EACH).status === 'unpriced') out.push(`\`${alias}\` → ${target.provider}/${model}`)
    }
  }
  return out
}

/** The Worker secrets alert webhooks name, for the compiled policy's `secrets` (infra binds exactly those). */
export function limitSecrets(projects: Record<string, ProjectPolicy>): string[] {
  const names: string[] = []
  for (const project of Object.values(projects)) {
    const webhook = project.alerts?.webhook
    if (webhook) names.push(webhook.url.secret, ...(webhook.signing_key ? [webhook.signing_key.secret] : []))
  }
  return names
}
