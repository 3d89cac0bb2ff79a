/**
 * The fuzzer's table of public endpoints: one line each — method, path, who may call it, a valid
 * request to mutate, and the error shape every 4xx must have. A new endpoint is one more line, with
 * its own error schema when it answers in another shape (`/v1/messages` answers in Anthropic's).
 */
import { z } from 'zod'

/** OpenAI's error envelope, as every /v1 and admin error must be. */
export const openAiError = z.strictObject({
  error: z.strictObject({ message: z.string().min(1), type: z.string().min(1), param: z.string().nullable(), code: z.string().nullable() }),
})

/** Anthropic's (for endpoints that speak its API, e.g. `/v1/messages`). */
export const anthropicError = z.strictObject({
  type: z.literal('error'),
  error: z.looseObject({ type: z.string().min(1), message: z.string().min(1) }),
  request_id: z.string().optional(),
})

export type Auth = 'gateway' | 'admin' | 'none'

export interface FuzzEndpoint {
  name: string
  method: 'GET' | 'POST'
  path: string
  auth: Auth
  /** A valid body to mutate (POST), or valid query parameters (GET). */
  valid?: () => Record<string, unknown>
  query?: () => Record<string, string>
  errorShape: z.ZodType
}

const chat = () => ({ model: 'fuzz-chat', messages: [{ role: 'system', content: 'Be brief.' }, { role: 'user', content: 'Hello there' }], temperature: 0.5, max_tokens: 32 })
const range = () => ({ from: String(Date.now() - 3_600_000), to: String(Date.now()) })

export const endpoints: FuzzEndpoint[] = [
  { name: 'chat', method: 'POST', path: '/v1/chat/completions', auth: 'gateway', valid: chat, errorShape: openAiError },
  { name: 'embeddings', method: 'POST', path: '/v1/embeddings', auth: 'gateway', valid: () => ({ model: 'fuzz-embed', input: ['one', 'two'] }), errorShape: openAiError },
  { name: 'messages', method: 'POST', path: '/v1/messages', auth: 'gateway', valid: () => ({ model: 'fuzz-chat', max_tokens: 32, system: 'Be brief.', messages: [{ role: 'user', content: 'Hello there' }] }), errorShape: anthropicError },
  { name: 'count tokens', method: 'POST', path: '/v1/messages/count_tokens', auth: 'gateway', valid: () => ({ model: 'fuzz-chat', messages: [{ role: 'user', content: 'Hello there' }] }), errorShape: anthropicError },
  { name: 'responses', method: 'POST', path: '/v1/responses', auth: 'gateway', valid: () => ({ model: 'fuzz-chat', instructions: 'Be brief.', input: 'Hello there', max_output_tokens: 32 }), errorShape: openAiError },
  { name: 'stored response', method: 'GET', path: '/v1/responses/resp_00000000000000000000000000000000', auth: 'gateway', errorShape: openAiError },
  { name: 'feedback', method: 'POST', path: '/v1/feedback', auth: 'gateway', valid: () => ({ request_id: crypto.randomUUID(), score: 1, label: 'thumbs' }), errorShape: openAiError },
  { name: 'models', method: 'GET', path: '/v1/models', auth: 'gateway', errorShape: openAiError },
  { name: 'budget', method: 'GET', path: '/v1/budget', auth: 'gateway', errorShape: openAiError },
  { name: 'usage', method: 'GET', path: '/v1/usage', auth: 'gateway', errorShape: openAiError },
  { name: 'health', method: 'GET', path: '/health', auth: 'none', errorShape: openAiError },
  { name: 'admin overview', method: 'GET', path: '/admin/api/overview', auth: 'admin', query: range, errorShape: openAiError },
  { name: 'admin timeseries', method: 'GET', path: '/admin/api/timeseries', auth: 'admin', query: () => ({ ...range(), step: '5m' }), errorShape: openAiError },
  { name: 'admin requests', method: 'GET', path: '/admin/api/requests', auth: 'admin', query: () => ({ ...range(), limit: '10', status: 'error' }), errorShape: openAiError },
  { name: 'admin request', method: 'GET', path: '/admin/api/requests/00000000-0000-0000-0000-000000000000', auth: 'admin', errorShape: openAiError },
  { name: 'admin cache', method: 'GET', path: '/admin/api/cache', auth: 'admin', query: range, errorShape: openAiError },
  { name: 'admin semantic', method: 'GET', path: '/admin/api/cache/semantic', auth: 'admin', query: range, errorShape: openAiError },
  { name: 'admin costs', method: 'GET', path: '/admin/api/costs', auth: 'admin', query: range, errorShape: openAiError },
  { name: 'admin experiments', method: 'GET', path: '/admin/api/experiments', auth: 'admin', query: range, errorShape: openAiError },
  { name: 'admin budgets', method: 'GET', path: '/admin/api/budgets', auth: 'admin', query: range, errorShape: openAiError },
  { name: 'admin guardrails', method: 'GET', path: '/admin/api/guardrails', auth: 'admin', query: range, errorShape: openAiError },
  { name: 'admin policy', method: 'GET', path: '/admin/api/policy', auth: 'admin', errorShape: openAiError },
  { name: 'admin audit', method: 'GET', path: '/admin/api/audit', auth: 'admin', query: () => ({ ...range(), limit: '20' }), errorShape: openAiError },
]
