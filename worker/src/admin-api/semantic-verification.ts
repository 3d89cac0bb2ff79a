/**
 * `GET /admin/api/cache/semantic`: how wrong the semantic cache is, per project and embedder —
 * the measured false-hit rate among answers served at the threshold in force (weighted labels,
 * 95 % Wilson interval), labels gathered, the judge and its agreement with the default judge, the
 * threshold in force and its history, what semantic hits saved, and — only for projects that log
 * prompts — the pairs judged wrong.
 */
import type { Handler } from 'hono'
import { wilson } from '../cache/semantic/confidence.ts'
import { defaultThreshold, modelFor } from '../cache/semantic/decision.ts'
import { JUDGE_TRAIN_ERROR } from '../cache/semantic/pair-model-params.ts'
import type { CompiledPolicy } from '../policy/compile.ts'
import { all, num, usd } from './db.ts'
import { filtersSchema, parseQuery, type Range } from './query.ts'
import type { AdminEnv } from './types.ts'
import { own } from '../lib/own.ts'

export interface SemanticScope {
  project: string
  embedder: string
  /** The threshold a lookup uses now, and where it comes from. */
  threshold: number
  certified: boolean
  reason: 'start' | 'certified' | 'unsafe'
  start: number
  max_false_hit_rate: number
  /** Among labelled answers scoring at or above the threshold in force: weighted rate and 95 % interval. */
  false_hit_rate: { rate: number; low: number; high: number; labels: number } | null
  labels: { total: number; sampled_hits: number; near_misses: number; wrong: number }
  judge: string
  /** With an LLM judge: how often the default judge agreed with it. */
  default_judge_agreement: { agree: number; total: number; rate: number } | null
  /**
   * The default judge's own error where labels exist — Quora question pairs (train, out of fold),
   * measured by scripts/semantic/fit.ts — for an embedder whose network it was measured with; else null.
   */
  default_judge_error: { misses_wrong: number; flags_right: number } | null
  verification_cost_usd: number
}

export interface SemanticVerificationResponse {
  range: Range
  scopes: SemanticScope[]
  semantic_hits: number
  semantic_saved_usd: number
  history: { project: string; embedder: string; ts: number; threshold: number; previous: number | null; reason: string; certified: boolean; labels: number; rate: number; upper: number }[]
  /** Only for projects that log prompts (their questions were stored redacted). */
  wrong_pairs: { ts: number; project: string; embedder: string; source: string; score: number; question: string; cached_question: string }[]
}

const HISTORY_LIMIT = 500
const WRONG_LIMIT = 50

