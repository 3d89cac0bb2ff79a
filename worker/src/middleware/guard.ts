/**
 * The guard stage, after resolve and before the caches: the project's rules, in order (block with
 * the rule's id; flag; re-route to another alias; set or clamp parameters), then the PII guardrail
 * (block, or redact every value into a placeholder the provider, the caches and telemetry see in its
 * place). With `pii.restore`, the answer — JSON or stream, fresh or cached — gets the values back
 * on its way to the client. Outcomes go to telemetry as ids and counts, never values; the caller
 * gets `X-WatchLLM-PII: email=1, card=1`.
 *
 * @example app.post('/v1/chat/completions', validate(…), resolveRoute(policy), guard(policy), cache, …)
 */
import type { Context, MiddlewareHandler } from 'hono'
import type { AppEnv } from '../env.ts'
import { GatewayError } from '../errors.ts'
import { withVariant } from '../governance/experiments.ts'
import { compilePii, guardPii, piiHeader, type CompiledPii } from '../governance/pii-guard.ts'
import { piiKinds } from '../governance/pii/kinds.ts'
import { restoreCompletion, restoreStream } from '../governance/pii/restore-answer.ts'
import type { PiiVault } from '../governance/pii/vault.ts'
import { ruleSubject } from '../governance/rule-subject.ts'
import { compileRules, type RuleOutcome } from '../governance/rules.ts'
import type { CompiledPolicy } from '../policy/compile.ts'
import type { RuleSubject } from '../policy/rules/define.ts'
import type { ResolvedRoute } from '../providers/types.ts'
import { replaceNativeBody } from '../shapes/native.ts'
import { shapes } from '../shapes/registry.ts'
import type { Shape } from '../shapes/types.ts'
import { routesFor } from './resolve-route.ts'
import { own } from '../lib/own.ts'

interface ProjectGuard {
  rules?: (subject: RuleSubject) => RuleOutcome
  pii?: CompiledPii
}

export function guard(policy: CompiledPolicy): MiddlewareHandler<AppEnv> {
  // Compiled once per policy (per isolate): regexes, CIDRs, sets.
  const projects = new Map<string, ProjectGuard>()
  for (const [name, project] of Object.entries(policy.projects)) {
    const g: ProjectGuard = { rules: project.rules.length > 0 ? compileRules(project.rules) : undefined, pii: compilePii(project.pii) }
    if (g.rules || g.pii) projects.set(name, g)
  }
  const routes = routesFor(policy)
  const tagged = new Map<string, ResolvedRoute>()

  return async function guardStage(c, next) {
    const g = projects.get(c.get('caller').project)
    if (!g) return next()
    const facts = c.get('facts')

    if (g.rules) {
      const subject = ruleSubject({ alias: c.get('route').alias, body: c.get('body'), header: (name) => c.req.header(name) })
      const outcome = g.rules(subject)
      if (outcome.hits.length > 0) {
        facts.ruleHits = outcome.hits
        facts.ruleId = outcome.blocked?.id ?? outcome.hits[0]!.id
      }
      if (outcome.blocked) throw new GatewayError(outcome.blocked.status, 'rule_blocked', `Blocked by rule \`${outcome.blocked.id}\`: ${outcome.blocked.message}`)
      if (subject.body !== c.get('body')) c.set('body', subject.body)
      if (subject.alias !== c.get('route').alias) reroute(c, subject.alias)
    }

    let vault: PiiVault | undefined
    const native = c.get('native')
    const shape = native ? shapes[native.shape] : undefined
    if (g.pii) {
      // A native request is redacted in its own shape (every text it holds); its chat view is re-made from that.
      const result = shape ? guardPii(c.get('native')!.body, g.pii, shape.mapTexts) : guardPii(c.get('body'), g.pii)
      if (result.blocked) {
        facts.piiCounts = Object.fromEntries(result.blocked)
        const kinds = piiKinds.filter((k) => result.blocked.has(k)).join(', ')
        throw new GatewayError(400, 'pii_blocked', `The request contains data this project does not allow to leave: ${kinds}. Remove it and try again.`)
      }
      if (result.vault.size > 0) {
        vault = result.vault
        if (shape) replaceNativeBody(c, shape, result.body)
        else c.set('body', result.body)
        facts.piiCounts = Object.fromEntries(vault.counts)
      }
    }

    await next()
    if (!vault) return
    c.res.headers.set('X-WatchLLM-PII', piiHeader(vault.counts))
    if (g.pii?.restore && c.res.status === 200) c.res = await restored(c.res, vault, shape)
  }

  /** A rule's `route`: the same stage of resolution for the new alias (of the request's kind), keeping any variant. */
  function reroute(c: Context<AppEnv>, alias: string): void {
    const route = own(policy.models, alias)
    if (!route || route.kind !== c.get('endpoint')) return
    let resolved = routes(alias, alias, route, c.env)
    const { experiment, variant } = c.get('facts')
    if (experiment && variant) resolved = withVariant(resolved, { experiment, variant }, tagged)
    if (resolved.targets.length === 0) throw new GatewayError(503, 'no_provider_available', `No provider for \`${alias}\` has credentials configured.`)
    c.set('route', resolved)
  }
}

async function restored(res: Response, vault: PiiVault, shape: Shape | undefined): Promise<Response> {
  const type = res.headers.get('content-type') ?? ''
  const headers = new Headers(res.headers)
  headers.delete('content-length')
  if (type.startsWith('text/event-stream') && res.body) return new Response((shape?.restoreStream ?? restoreStream)(res.body, vault), { status: res.status, headers })
  if (type.startsWith('application/json')) return new Response((shape?.restoreJson ?? restoreCompletion)(await res.text(), vault), { status: res.status, headers })
  return res
}
