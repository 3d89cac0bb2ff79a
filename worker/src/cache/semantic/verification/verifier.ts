/**
 * The online verification loop, one per isolate: it holds the threshold in force per project and
 * embedder, and labels pairs after the answer has gone out (the caller runs it in `waitUntil`):
 *
 * - a sampled semantic hit (policy `sample_rate`, at most `daily_cap` a day) is asked upstream
 *   again and the judge compares the cached answer with the fresh one; weight 1 / sample_rate;
 * - a near miss (best candidate within `near_miss_band` under the threshold) already has both
 *   answers — the fresh one it paid for and the candidate's — so judging it is free; weight 1.
 *
 * Each verdict is stored (D1), the threshold is recomputed from the recent verdicts
 * (online-threshold.ts) and, when it changes, the change is written as an event row. A failed
 * quota claim, upstream call or judge records nothing and leaves the threshold as it was.
 */
import type { GatewayEnv, StoredAnswer } from '../../../env.ts'
import { resolveTargets } from '../../../middleware/resolve-route.ts'
import type { CompiledPolicy } from '../../../policy/compile.ts'
import type { ProjectPolicy, SemanticCachePolicy } from '../../../policy/schema.ts'
import type { ResolvedRoute } from '../../../providers/types.ts'
import { redactForLog } from '../../../telemetry/redact.ts'
import { defaultThreshold } from '../decision.ts'
import type { Embedder } from '../embedder.ts'
import { defaultJudge, llmJudge, type Judge, type JudgeInput, type Judgement } from './judge.ts'
import { thresholdInForce, type ThresholdResult } from './online-threshold.ts'
import { VerificationStore, type ThresholdRow, type VerdictSource } from './store.ts'
import { answerContent, chatOnce } from './upstream-chat.ts'
import { own } from '../../../lib/own.ts'

/** How long an isolate trusts its copy of a threshold before re-reading D1 (in the background). */
const REFRESH_MS = 30_000
/** A fresh isolate waits this long at most for the stored threshold, then uses the start. */
const FIRST_LOAD_MS = 100
/** The threshold is never certified below this score, whatever the labels. */
const FLOOR = 0.5

/** What one request's verification needs to know. */
export interface VerifyScope {
  project: string
  projectPolicy: ProjectPolicy
  config: SemanticCachePolicy
  embedder: Embedder
  env: GatewayEnv
  db: D1Database
  route: ResolvedRoute
  body: Record<string, unknown>
  requestId: string
  question: string
}

/** A candidate the decision scored (a hit, or the best miss). */
export interface ScoredCandidate {
  cachedQuestion: string
  /** The stored-answer JSON (raw) of the cached entry. */
  cachedAnswer: string
  score: number
  /** The threshold the decision compared the score with. */
  threshold: number
}

/** Replaces the policy's judge (the simulation test's judge knows the labels). */
export type JudgeOverride = (input: JudgeInput, scope: VerifyScope) => Promise<Judgement>

export interface VerifierOptions {
  now: () => number
  random?: () => number
  judge?: JudgeOverride
}

interface BookEntry {
  row: ThresholdRow | undefined
  fetchedAt: number
  loading?: Promise<void>
}

export class Verifier {
  private readonly book = new Map<string, BookEntry>()
  private readonly policy: CompiledPolicy
  private readonly options: VerifierOptions

  constructor(policy: CompiledPolicy, options: VerifierOptions) {
    this.policy = policy
    this.options = options
  }

  /** The conservative start: the policy's threshold, else the shipped one for this embedder's model. */
  startOf(config: SemanticCachePolicy, embedder: string): number {
    return config.threshold ?? defaultThreshold(embedder)
  }

  /** The threshold in force for this project and embedder (the start until labels certify another). */
  async thresholdFor(project: string, config: SemanticCachePolicy, embedder: string, db: D1Database, waitUntil: (p: Promise<unknown>) => void): Promise<number> {
    const start = this.startOf(config, embedder)
    if (!config.verification.enabled) return start
    const key = `${project}\u0000${embedder}`
    let entry = this.book.get(key)
    const now = this.options.now()
    if (!entry) {
      entry = { row: undefined, fetchedAt: now }
      this.book.set(key, entry)
      const loading = this.load(entry, project, embedder, db)
      waitUntil(loading)
      await Promise.race([loading, new Promise((r) => setTimeout(r, FIRST_LOAD_MS))])
    } else if (now - entry.fetchedAt >= REFRESH_MS && !entry.loading) {
      entry.fetchedAt = now
      waitUntil(this.load(entry, project, embedder, db))
    }
    return effective(entry.row, start)
  }

