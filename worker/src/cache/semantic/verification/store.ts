/**
 * The verification loop's D1 tables (migrations/d1/0005_semantic_verification.sql): verdicts per
 * project and embedder, the daily label quota (claimed atomically), and threshold changes.
 */
import type { LabelledScore, ThresholdResult } from './online-threshold.ts'

export type VerdictSource = 'sampled_hit' | 'near_miss'

export interface VerdictRow {
  project: string
  embedder: string
  ts: number
  source: VerdictSource
  score: number
  threshold: number
  weight: number
  wrong: boolean
  judge: string
  judgeScore: number | null
  defaultWrong: boolean | null
  requestId: string | null
  costUsd: number | null
  question: string | null
  cachedQuestion: string | null
}

export interface ThresholdRow extends ThresholdResult {
  ts: number
  previous: number | null
  maxRate: number
}

/** Verdicts read back when recomputing the threshold: the most recent, bounded. */
export const VERDICT_WINDOW = 5_000

export class VerificationStore {
  private readonly db: D1Database

  constructor(db: D1Database) {
    this.db = db
  }

  /**
   * Claims one label of `kind` for `project` today. True while under `cap`: one conditional upsert,
   * so concurrent isolates can never push the count past the cap.
   */
  async claim(project: string, kind: VerdictSource, cap: number, now: number): Promise<boolean> {
    if (!(cap >= 1)) return false
    const day = new Date(now).toISOString().slice(0, 10)
    const row = await this.db
      .prepare(
        `INSERT INTO semantic_verification_quota (project, day, kind, used) VALUES (?1, ?2, ?3, 1)
         ON CONFLICT (project, day, kind) DO UPDATE SET used = used + 1 WHERE used < ?4
         RETURNING used`,
      )
      .bind(project, day, kind, cap)
      .first<{ used: number }>()
    return row !== null
  }

  async used(project: string, kind: VerdictSource, now: number): Promise<number> {
    const day = new Date(now).toISOString().slice(0, 10)
    const row = await this.db.prepare('SELECT used FROM semantic_verification_quota WHERE project = ?1 AND day = ?2 AND kind = ?3').bind(project, day, kind).first<{ used: number }>()
    return row?.used ?? 0
  }

  async record(v: VerdictRow): Promise<void> {
    await this.db
      .prepare(
        `INSERT INTO semantic_verdicts (project, embedder, ts, source, score, threshold, weight, wrong, judge, judge_score, default_wrong, request_id, cost_usd, question, cached_question)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15)`,
      )
      .bind(
        v.project,
        v.embedder,
        v.ts,
        v.source,
        v.score,
        v.threshold,
        v.weight,
        v.wrong ? 1 : 0,
        v.judge,
        v.judgeScore,
        v.defaultWrong === null ? null : v.defaultWrong ? 1 : 0,
        v.requestId,
        v.costUsd,
        v.question,
        v.cachedQuestion,
      )
      .run()
  }

  /** The most recent verdicts of one project and embedder, as the threshold computation needs them. */
  async window(project: string, embedder: string): Promise<LabelledScore[]> {
    const { results } = await this.db
      .prepare('SELECT score, weight, wrong FROM semantic_verdicts WHERE project = ?1 AND embedder = ?2 ORDER BY id DESC LIMIT ?3')
      .bind(project, embedder, VERDICT_WINDOW)
      .all<{ score: number; weight: number; wrong: number }>()
    return results.map((r) => ({ score: r.score, weight: r.weight, wrong: r.wrong === 1 }))
  }

  async latestThreshold(project: string, embedder: string): Promise<ThresholdRow | undefined> {
    const row = await this.db
      .prepare('SELECT * FROM semantic_thresholds WHERE project = ?1 AND embedder = ?2 ORDER BY id DESC LIMIT 1')
      .bind(project, embedder)
      .first<{ ts: number; threshold: number; previous: number | null; reason: ThresholdRow['reason']; certified: number; labels: number; rate: number; upper: number; max_rate: number }>()
    if (!row) return undefined
    return { ts: row.ts, threshold: row.threshold, previous: row.previous, reason: row.reason, certified: row.certified === 1, labels: row.labels, rate: row.rate, upper: row.upper, maxRate: row.max_rate }
  }

  async recordThreshold(project: string, embedder: string, t: ThresholdRow): Promise<void> {
    await this.db
      .prepare(
        `INSERT INTO semantic_thresholds (project, embedder, ts, threshold, previous, reason, certified, labels, rate, upper, max_rate)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)`,
      )
      .bind(project, embedder, t.ts, t.threshold, t.previous, t.reason, t.certified ? 1 : 0, t.labels, t.rate, t.upper, t.maxRate)
      .run()
  }
}