export function semanticVerification(policy: CompiledPolicy, now: () => number = Date.now): Handler<AdminEnv> {
  return async function semanticVerificationHandler(c) {
    const filters = parseQuery(c, filtersSchema, now())
    const db = c.env.DB
    const scoped = filters.project ? ' AND project = ?' : ''
    const scope = (...params: (string | number)[]) => (filters.project ? [...params, filters.project] : params)
    const [latest, history, wrong, saved] = await Promise.all([
      all<{ project: string; embedder: string; threshold: number; reason: 'start' | 'certified' | 'unsafe'; certified: number }>(
        db,
        `SELECT t.project, t.embedder, t.threshold, t.reason, t.certified FROM semantic_thresholds t
         JOIN (SELECT project, embedder, MAX(id) AS id FROM semantic_thresholds GROUP BY project, embedder) m ON m.id = t.id
         WHERE 1 = 1${scoped.replace('project', 't.project')}`,
        scope(),
      ),
      all<{ project: string; embedder: string; ts: number; threshold: number; previous: number | null; reason: string; certified: number; labels: number; rate: number; upper: number }>(
        db,
        `SELECT project, embedder, ts, threshold, previous, reason, certified, labels, rate, upper FROM semantic_thresholds
         WHERE ts < ?${scoped} ORDER BY id DESC LIMIT ${HISTORY_LIMIT}`,
        scope(filters.to),
      ),
      all<{ ts: number; project: string; embedder: string; source: string; score: number; question: string; cached_question: string }>(
        db,
        `SELECT ts, project, embedder, source, score, question, cached_question FROM semantic_verdicts
         WHERE wrong = 1 AND question IS NOT NULL AND ts >= ? AND ts < ?${scoped} ORDER BY id DESC LIMIT ${WRONG_LIMIT}`,
        scope(filters.from, filters.to),
      ),
      all<{ hits: number | null; saved: number | null }>(
        db,
        `SELECT SUM(requests) AS hits, SUM(cost_saved_usd) AS saved FROM usage_rollup_minute WHERE cache = 'SEMANTIC' AND minute >= ? AND minute < ?${scoped}`,
        scope(filters.from, filters.to),
      ),
    ])
    const scopes = await all<{ project: string; embedder: string }>(db, `SELECT DISTINCT project, embedder FROM semantic_verdicts WHERE 1 = 1${scoped}`, scope())
    const known = new Map([...scopes, ...latest].map((s) => [`${s.project}\u0000${s.embedder}`, s]))
    const logsPrompts = (project: string) => own(policy.projects, project)?.telemetry.log_prompts === true

    const out: SemanticScope[] = []
    for (const { project, embedder } of known.values()) {
      const config = own(policy.projects, project)?.cache.semantic
      const start = config?.threshold ?? defaultThreshold(embedder)
      const row = latest.find((l) => l.project === project && l.embedder === embedder)
      const certified = row?.certified === 1
      const threshold = row && (certified || row.reason === 'unsafe') ? row.threshold : start
      const [counts] = await all<{ total: number; hits: number; near: number; wrong: number; cost: number | null; w: number | null; ww: number | null; wwrong: number | null; n: number | null; agree: number | null; compared: number | null }>(
        db,
        `SELECT COUNT(*) AS total, SUM(source = 'sampled_hit') AS hits, SUM(source = 'near_miss') AS near, SUM(wrong) AS wrong, SUM(cost_usd) AS cost,
                SUM(CASE WHEN score >= ?3 THEN weight END) AS w, SUM(CASE WHEN score >= ?3 THEN weight * weight END) AS ww,
                SUM(CASE WHEN score >= ?3 THEN weight * wrong END) AS wwrong, SUM(score >= ?3) AS n,
                SUM(default_wrong = wrong) AS agree, SUM(default_wrong IS NOT NULL) AS compared
         FROM semantic_verdicts WHERE project = ?1 AND embedder = ?2`,
        [project, embedder, threshold],
      )
      const w = num(counts?.w)
      const effective = w > 0 ? (w * w) / num(counts?.ww) : 0
      const interval = effective > 0 ? wilson((num(counts?.wwrong) / w) * effective, effective) : undefined
      const compared = num(counts?.compared)
      const judge = config?.verification.judge
      out.push({
        project,
        embedder,
        threshold,
        certified,
        reason: row ? row.reason : 'start',
        start,
        max_false_hit_rate: config?.max_false_hit_rate ?? 0.01,
        false_hit_rate: interval ? { rate: interval.rate, low: interval.low, high: interval.high, labels: num(counts?.n) } : null,
        labels: { total: num(counts?.total), sampled_hits: num(counts?.hits), near_misses: num(counts?.near), wrong: num(counts?.wrong) },
        judge: !judge || judge === 'default' ? 'default' : `model:${judge.model}`,
        default_judge_agreement: compared > 0 ? { agree: num(counts?.agree), total: compared, rate: num(counts?.agree) / compared } : null,
        default_judge_error: modelFor(embedder).kind === 'network' ? { misses_wrong: JUDGE_TRAIN_ERROR.missesWrong, flags_right: JUDGE_TRAIN_ERROR.flagsRight } : null,
        verification_cost_usd: usd(counts?.cost),
      })
    }

    return c.json<SemanticVerificationResponse>({
      range: { from: filters.from, to: filters.to },
      scopes: out.sort((a, b) => a.project.localeCompare(b.project) || a.embedder.localeCompare(b.embedder)),
      semantic_hits: num(saved[0]?.hits),
      semantic_saved_usd: usd(saved[0]?.saved),
      history: history.reverse().map((h) => ({ ...h, certified: h.certified === 1 })),
      wrong_pairs: wrong.filter((p) => logsPrompts(p.project)),
    })
  }
}
