/**
 * `GET /admin/api/experiments`: every experiment in the policy (and any the events still name), its
 * variants side by side — requests, error rate, latency p50/p95, cost per request, cache hit rate,
 * mean feedback — each with its 95 % interval, each challenger compared with the control (the first
 * variant) on every metric, and a winner named only when the policy's metric differs significantly
 * (Bonferroni-corrected across challengers, each arm with enough observations). Methods: see
 * experiment-stats.ts.
 */
import type { Handler } from 'hono'
import { z } from 'zod'
import type { CompiledPolicy } from '../policy/compile.ts'
import type { ExperimentPolicy } from '../policy/experiments.ts'
import { all, num } from './db.ts'
import {
  CONFIDENCE,
  mannWhitney,
  meanInterval,
  noInterval,
  quantileRanks,
  twoProportionZ,
  welch,
  wilson,
  type Interval,
  type Moments,
  type TestResult,
} from './experiment-stats.ts'
import { filtersSchema, parseQuery, whereOf } from './query.ts'
import type { ExperimentReport, ExperimentsResponse, MetricName, VariantReport } from './responses.ts'
import type { AdminEnv } from './types.ts'

/** Fewer observations than this in either arm: no test is run (the approximations need it). */
export const MIN_SAMPLE = 30

const querySchema = filtersSchema.extend({ experiment: z.string().min(1).max(128).optional() })

/** Which direction is better, per metric. */
const lowerIsBetter: Record<MetricName, boolean> = { feedback: false, error_rate: true, latency: true, cost: true }
const metricLabel: Record<MetricName, string> = { feedback: 'mean feedback', error_rate: 'error rate', latency: 'median latency', cost: 'cost per request' }

interface Where {
  sql: string
  params: (string | number)[]
}

export function experiments(policy: CompiledPolicy, now: () => number = Date.now): Handler<AdminEnv> {
  return async function experimentsHandler(c) {
    const filters = parseQuery(c, querySchema, now())
    const where = whereOf(filters, 'events')
    const seen = await all<{ experiment: string }>(
      c.env.DB,
      `SELECT DISTINCT experiment FROM usage_events WHERE ${where.sql} AND experiment IS NOT NULL ORDER BY experiment LIMIT 100`,
      where.params,
    )
    const ids = [...new Set([...Object.keys(policy.experiments ?? {}), ...seen.map((r) => r.experiment)])]
      .filter((id) => !filters.experiment || id === filters.experiment)
      .sort()
    const experiments = await Promise.all(ids.map((id) => report(c.env.DB, id, policy.experiments?.[id], where)))
    return c.json<ExperimentsResponse>({
      range: { from: filters.from, to: filters.to },
      configured: Object.keys(policy.experiments ?? {}).length > 0,
      confidence: CONFIDENCE,
      min_sample: MIN_SAMPLE,
      experiments,
    })
  }
}

interface Aggregate {
  variant: string
  n: number
  errors: number
  ok: number
  hits: number
  lookups: number
  priced: number
  cost: number | null
  cost_sq: number | null
}

