/**
 * `GET /admin/api/budgets`: the Budgets & alerts page's data. Each project and key budget of the
 * deployed policy with its state, read live from its scope's ledger (read-only: nothing is
 * reserved); limit refusals, downgrades and stream cuts over time and the latest cuts, from the
 * usage events' outcome fields; the threshold alerts with their delivery status; and the anomalies
 * the key and session ledgers flagged (anomalies.ts). Whether the policy configures budgets, limits
 * or anomaly detection at all is said, so the page can show an honest empty state.
 */
import type { Handler } from 'hono'
import { bounded, ledgerStub } from '../governance/ledger-client.ts'
import { periodOf } from '../governance/ledger.ts'
import { planFor } from '../governance/plan.ts'
import type { BudgetSpec } from '../governance/protocol.ts'
import type { CompiledPolicy } from '../policy/compile.ts'
import { anomaliesIn } from './anomalies.ts'
import { all, num } from './db.ts'
import { outcomeCounts } from './governance.ts'
import { renumber } from './percentiles.ts'
import { filtersSchema, parseQuery, stepFor, stepSchema, whereOf } from './query.ts'
import type { BudgetState, BudgetsResponse } from './responses.ts'
import type { AdminEnv } from './types.ts'

const LEDGER_TIMEOUT_MS = 2_000
const budgetsSchema = filtersSchema.extend({ step: stepSchema.optional() })

export function budgets(policy: CompiledPolicy, now: () => number = Date.now): Handler<AdminEnv> {
  return async function budgetsHandler(c) {
    const filters = parseQuery(c, budgetsSchema, now())
    const where = whereOf(filters, 'events')
    const step = stepFor(filters, filters.step)
    const db = c.env.DB
    const [budget, rate, series, cuts, alerts, states, anomalies] = await Promise.all([
      outcomeCounts(db, 'budget', where),
      outcomeCounts(db, 'rate_limit', where),
      all<{ t: number; rate_limited: number; budget_refused: number; downgraded: number; stream_cuts: number; anomaly_blocked: number }>(
        db,
        `SELECT ts - ts % ?1 AS t, SUM(rate_limit LIKE 'limited:%') AS rate_limited, SUM(budget LIKE 'exceeded:%') AS budget_refused,
                SUM(budget LIKE 'downgraded:%') AS downgraded, SUM(budget LIKE 'stream_cut:%') AS stream_cuts,
                SUM(error_code = 'anomaly_blocked') AS anomaly_blocked
         FROM usage_events WHERE ${renumber(where.sql, 1)} AND (rate_limit IS NOT NULL OR budget IS NOT NULL OR anomaly_id IS NOT NULL) GROUP BY t ORDER BY t`,
        [step, ...where.params],
      ),
      all<{ request_id: string; ts: number; project: string; key_id: string; session: string | null; budget: string; output_tokens: number }>(
        db,
        `SELECT request_id, ts, project, key_id, session, budget, output_tokens FROM usage_events
         WHERE ${where.sql} AND budget LIKE 'stream_cut:%' ORDER BY ts DESC LIMIT 20`,
        where.params,
      ),
      all<{ ts: number; project: string; scope: string; subject: string; budget: string; period: string; threshold: number; refusing: number; status: string; attempts: number }>(
        db,
        `SELECT ts, project, scope, subject, budget, period, threshold, refusing, status, attempts FROM budget_alerts
         WHERE ts >= ? AND ts < ?${filters.project ? ' AND project = ?' : ''} ORDER BY ts DESC LIMIT 50`,
        [filters.from, filters.to, ...(filters.project ? [filters.project] : [])],
      ),
      liveStates(c.env, policy, filters.project, filters.key, now()),
      anomaliesIn(db, policy, filters),
    ])
    const byT = new Map(series.map((r) => [r.t, r]))
    const points: BudgetsResponse['series']['points'] = []
    for (let t = filters.from - (filters.from % step); t < filters.to; t += step) {
      const r = byT.get(t)
      points.push({
        t,
        rate_limited: num(r?.rate_limited),
        budget_refused: num(r?.budget_refused),
        downgraded: num(r?.downgraded),
        stream_cuts: num(r?.stream_cuts),
        anomaly_blocked: num(r?.anomaly_blocked),
      })
    }
    const projects = Object.values(policy.projects)
    return c.json<BudgetsResponse>({
      range: { from: filters.from, to: filters.to },
      budgets: { configured: projects.some((p) => Object.keys(p.budgets ?? {}).length > 0), outcomes: budget },
      rate_limits: { configured: projects.some((p) => p.limits?.key !== undefined || p.limits?.project !== undefined), outcomes: rate },
      states,
      series: { step, points },
      stream_cuts: cuts.map((r) => ({ ...r, budget: r.budget.slice('stream_cut:'.length) })),
      alerts: alerts.map((a) => ({ ...a, refusing: a.refusing === 1 })),
      anomalies,
    })
  }
}

/** Every project and key budget's live state (one read per ledger, in parallel); session budgets as declared. */
async function liveStates(env: AdminEnv['Bindings'], policy: CompiledPolicy, onlyProject: string | undefined, onlyKey: string | undefined, now: number): Promise<BudgetState[]> {
  const reads: Promise<BudgetState[]>[] = []
  for (const [project, config] of Object.entries(policy.projects)) {
    if (onlyProject && project !== onlyProject) continue
    const plan = planFor(config)
    const read = (name: string, subject: string, scope: 'project' | 'key', specs: BudgetSpec[]) =>
      reads.push(
        (async () => {
          const view = await bounded(Promise.resolve(ledgerStub(env, name)?.view(specs, undefined)), LEDGER_TIMEOUT_MS).catch(() => undefined)
          return specs.map((spec) => {
            const b = view?.budgets.find((x) => x.name === spec.name)
            return stateOf(project, spec, scope, subject, b ? { used: b.used, reserved: b.reserved } : undefined, now)
          })
        })(),
      )
    const projectSpecs = plan.scopes.project?.budgets ?? []
    if (projectSpecs.length > 0) read(`project:${project}`, project, 'project', projectSpecs)
    const keySpecs = plan.scopes.key?.budgets ?? []
    if (keySpecs.length > 0)
      for (const key of config.keys) if (!onlyKey || key.id === onlyKey) read(`key:${project}:${key.id}`, key.id, 'key', keySpecs)
    const sessionPlan = plan.scopes.session
    for (const [i, spec] of (sessionPlan?.budgets ?? []).entries()) {
      const covers = Object.values(config.budgets ?? {}).filter((b) => b.scope === 'session')[i]?.sessions ?? '*'
      reads.push(Promise.resolve([stateOf(project, spec, 'session', covers, undefined, now)]))
    }
  }
  return (await Promise.all(reads)).flat()
}

function stateOf(project: string, spec: BudgetSpec, scope: BudgetState['scope'], subject: string, read: { used: number; reserved: number } | undefined, now: number): BudgetState {
  const { key, end } = periodOf(spec.period, now)
  const share = read ? read.used / spec.limit : 0
  const state: BudgetState['state'] = scope === 'session' ? 'per-session' : !read ? 'unavailable' : share >= 1 ? 'exceeded' : share >= 0.8 ? 'warning' : 'ok'
  return {
    project,
    name: spec.name,
    scope,
    subject,
    period: key,
    resets_at: end,
    unit: spec.unit,
    limit: spec.limit,
    used: read?.used ?? null,
    reserved: read?.reserved ?? null,
    action: spec.action,
    state,
  }
}
