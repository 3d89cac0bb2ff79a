/**
 * Compile-time checks of `projects.<p>.anomaly` that need more than the section itself: `alert`
 * posts to the project's alerts webhook, so one must be set; `metric: usd` counts priced spend, so
 * every model the project can reach must have a price (as USD budgets require).
 */
import { unpricedTargets } from './check-limits.ts'
import { policyIssue, type PolicyIssue } from './errors.ts'
import type { ProjectPolicy, ProviderPolicy, RoutePolicy } from './schema.ts'

type Locate = (section: 'projects', entry: string, rest: (string | number)[]) => { file: string; line: number; path: string }

interface Merged {
  providers: Record<string, ProviderPolicy>
  models: Record<string, RoutePolicy>
  projects: Record<string, ProjectPolicy>
}

export function checkAnomaly(policy: Merged, where: Locate, issues: PolicyIssue[]): void {
  for (const [name, project] of Object.entries(policy.projects)) {
    const anomaly = project.anomaly
    if (!anomaly) continue
    const at = (...rest: (string | number)[]) => where('projects', name, ['anomaly', ...rest])
    if (anomaly.action === 'alert' && !project.alerts?.webhook)
      issues.push(policyIssue('WebhookMissing', at('action'), 'action alert posts to alerts.webhook, which is not set (use action flag to only record)'))
    if (anomaly.metric === 'usd') {
      const unpriced = unpricedTargets(policy, (alias) => project.models.includes('*') || project.models.includes(alias))
      if (unpriced.length > 0)
        issues.push(
          policyIssue('UnpricedAnomaly', at('metric'), `counts USD, but ${unpriced.slice(0, 3).join(', ')}${unpriced.length > 3 ? ` and ${unpriced.length - 3} more` : ''} cannot be priced`),
        )
    }
  }
}
