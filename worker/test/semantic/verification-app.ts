/**
 * A gateway for the verification tests: the real chat pipeline (auth → validate → resolve → exact
 * → semantic → upstream against the fake OpenAI, embeddings from the real local USE-lite model),
 * with the semantic stage's sampling and judge injectable. `send` gives back the response as soon
 * as the app answers, and the request's `waitUntil` work separately, so a test can tell the two apart.
 */
import { createExecutionContext, env, waitOnExecutionContext } from 'cloudflare:test'
import { Hono } from 'hono'
import type { JudgeOverride } from '../../src/cache/semantic/verification/verifier.ts'
import type { AppEnv, GatewayEnv } from '../../src/env.ts'
import { notFound, toErrorResponse } from '../../src/errors.ts'
import { authenticate } from '../../src/middleware/authenticate.ts'
import { callUpstream } from '../../src/middleware/call-upstream.ts'
import { exactCache } from '../../src/middleware/exact-cache.ts'
import { requestId } from '../../src/middleware/request-id.ts'
import { resolveRoute } from '../../src/middleware/resolve-route.ts'
import { semanticCache } from '../../src/middleware/semantic-cache.ts'
import { validate } from '../../src/middleware/validate.ts'
import { compilePolicy, type CompiledPolicy } from '../../src/policy/compile.ts'
import { chatRequestSchema } from '../../src/schemas/chat-request.ts'

export const LOCAL_EMBEDDER = 'local:use-lite-512'

export async function policyFrom(yaml: string): Promise<CompiledPolicy> {
  const compiled = await compilePolicy([{ path: 'verification-test.yaml', text: yaml }])
  if (!compiled.ok) throw new Error(JSON.stringify(compiled.error))
  return compiled.value
}

export interface Sent {
  status: number
  cache: string | null
  similarity: number | null
  content: string
  /** The request's waitUntil work (verification, cache writes). */
  after: Promise<void>
}

export function verificationApp(policy: CompiledPolicy, options: { judge?: JudgeOverride; random?: () => number } = {}) {
  const app = new Hono<AppEnv>()
  app.use('*', requestId())
  app.use('/v1/*', authenticate(policy))
  app.post('/v1/chat/completions', validate('chat', chatRequestSchema), resolveRoute(policy), exactCache(), semanticCache(policy, options), callUpstream())
  app.onError(toErrorResponse)
  app.notFound(notFound)

  return async function send(key: string, content: string, headers: Record<string, string> = {}, model = 'gpt'): Promise<Sent> {
    const ctx = createExecutionContext()
    const res = await app.fetch(
      new Request('http://gateway.test/v1/chat/completions', {
        method: 'POST',
        headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json', ...headers },
        body: JSON.stringify({ model, messages: [{ role: 'user', content }] }),
      }),
      env as unknown as GatewayEnv,
      ctx,
    )
    const body = (await res.json()) as { choices?: { message?: { content?: string } }[] }
    const similarity = res.headers.get('x-watchllm-similarity')
    return {
      status: res.status,
      cache: res.headers.get('x-watchllm-cache'),
      similarity: similarity === null ? null : Number(similarity),
      content: body.choices?.[0]?.message?.content ?? '',
      after: waitOnExecutionContext(ctx),
    }
  }
}

/** Verdict rows of one project. */
export async function verdicts(project: string) {
  const { results } = await env.DB.prepare('SELECT * FROM semantic_verdicts WHERE project = ?1 ORDER BY id').bind(project).all<{
    source: string
    score: number
    threshold: number
    weight: number
    wrong: number
    judge: string
    judge_score: number | null
    default_wrong: number | null
    question: string | null
    cost_usd: number | null
  }>()
  return results
}

export async function thresholdRows(project: string) {
  const { results } = await env.DB.prepare('SELECT * FROM semantic_thresholds WHERE project = ?1 ORDER BY id').bind(project).all<{
    threshold: number
    previous: number | null
    reason: string
    certified: number
    labels: number
    rate: number
    upper: number
  }>()
  return results
}