  /** After a semantic hit was served: maybe re-ask it upstream and judge the cached answer. */
  async afterHit(scope: VerifyScope, hit: ScoredCandidate): Promise<void> {
    const v = scope.config.verification
    if (!v.enabled || !(v.sample_rate > 0)) return
    if ((this.options.random ?? Math.random)() >= v.sample_rate) return
    const store = new VerificationStore(scope.db)
    if (!(await store.claim(scope.project, 'sampled_hit', v.daily_cap, this.options.now()))) return
    const fresh = await chatOnce(this.policy, scope.route, scope.body, scope.env)
    await this.label(scope, store, hit, 'sampled_hit', 1 / v.sample_rate, fresh.text, fresh.costUsd)
  }

  /** After a miss whose best candidate scored just under the threshold: judge it with the answer just paid for. */
  async afterNearMiss(scope: VerifyScope, best: ScoredCandidate, answer: StoredAnswer | undefined): Promise<void> {
    const v = scope.config.verification
    if (!v.enabled || !answer || answer.endpoint !== 'chat') return
    if (!(best.score < best.threshold && best.score >= best.threshold - v.near_miss_band)) return
    const store = new VerificationStore(scope.db)
    if (!(await store.claim(scope.project, 'near_miss', v.near_miss_daily_cap, this.options.now()))) return
    await this.label(scope, store, best, 'near_miss', 1, answerContent(answer.raw), null)
  }

  private async label(scope: VerifyScope, store: VerificationStore, pair: ScoredCandidate, source: VerdictSource, weight: number, freshAnswer: string, costUsd: number | null): Promise<void> {
    const input: JudgeInput = { question: scope.question, cachedQuestion: pair.cachedQuestion, cachedAnswer: answerContent(pair.cachedAnswer), freshAnswer }
    const judge = this.judgeFor(scope)
    const verdict = this.options.judge ? await this.options.judge(input, scope) : await judge.judge(input)
    const logged = scope.projectPolicy.telemetry.log_prompts
    const max = scope.projectPolicy.telemetry.max_logged_chars
    await store.record({
      project: scope.project,
      embedder: scope.embedder.id,
      ts: this.options.now(),
      source,
      score: pair.score,
      threshold: pair.threshold,
      weight,
      wrong: verdict.wrong,
      judge: this.options.judge ? 'test' : judge.id,
      judgeScore: verdict.score,
      defaultWrong: verdict.defaultWrong,
      requestId: scope.requestId,
      costUsd,
      question: logged ? redactForLog(scope.question, max) : null,
      cachedQuestion: logged ? redactForLog(pair.cachedQuestion, max) : null,
    })
    await this.recompute(scope, store)
  }

  /** Recomputes the threshold from the recent verdicts; a change is written as an event row. */
  private async recompute(scope: VerifyScope, store: VerificationStore): Promise<void> {
    const v = scope.config.verification
    const start = this.startOf(scope.config, scope.embedder.id)
    const result = thresholdInForce(await store.window(scope.project, scope.embedder.id), {
      start,
      maxFalseHitRate: scope.config.max_false_hit_rate,
      minLabels: v.min_labels,
      confidence: v.confidence,
      floor: Math.min(FLOOR, start),
    })
    const previous = await store.latestThreshold(scope.project, scope.embedder.id)
    const row: ThresholdRow = { ...result, ts: this.options.now(), previous: previous ? effective(previous, start) : null, maxRate: scope.config.max_false_hit_rate }
    if (!previous || changed(previous, result)) await store.recordThreshold(scope.project, scope.embedder.id, row)
    const entry = this.book.get(`${scope.project}\u0000${scope.embedder.id}`)
    if (entry) Object.assign(entry, { row, fetchedAt: this.options.now() })
  }

  private judgeFor(scope: VerifyScope): Judge {
    const fallback = defaultJudge(scope.embedder)
    const configured = scope.config.verification.judge
    if (configured === 'default') return fallback
    const route = own(this.policy.models, configured.model)
    if (!route) return fallback
    const targets = resolveTargets(configured.model, route, this.policy.providers, scope.env)
    const resolved: ResolvedRoute = { alias: configured.model, kind: 'chat', targets, retry: { attempts: route.retry.attempts, backoffMs: route.retry.backoff_ms }, fingerprint: '' }
    return llmJudge(this.policy, resolved, scope.env, fallback)
  }

  private load(entry: BookEntry, project: string, embedder: string, db: D1Database): Promise<void> {
    entry.loading ??= new VerificationStore(db)
      .latestThreshold(project, embedder)
      .then((row) => {
        entry.row = row
        entry.fetchedAt = this.options.now()
      })
      .catch(() => undefined)
      .finally(() => (entry.loading = undefined))
    return entry.loading
  }
}

/** The threshold a stored result puts in force: certified or paused as stored; otherwise today's start. */
function effective(row: Pick<ThresholdResult, 'certified' | 'reason' | 'threshold'> | undefined, start: number): number {
  if (!row) return start
  if (row.certified || row.reason === 'unsafe') return row.threshold
  return start
}

function changed(previous: ThresholdRow, next: ThresholdResult): boolean {
  return previous.threshold !== next.threshold || previous.certified !== next.certified || previous.reason !== next.reason
}
