/**
 * Errors in Anthropic's shape, for /v1/messages: `{"type":"error","error":{"type","message"},
 * "request_id"}` with the status codes the `@anthropic-ai/sdk` maps to its error classes (401
 * AuthenticationError, 403 PermissionDeniedError, 404 NotFoundError, 413, 429 RateLimitError, 5xx).
 */
import type { ErrorReason } from '../../errors.ts'

export function anthropicErrorType(status: number, reason: ErrorReason): string {
  if (reason === 'budget_exceeded' || reason === 'rate_limit_exceeded') return 'rate_limit_error'
  if (reason === 'upstream_timeout') return 'timeout_error'
  switch (status) {
    case 401:
      return 'authentication_error'
    case 403:
      return 'permission_error'
    case 404:
      return 'not_found_error'
    case 413:
      return 'request_too_large'
    case 429:
      return 'rate_limit_error'
    case 529:
      return 'overloaded_error'
    default:
      return status >= 500 ? 'api_error' : 'invalid_request_error'
  }
}

export function anthropicErrorBody(status: number, reason: ErrorReason, message: string, requestId: string | undefined): Record<string, unknown> {
  return { type: 'error', error: { type: anthropicErrorType(status, reason), message }, request_id: requestId ?? null }
}
