/**
 * The gateway's errors. Only HTTP code throws `GatewayError`; `toErrorResponse` renders every
 * failure in the endpoint's error shape — OpenAI's, or Anthropic's under /v1/messages — so
 * clients' SDKs raise their usual typed errors.
 */
import type { Context } from 'hono'
import type { ContentfulStatusCode } from 'hono/utils/http-status'
import type { AppEnv } from './env.ts'
import { scrubSecrets } from './lib/scrub.ts'
import { anthropicErrorBody } from './shapes/messages/errors.ts'
import { reportError } from './telemetry/error-report.ts'

export type ErrorReason =
  | 'missing_api_key'
  | 'invalid_api_key'
  | 'invalid_json'
  | 'invalid_request'
  | 'payload_too_large'
  | 'unsupported_media_type'
  | 'model_not_found'
  | 'model_not_allowed'
  | 'wrong_endpoint'
  | 'no_provider_available'
  | 'rule_blocked'
  | 'pii_blocked'
  | 'storage_unavailable'
  | 'upstream_error'
  | 'upstream_timeout'
  | 'upstream_unreachable'
  | 'not_found'
  | 'method_not_allowed'
  | 'rate_limit_exceeded'
  | 'budget_exceeded'
  | 'anomaly_blocked'
  | 'limits_unavailable'
  | 'internal_error'

export class GatewayError extends Error {
  override readonly name = 'GatewayError'
  readonly status: ContentfulStatusCode
  readonly reason: ErrorReason
  /** The request field at fault, e.g. `messages.0.role`. */
  readonly param: string | null

  constructor(status: ContentfulStatusCode, reason: ErrorReason, message: string, param: string | null = null, cause?: unknown) {
    super(message, { cause })
    this.status = status
    this.reason = reason
    this.param = param
  }
}

/** OpenAI's `error.type` for each reason; SDKs map the HTTP status to their exception classes. */
function typeOf(reason: ErrorReason): string {
  switch (reason) {
    case 'missing_api_key':
    case 'invalid_api_key':
      return 'authentication_error'
    case 'model_not_allowed':
    case 'rule_blocked':
      return 'permission_error'
    case 'invalid_json':
    case 'invalid_request':
    case 'payload_too_large':
    case 'unsupported_media_type':
    case 'model_not_found':
    case 'wrong_endpoint':
    case 'not_found':
    case 'method_not_allowed':
    case 'pii_blocked':
      return 'invalid_request_error'
    case 'no_provider_available':
    case 'upstream_error':
    case 'upstream_timeout':
    case 'upstream_unreachable':
      return 'upstream_error'
    case 'rate_limit_exceeded':
    case 'anomaly_blocked':
      return 'requests'
    case 'budget_exceeded':
      return 'insufficient_quota'
    case 'limits_unavailable':
    case 'internal_error':
    case 'storage_unavailable':
      return 'server_error'
  }
}

export function errorBody(error: GatewayError): { error: { message: string; type: string; param: string | null; code: string } } {
  return { error: { message: scrubSecrets(error.message), type: typeOf(error.reason), param: error.param, code: error.reason } }
}

export function toErrorResponse(e: unknown, c: Context<AppEnv>): Response {
  const error =
    e instanceof GatewayError ? e : new GatewayError(500, 'internal_error', 'The gateway failed unexpectedly; the request id identifies it in the logs.', null, e)
  if (error.status >= 500 && error.reason === 'internal_error') {
    // The stack goes to Workers logs (never the body); it names no secrets, only code locations.
    console.error(JSON.stringify({ requestId: c.get('requestId'), error: scrubSecrets(String(e)), stack: scrubSecrets(String((e as Error)?.stack ?? '')) }))
    reportError(c.env, executionCtxOf(c), e, { request_id: c.get('requestId') ?? 'none', path: new URL(c.req.url).pathname.slice(0, 200) }) // Sentry, when SENTRY_DSN is set
  }
  c.get('facts') && Object.assign(c.get('facts'), { status: error.status, errorCode: error.reason })
  if (speaksAnthropic(new URL(c.req.url).pathname))
    return c.json(anthropicErrorBody(error.status, error.reason, scrubSecrets(error.message), c.get('requestId')), error.status)
  return c.json(errorBody(error), error.status)
}

/** `/v1/messages` and what lies under it answer in Anthropic's shape; nothing else does. */
const speaksAnthropic = (path: string): boolean => path === '/v1/messages' || path.startsWith('/v1/messages/')

function executionCtxOf(c: Context<AppEnv>): { waitUntil(p: Promise<unknown>): void } | undefined {
  try {
    return c.executionCtx
  } catch {
    return undefined // app.request() without a context
  }
}

export function notFound(c: Context<AppEnv>): Response {
  return toErrorResponse(new GatewayError(404, 'not_found', `No route for ${c.req.method} ${new URL(c.req.url).pathname}`), c)
}