async function report(db: D1Database, id: string, def: ExperimentPolicy | undefined, base: Where): Promise<ExperimentReport> {
  const where: Where = { sql: `${base.sql} AND experiment = ?`, params: [...base.params, id] }
  const [aggregates, feedback] = await Promise.all([
    all<Aggregate>(
      db,
      `SELECT variant, COUNT(*) AS n, SUM(status >= 400) AS errors, SUM(status < 400) AS ok,
              SUM(cache IN ('HIT', 'SEMANTIC')) AS hits, SUM(cache IN ('HIT', 'SEMANTIC', 'MISS')) AS lookups,
              COUNT(cost_usd) AS priced, SUM(cost_usd) AS cost, SUM(cost_usd * cost_usd) AS cost_sq
       FROM usage_events WHERE ${where.sql} AND variant IS NOT NULL GROUP BY variant`,
      where.params,
    ),
    all<{ variant: string; n: number; sum: number; sum_sq: number }>(
      db,
      `SELECT e.variant AS variant, COUNT(*) AS n, SUM(f.score) AS sum, SUM(f.score * f.score) AS sum_sq
       FROM usage_events AS e JOIN feedback AS f ON f.project = e.project AND f.request_id = e.request_id
       WHERE ${prefixed(where.sql, 'e')} AND e.variant IS NOT NULL GROUP BY e.variant`,
      where.params,
    ),
  ])
  // Variants in policy order (the first is the control), then any the events still name.
  const order = [...(def?.variants.map((v) => v.id) ?? []), ...aggregates.map((a) => a.variant).sort()].filter((v, i, list) => list.indexOf(v) === i)
  const byVariant = new Map(aggregates.map((a) => [a.variant, a]))
  const fbByVariant = new Map(feedback.map((f) => [f.variant, { n: num(f.n), sum: num(f.sum), sumSq: num(f.sum_sq) } satisfies Moments]))
  const latency = await percentiles(db, where, order.map((v) => [v, num(byVariant.get(v)?.ok)]))

  const variants: VariantReport[] = order.map((variantId) => {
    const a = byVariant.get(variantId)
    const policyVariant = def?.variants.find((v) => v.id === variantId)
    const fb = fbByVariant.get(variantId) ?? { n: 0, sum: 0, sumSq: 0 }
    return {
      id: variantId,
      weight: policyVariant?.weight ?? null,
      routes_to: policyVariant ? (policyVariant.target ? `${policyVariant.target.provider}/${policyVariant.target.model}` : (policyVariant.model ?? def!.match.models.join(', '))) : null,
      params: policyVariant?.params ?? null,
      requests: num(a?.n),
      errors: num(a?.errors),
      error_rate: wilson(num(a?.errors), num(a?.n)),
      latency_p50_ms: latency.get(variantId)?.p50 ?? noInterval,
      latency_p95_ms: latency.get(variantId)?.p95 ?? noInterval,
      priced_requests: num(a?.priced),
      cost_per_request_usd: meanInterval({ n: num(a?.priced), sum: num(a?.cost), sumSq: num(a?.cost_sq) }),
      cache_lookups: num(a?.lookups),
      cache_hit_rate: wilson(num(a?.hits), num(a?.lookups)),
      feedback_count: fb.n,
      feedback_mean: meanInterval(fb),
    }
  })

  const comparisons: ExperimentReport['comparisons'] = []
  const control = variants[0]
  const alpha = (1 - CONFIDENCE) / Math.max(1, variants.length - 1)
  if (control)
    for (const challenger of variants.slice(1)) {
      const a = byVariant.get(control.id)
      const b = byVariant.get(challenger.id)
      const tests: [MetricName, number, number, TestResult | undefined][] = [
        ['error_rate', num(a?.n), num(b?.n), twoProportionZ(num(a?.errors), num(a?.n), num(b?.errors), num(b?.n))],
        ['cost', num(a?.priced), num(b?.priced), welch({ n: num(a?.priced), sum: num(a?.cost), sumSq: num(a?.cost_sq) }, { n: num(b?.priced), sum: num(b?.cost), sumSq: num(b?.cost_sq) })],
        ['feedback', control.feedback_count, challenger.feedback_count, welch(fbByVariant.get(control.id) ?? { n: 0, sum: 0, sumSq: 0 }, fbByVariant.get(challenger.id) ?? { n: 0, sum: 0, sumSq: 0 })],
        ['latency', num(a?.ok), num(b?.ok), await latencyTest(db, where, control, challenger, num(a?.ok), num(b?.ok))],
      ]
      for (const [metric, nA, nB, result] of tests) {
        const enough = nA >= MIN_SAMPLE && nB >= MIN_SAMPLE
        const significant = enough && result !== undefined && result.p < alpha
        const better = result !== undefined && result.difference !== 0 && (result.difference < 0) === lowerIsBetter[metric]
        comparisons.push({
          variant: challenger.id,
          metric,
          test: result?.test ?? null,
          p_value: enough ? (result?.p ?? null) : null,
          difference: result?.difference ?? null,
          significant,
          direction: !significant ? 'no_difference' : better ? 'better' : 'worse',
          note: enough ? null : `fewer than ${MIN_SAMPLE} observations in an arm`,
        })
      }
    }

  const metric: MetricName = def?.metric ?? 'feedback'
  const verdict = decide(metric, control?.id, comparisons.filter((x) => x.metric === metric), alpha)
  return {
    id,
    description: def?.description ?? null,
    status: def?.status ?? 'removed',
    metric,
    sticky: def?.sticky ?? null,
    models: def?.match.models ?? [],
    alpha,
    variants,
    comparisons,
    ...verdict,
  }
}

