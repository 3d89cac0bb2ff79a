/**
 * The rules engine: a project's `rules` compiled once per policy into closures (regexes built,
 * CIDRs parsed, lists turned into sets), then evaluated in order per request. Every rule whose
 * conditions all hold is a hit; a `block` stops at once, the other actions change the request for
 * the rules after them (and for the rest of the pipeline).
 *
 * @example const run = compileRules(project.rules); const outcome = run(subject)
 */
import type { ActionPolicy, ConditionPolicy, RulePolicy } from '../policy/rules/index.ts'
import { actions, conditions } from '../policy/rules/index.ts'
import type { Act, Check, RuleSubject } from '../policy/rules/define.ts'

export interface RuleHit {
  id: string
  action: ActionPolicy['kind']
}

export interface RuleOutcome {
  hits: RuleHit[]
  blocked?: { id: string; status: 400 | 403 | 422 | 429; message: string }
}

interface CompiledRule {
  id: string
  action: ActionPolicy['kind']
  when: Check[]
  then: Act
}

const conditionByKind = new Map<string, (typeof conditions)[number]>(conditions.map((c) => [c.kind, c]))
const actionByKind = new Map<string, (typeof actions)[number]>(actions.map((a) => [a.kind, a]))

function compileCondition(c: ConditionPolicy): Check {
  return conditionByKind.get(c.kind)!.compile(c as never)
}

function compileAction(a: ActionPolicy): Act {
  return actionByKind.get(a.kind)!.compile(a as never)
}

export function compileRules(rules: readonly RulePolicy[]): (subject: RuleSubject) => RuleOutcome {
  const compiled: CompiledRule[] = rules.map((r) => ({ id: r.id, action: r.then.kind, when: r.when.map(compileCondition), then: compileAction(r.then) }))
  return function evaluateRules(subject) {
    const hits: RuleHit[] = []
    for (const rule of compiled) {
      if (!rule.when.every((check) => check(subject))) continue
      hits.push({ id: rule.id, action: rule.action })
      const result = rule.then(subject)
      if (result?.block) return { hits, blocked: { id: rule.id, ...result.block } }
    }
    return { hits }
  }
}
