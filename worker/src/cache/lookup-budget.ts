/**
 * One small time budget (`cache.lookup_budget_ms`) for everything before the upstream call that the
 * request can do without: the per-location and global exact-cache lookups and the semantic lookup.
 * The clock starts when the request's body has been read and checked (the limit stage), so a slow
 * client upload never eats it. Limits and budgets are charged for the time they take but never cut
 * by it: they keep their own `timeout_ms` and `fail` policy. A lookup still running when the budget
 * is spent is abandoned (fail open: the request goes on to the upstream as a miss), and the stage
 * that ran out is recorded in the request's facts (usage event `lookup_budget_stage`, log line).
 *
 * @example const value = await budget.spend('exact', store.get(key))  // undefined: out of time
 */
import type { Context } from 'hono'
import type { AppEnv } from '../env.ts'
import type { RequestFacts } from '../telemetry/request-facts.ts'

/** Deployed: lookups are KV / Upstash / Cache API reads, a Workers AI embedding and a Vectorize query. */
export const DEFAULT_LOOKUP_BUDGET_MS = 150
/** Locally (WATCHLLM_ENV=local) the embedder is a CPU model on the developer's own, shared machine. */
export const LOCAL_LOOKUP_BUDGET_MS = 1_000

/** The project's `cache.lookup_budget_ms`, else the default for where the gateway runs. */
export function budgetMsFor(configured: number | undefined, environment: string | undefined): number {
  return configured ?? (environment === 'local' ? LOCAL_LOOKUP_BUDGET_MS : DEFAULT_LOOKUP_BUDGET_MS)
}

export type BudgetStage = NonNullable<RequestFacts['lookupBudgetStage']>

export class LookupBudget {
  readonly deadline: number
  private readonly facts: RequestFacts
  private readonly now: () => number

  constructor(ms: number, facts: RequestFacts, now: () => number = Date.now) {
    this.now = now
    this.deadline = now() + ms
    this.facts = facts
  }

  remainingMs(): number {
    return Math.max(0, this.deadline - this.now())
  }

  /** After a stage the budget charges but does not cut (limits): notes it if it spent the rest. */
  charge(stage: BudgetStage): void {
    if (this.remainingMs() === 0) this.ranOut(stage)
  }

  /** `work`'s value, or undefined when the budget runs out first (the work's late result is dropped). */
  async spend<T>(stage: BudgetStage, work: Promise<T>): Promise<T | undefined> {
    const left = this.remainingMs()
    if (left === 0) {
      this.ranOut(stage)
      work.catch(() => undefined)
      return undefined
    }
    let timer: ReturnType<typeof setTimeout> | undefined
    const out = Symbol('out of budget')
    const timeout = new Promise<typeof out>((resolve) => (timer = setTimeout(() => resolve(out), left)))
    try {
      const value = await Promise.race([work, timeout])
      if (value !== out) return value
      this.ranOut(stage)
      work.catch(() => undefined)
      return undefined
    } finally {
      clearTimeout(timer)
    }
  }

  private ranOut(stage: BudgetStage): void {
    this.facts.lookupBudgetStage ??= stage // the first stage that found no time left
  }
}

/** The request's budget: the one the limit stage started, else one starting now. */
export function lookupBudgetOf(c: Context<AppEnv>): LookupBudget {
  let budget = c.get('lookupBudget')
  if (!budget) {
    budget = new LookupBudget(budgetMsFor(c.get('project').cache.lookup_budget_ms, c.env.WATCHLLM_ENV), c.get('facts'))
    c.set('lookupBudget', budget)
  }
  return budget
}
