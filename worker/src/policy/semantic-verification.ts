/**
 * Policy for the semantic cache's online verification (`projects.<p>.cache.semantic.verification`)
 * and the error rate it keeps (`max_false_hit_rate`). Kept apart from schema.ts, which only
 * mounts it. See README "Semantic cache → Online verification".
 */
import { z } from 'zod'

/** The judge of a labelled pair: `default` (the calibrated answer comparison) or a chat model alias. */
export const semanticJudge = z.union([z.literal('default'), z.strictObject({ model: z.string().min(1) })])

export const semanticVerification = z.strictObject({
  /** Off: the threshold stays where policy (or the shipped default) puts it, and nothing is labelled. */
  enabled: z.boolean().default(true),
  /** Share of semantic hits asked upstream again after the answer, to label them. */
  sample_rate: z.number().min(0).max(1).default(0.05),
  /** Re-asks per project per UTC day, at most: each is an upstream call the project pays for. */
  daily_cap: z.int().min(0).max(1_000_000).default(100),
  /** A miss whose best candidate scored within this of the threshold is judged (both answers are known). */
  near_miss_band: z.number().min(0).max(1).default(0.1),
  /** Near misses judged per project per UTC day, at most. */
  near_miss_daily_cap: z.int().min(0).max(1_000_000).default(500),
  /** Labels at or above a threshold before it can be certified; until then the conservative start holds. */
  min_labels: z.int().min(10).max(1_000_000).default(200),
  /** One-sided confidence of the upper bound on the false-hit rate. */
  confidence: z.number().min(0.5).max(0.999).default(0.95),
  judge: semanticJudge.default('default'),
})

/** Mounted as `max_false_hit_rate` in the semantic section: the share of semantic answers allowed to be wrong. */
export const maxFalseHitRate = z.number().min(0.0001).max(0.5).default(0.01)

export type SemanticVerificationPolicy = z.output<typeof semanticVerification>
export type SemanticJudgePolicy = z.output<typeof semanticJudge>

/**
 * The judge's model alias must be a chat model the project may call: an LLM judge is a chat call
 * made on the project's behalf. Returns the problem, or null.
 */
export function judgeProblem(
  judge: SemanticJudgePolicy,
  models: Record<string, { kind: 'chat' | 'embeddings' }>,
  allowed: readonly string[],
): { name: 'UnknownModel' | 'WrongRouteKind'; message: string } | null {
  if (judge === 'default') return null
  const route = models[judge.model]
  if (!route) return { name: 'UnknownModel', message: `no model alias "${judge.model}" for the judge` }
  if (route.kind !== 'chat') return { name: 'WrongRouteKind', message: `the judge must be a chat model; "${judge.model}" is ${route.kind}` }
  if (!allowed.includes('*') && !allowed.includes(judge.model)) return { name: 'UnknownModel', message: `the project may not call "${judge.model}" (add it to its models)` }
  return null
}
