/**
 * The semantic cache (L2), after an exact miss: embed the last user message once, look for an
 * entry of the same context (project, namespace, route, embedder, system prompt, earlier turns,
 * tools, parameters) whose question the decision accepts as the same, and answer it as
 * `X-WatchLLM-Cache: SEMANTIC` with `X-WatchLLM-Similarity` (replayed as SSE for streams). On a
 * miss the request goes on, and once the answer is complete and 2xx it is stored with
 * `waitUntil`, reusing the embedding. Honours the exact cache's bypass / refresh / namespace and
 * `X-WatchLLM-Semantic-Threshold` (may only raise the project's threshold). Anything failing —
 * embedder, index, D1 — means "no semantic cache for this request", never an error.
 *
 * The threshold is the one in force for the project and embedder (cache/semantic/verification/):
 * after the answer has gone out, a sampled hit is re-asked and judged, and a near miss is judged
 * with the answer it paid for; the verdicts move the threshold. None of it delays a response.
 *
 * @example app.post('/v1/chat/completions', …, exactCache(), semanticCache(policy), callUpstream())
 */
import type { Context, MiddlewareHandler } from 'hono'
import { decodeAnswer, encodeAnswer } from '../cache/stored-answer.ts'
import { semanticBackends, type SemanticBackend } from '../cache/semantic/backend.ts'
import { MirrorRegistry } from '../cache/semantic/context-mirror.ts'
import { tightenThreshold } from '../cache/semantic/decision.ts'
import { findSemanticHit, type LookupResult, type SemanticHit } from '../cache/semantic/lookup.ts'
import { contextKey, entryId, semanticQuestionOf, type SemanticQuestion } from '../cache/semantic/semantic-request.ts'
import { Verifier, type JudgeOverride, type ScoredCandidate, type VerifyScope } from '../cache/semantic/verification/verifier.ts'
import type { AppEnv } from '../env.ts'
import { GatewayError } from '../errors.ts'
import type { CompiledPolicy } from '../policy/compile.ts'
import { respondFromCache } from '../respond/cached-answer.ts'
import { mayStore } from '../cache/may-store.ts'
import { lookupBudgetOf } from '../cache/lookup-budget.ts'
import { registerCache } from '../lib/isolate-caches.ts'

/** Index + D1 read budget per lookup: past it the request goes on uncached (a cold load finishes in the background). */
const LOOKUP_TIMEOUT_MS = 250
/** Per-isolate mirrors of the D1 index: bounded in bytes (all contexts) and entries (one context). */
const MIRROR_MAX_BYTES = 32 * 1024 * 1024
const MIRROR_MAX_ENTRIES = 30_000
const THRESHOLD_HEADER = 'x-watchllm-semantic-threshold'

export interface SemanticCacheOptions {
  now?: () => number
  mirrors?: MirrorRegistry
  /** How stale a D1 mirror may be before a lookup asks D1 for newer rows. */
  syncIntervalMs?: number
  fetch?: typeof fetch
  /** Sampling of hits for verification (tests make it deterministic). */
  random?: () => number
  /** Replaces the policy's judge: the simulation test's judge knows the labels. */
  judge?: JudgeOverride
}

export function semanticCache(policy: CompiledPolicy, options: SemanticCacheOptions = {}): MiddlewareHandler<AppEnv> {
  const now = options.now ?? Date.now
  // Deliberate isolate-level state: the D1 mirrors, bounded by MIRROR_MAX_BYTES.
  const mirrors = options.mirrors ?? new MirrorRegistry(MIRROR_MAX_BYTES, MIRROR_MAX_ENTRIES)
  registerCache('semantic-mirrors-bytes', { size: () => mirrors.bytes, bound: mirrors.maxBytes, unit: 'bytes' })
  const backendFor = semanticBackends(policy.providers, { mirrors, now, syncIntervalMs: options.syncIntervalMs, fetch: options.fetch })
  // Deliberate isolate-level state: the thresholds in force, one per project and embedder.
  const verifier = new Verifier(policy, { now, random: options.random, judge: options.judge })

  return async function semanticCacheStage(c, next) {
    const config = c.get('project').cache.semantic
    const intent = c.get('cacheIntent')
    if (!config.enabled || c.get('endpoint') !== 'chat' || !intent || (!intent.read && !intent.write)) return next()
    const requested = c.req.header(THRESHOLD_HEADER)
    const asked = semanticQuestionOf(c.get('body'), config)
    const backend = asked.ok ? backendFor(config, c.env) : undefined
    if (!asked.ok || !backend) return next()
    const scope: Scope = { c, backend, asked: asked.value, namespace: intent.namespace, route: c.get('route').fingerprint }
    const waitUntil = (p: Promise<unknown>) => c.executionCtx.waitUntil(p.catch(() => undefined))
    const verify = verifyScope(scope)

    let vector: Promise<Float32Array | undefined> | undefined
    let found: LookupResult = {}
    if (intent.read) {
      const embedding = embedOne(backend, asked.value.question)
      vector = embedding
      // Read while the embedding is computed: a fresh isolate's first threshold comes from D1.
      const inForce = verifier.thresholdFor(verify.project, config, backend.embedder.id, verify.db, waitUntil).catch(() => verifier.startOf(config, backend.embedder.id))
      const lookup = (async () => lookUp(scope, await embedding, thresholdOf(requested, await inForce), now))()
      // Embedding and lookup together spend what is left of the pre-upstream budget (fail open).
      found = (await lookupBudgetOf(c).spend('semantic', lookup)) ?? {}
      const hit = found.hit
      if (hit) {
        // After the answer: maybe re-ask and judge it. Nothing here is awaited by the response.
        waitUntil(Promise.resolve().then(() => verifier.afterHit(verify, candidateOf(hit))))
        return respondFromCache(c, decodeAnswer(hit.answer), { cache: 'SEMANTIC', similarity: hit.decision.score })
      }
      c.get('facts').cache = 'MISS' // a cache was consulted, even if the exact one was bypassed by policy
    }

    await next()
    const pending = c.get('answer')
    const near = found.best
    if (near && pending && c.res.status === 200) waitUntil(pending.then((answer) => verifier.afterNearMiss(verify, candidateOf(near), answer)))
    if (!intent.write || !pending || c.res.status !== 200) return
    c.executionCtx.waitUntil(
      pending
        .then(async (answer) => {
          // Only a complete answer (a cut stream resolves to undefined) of a chat call is kept.
          if (!answer || answer.endpoint !== 'chat' || !mayStore(answer, c.env)) return
          // The lookup's embedding when there was one; a refresh embeds here, off the response path.
          const v = await (vector ?? embedOne(backend, asked.value.question))
          if (!v) return
          const context = contextOf(scope, v)
          const at = now()
          await backend.index.upsert({
            id: entryId(context, asked.value.question),
            context,
            embedder: backend.embedder.id,
            vector: v,
            question: asked.value.question,
            answer: encodeAnswer(answer),
            createdAt: at,
            expiresAt: at + config.ttl_seconds * 1000,
          })
        })
        .catch(() => undefined),
    )
  }
}

