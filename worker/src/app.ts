/**
 * The request pipeline, top to bottom. Each stage is one module in middleware/; data flows only
 * through typed `c.set()` / `c.get()` (not `c.var`: Hono copies every variable on each `c.var` access).
 */
import { Hono } from 'hono'
import { adminApi } from './admin-api/index.ts'
import type { AppEnv } from './env.ts'
import { notFound, toErrorResponse } from './errors.ts'
import { authenticate } from './middleware/authenticate.ts'
import { callUpstream } from './middleware/call-upstream.ts'
import { exactCache } from './middleware/exact-cache.ts'
import { recordFeedback } from './middleware/feedback.ts'
import { guard } from './middleware/guard.ts'
import { health } from './middleware/health.ts'
import { callerBudget } from './middleware/caller-budget.ts'
import { callerUsage } from './middleware/caller-usage.ts'
import { limit } from './middleware/limit.ts'
import { listModels } from './middleware/list-models.ts'
import { recordUsage } from './middleware/record-usage.ts'
import { requestId } from './middleware/request-id.ts'
import { requestLog } from './middleware/request-log.ts'
import { resolveRoute } from './middleware/resolve-route.ts'
import { semanticCache } from './middleware/semantic-cache.ts'
import { validate } from './middleware/validate.ts'
import type { CompiledPolicy } from './policy/compile.ts'
import { chatRequestSchema, embeddingsRequestSchema } from './schemas/chat-request.ts'
import { countTokens } from './middleware/count-tokens.ts'
import { keepResponse } from './middleware/keep-response.ts'
import { deleteStoredResponse, storedResponse } from './middleware/stored-responses.ts'
import { messagesShape } from './shapes/messages/index.ts'
import { countTokensRequestSchema, messagesRequestSchema } from './shapes/messages/schema.ts'
import { responsesShape } from './shapes/responses/index.ts'
import { responsesRequestSchema } from './shapes/responses/schema.ts'

export function createApp(policy: CompiledPolicy): Hono<AppEnv> {
  const app = new Hono<AppEnv>()
  const cache = exactCache()
  const semantic = semanticCache(policy) // L2: only on an exact miss, only for chat
  const guarded = guard(policy) // 4. rules, then PII (redact before anything leaves; restore the answer)
  const limits = limit(policy) // 5. rate limits and budgets: one counter call per scope, settled after the answer

  app.use('*', requestId())
  app.use('*', requestLog()) // one JSON line per request to the Worker's logs, after the answer
  app.get('/health', health(policy))
  app.route('/admin/api', adminApi(policy))

  app.use('/v1/*', recordUsage(policy)) // 9. telemetry wraps each call: one event, sent after the answer
  // 1. auth — every /v1 call names its project by its key.
  app.use('/v1/*', authenticate(policy))
  app.get('/v1/models', listModels(policy))
  app.post('/v1/feedback', recordFeedback()) // a score for an answer, joined to its event (experiments)
  app.get('/v1/budget', callerBudget())
  app.get('/v1/usage', callerUsage())

  // 2. validate → 3. resolve (A/B variant) → 4. guard → 5. limit → 6. cache → 7. upstream → 8. respond
  app.post('/v1/chat/completions', validate('chat', chatRequestSchema), resolveRoute(policy), guarded, limits, cache, semantic, callUpstream())
  app.post('/v1/embeddings', validate('embeddings', embeddingsRequestSchema), resolveRoute(policy), guarded, limits, cache, semantic, callUpstream())
  // The same stages for the native APIs (shapes/): Anthropic Messages, OpenAI Responses (kept for previous_response_id).
  app.post('/v1/messages', validate('chat', messagesRequestSchema, messagesShape), resolveRoute(policy), guarded, limits, cache, semantic, callUpstream())
  app.post('/v1/messages/count_tokens', validate('chat', countTokensRequestSchema, messagesShape), resolveRoute(policy), guarded, countTokens())
  app.post('/v1/responses', validate('chat', responsesRequestSchema, responsesShape), resolveRoute(policy), guarded, limits, keepResponse(), cache, semantic, callUpstream())
  app.get('/v1/responses/:id', storedResponse())
  app.delete('/v1/responses/:id', deleteStoredResponse())

  app.onError(toErrorResponse)
  app.notFound(notFound)
  return app
}