/** The winner on the experiment's metric, only on a significant difference, and the sentence that says why (or why not). */
function decide(metric: MetricName, control: string | undefined, primary: ExperimentReport['comparisons'], alpha: number): Pick<ExperimentReport, 'winner' | 'verdict'> {
  const label = metricLabel[metric]
  const p = (x: { p_value: number | null }) => (x.p_value === null ? '' : `p = ${x.p_value < 0.0001 ? x.p_value.toExponential(1) : x.p_value.toFixed(4)}`)
  const alphaText = `α = ${Number(alpha.toFixed(4))}${primary.length > 1 ? ` (0.05 Bonferroni-corrected for ${primary.length} comparisons)` : ''}`
  if (!control || primary.length === 0) return { winner: null, verdict: 'No variant traffic to compare yet.' }
  // Among the challengers significantly better than the control, the one that is better by most.
  const best = primary.filter((x) => x.direction === 'better').sort((a, b) => Math.abs(b.difference ?? 0) - Math.abs(a.difference ?? 0))[0]
  if (best)
    return {
      winner: { variant: best.variant, metric, test: best.test!, p_value: best.p_value! },
      verdict: `${best.variant} beats ${control} on ${label} (${best.test}, ${p(best)} < ${alphaText}).`,
    }
  if (primary.every((x) => x.direction === 'worse'))
    return {
      winner: { variant: control, metric, test: primary[0]!.test!, p_value: Math.max(...primary.map((x) => x.p_value!)) },
      verdict: `${control} (the control) beats every challenger on ${label} (${primary[0]!.test}, every p < ${alphaText}).`,
    }
  const thin = primary.find((x) => x.note)
  if (thin) return { winner: null, verdict: `No winner yet: ${thin.note} on ${label}.` }
  const closest = [...primary].sort((a, b) => (a.p_value ?? 1) - (b.p_value ?? 1))[0]!
  return { winner: null, verdict: `No significant difference on ${label} yet (${closest.test ?? 'no test'}${closest.p_value === null ? '' : `, smallest ${p(closest)}`}, ${alphaText}).` }
}

/** p50 and p95 latency of successful requests per variant, each between the order statistics of its 95 % interval. */
async function percentiles(db: D1Database, where: Where, counts: [string, number][]): Promise<Map<string, { p50: Interval; p95: Interval }>> {
  const wanted: { v: string; r: number }[] = []
  const ranks = new Map<string, { p50: ReturnType<typeof quantileRanks>; p95: ReturnType<typeof quantileRanks> }>()
  for (const [variant, n] of counts) {
    const r = { p50: quantileRanks(n, 0.5), p95: quantileRanks(n, 0.95) }
    ranks.set(variant, r)
    for (const q of [r.p50, r.p95]) if (q) wanted.push({ v: variant, r: q.point }, { v: variant, r: q.low }, { v: variant, r: q.high })
  }
  const out = new Map<string, { p50: Interval; p95: Interval }>()
  if (wanted.length === 0) return out
  const rows = await all<{ variant: string; rn: number; latency_ms: number }>(
    db,
    `WITH w AS (
       SELECT variant, latency_ms, ROW_NUMBER() OVER (PARTITION BY variant ORDER BY latency_ms) AS rn
       FROM usage_events WHERE ${where.sql} AND status < 400 AND variant IS NOT NULL)
     SELECT DISTINCT w.variant AS variant, w.rn AS rn, w.latency_ms AS latency_ms
     FROM w JOIN json_each(?) AS j ON w.variant = j.value ->> '$.v' AND w.rn = j.value ->> '$.r'`,
    [...where.params, JSON.stringify(wanted)],
  )
  const at = new Map(rows.map((r) => [`${r.variant}\0${r.rn}`, r.latency_ms]))
  const interval = (variant: string, q: ReturnType<typeof quantileRanks>): Interval =>
    q ? { value: at.get(`${variant}\0${q.point}`) ?? null, low: at.get(`${variant}\0${q.low}`) ?? null, high: at.get(`${variant}\0${q.high}`) ?? null } : noInterval
  for (const [variant, r] of ranks) out.set(variant, { p50: interval(variant, r.p50), p95: interval(variant, r.p95) })
  return out
}

/** Mann–Whitney U on the latencies of two variants' successful requests: rank sums in the pooled sample, ties averaged. */
async function latencyTest(db: D1Database, where: Where, control: VariantReport, challenger: VariantReport, nA: number, nB: number): Promise<TestResult | undefined> {
  if (nA < 1 || nB < 1) return undefined
  const rows = await all<{ variant: string; rank_sum: number }>(
    db,
    `WITH w AS (
       SELECT variant, RANK() OVER (ORDER BY latency_ms) AS r, COUNT(*) OVER (PARTITION BY latency_ms) AS t
       FROM usage_events WHERE ${where.sql} AND status < 400 AND variant IN (?, ?))
     SELECT variant, SUM(r + (t - 1) / 2.0) AS rank_sum FROM w GROUP BY variant`,
    [...where.params, control.id, challenger.id],
  )
  const rankSum = rows.find((r) => r.variant === challenger.id)?.rank_sum
  if (rankSum === undefined) return undefined
  const median = (v: VariantReport) => v.latency_p50_ms.value ?? 0
  return mannWhitney(nA, nB, rankSum, median(challenger) - median(control))
}

/** The shared WHERE clause with its columns qualified by a table alias (for the feedback join). */
function prefixed(sql: string, alias: string): string {
  return sql.replace(/\b(ts|project|key_id|provider|cache|variant|model_served|model_requested|experiment)\b(?=\s*(?:[=<>!]|IS|IN))/g, `${alias}.$1`)
}