/** What one request's lookup and insert share. */
interface Scope {
  c: Context<AppEnv>
  backend: SemanticBackend
  asked: SemanticQuestion
  namespace: string
  /** Fingerprint of the route's targets (provider types and models), as the exact cache keys it. */
  route: string
  /** The context key, once the embedding's dimensions are known (the lookup's, reused by the insert). */
  context?: string
}

/** The embedding of `text`, or undefined when the embedder fails or is too slow (fail open). */
function embedOne(backend: SemanticBackend, text: string): Promise<Float32Array | undefined> {
  return backend.embedder
    .embed([text])
    .then(([v]) => (v && v.length > 0 ? v : undefined))
    .catch(() => undefined)
}

async function lookUp(scope: Scope, vector: Float32Array | undefined, threshold: number, now: () => number): Promise<LookupResult> {
  if (!vector) return {}
  const { backend, asked, c } = scope
  const found = findSemanticHit(backend.index, backend.entries, {
    vector,
    context: contextOf(scope, vector),
    question: asked.question,
    embedder: backend.embedder.id,
    threshold,
    now: now(),
  })
  // A lookup that outlives the budget (a cold mirror loading) finishes in the background.
  c.executionCtx.waitUntil(found.catch(() => undefined))
  let timer: ReturnType<typeof setTimeout> | undefined
  const timeout = new Promise<LookupResult>((resolve) => (timer = setTimeout(() => resolve({}), LOOKUP_TIMEOUT_MS)))
  try {
    return await Promise.race([found.catch((): LookupResult => ({})), timeout])
  } finally {
    clearTimeout(timer)
  }
}

function verifyScope(scope: Scope): VerifyScope {
  const { c, backend, asked } = scope
  return {
    project: c.get('caller').project,
    projectPolicy: c.get('project'),
    config: c.get('project').cache.semantic,
    embedder: backend.embedder,
    env: c.env,
    db: c.env.DB,
    route: c.get('route'),
    body: c.get('body'),
    requestId: c.get('requestId'),
    question: asked.question,
  }
}

function candidateOf(hit: SemanticHit): ScoredCandidate {
  return { cachedQuestion: hit.question, cachedAnswer: decodeAnswer(hit.answer).raw, score: hit.decision.score, threshold: hit.decision.threshold }
}

function contextOf(scope: Scope, vector: Float32Array): string {
  const { c, backend, namespace, asked, route } = scope
  return (scope.context ??= contextKey(
    {
      project: c.get('caller').project,
      namespace,
      alias: c.get('route').alias,
      route,
      embedder: backend.embedder.id,
      dimensions: vector.length,
    },
    asked.rest,
  ))
}

/** The project's threshold, raised (never lowered) by the request header; a malformed header is a 400. */
function thresholdOf(header: string | undefined, base: number): number {
  if (header === undefined || header.trim() === '') return base
  const requested = Number(header.trim())
  if (!/^\s*(0(\.\d+)?|1(\.0+)?|\.\d+)\s*$/.test(header) || !Number.isFinite(requested))
    throw new GatewayError(400, 'invalid_request', 'X-WatchLLM-Semantic-Threshold must be a number from 0 to 1.', null)
  return tightenThreshold(base, requested)
}
