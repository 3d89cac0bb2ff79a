/**
 * Anthropic's server-sent events: every event names its type twice (`event:` line and `type`
 * field; the SDK skips events without the `event:` line), and errors travel as `event: error`,
 * which the SDK raises as an APIError carrying the error's `type`.
 */
const encoder = new TextEncoder()

export function anthropicEvent(type: string, data: Record<string, unknown> = {}): Uint8Array {
  return encoder.encode(`event: ${type}\ndata: ${JSON.stringify({ type, ...data })}\n\n`)
}

/** Anthropic's error `type` for a gateway or OpenAI-style error code met mid-stream. */
export function anthropicErrorType(code: string | null | undefined, fallback = 'api_error'): string {
  switch (code) {
    case 'budget_exceeded':
      return 'billing_error'
    case 'rate_limit_exceeded':
    case 'rate_limit_error':
      return 'rate_limit_error'
    case 'upstream_timeout':
    case 'timeout':
    case 'timeout_error':
      return 'timeout_error'
    case 'overloaded_error':
      return 'overloaded_error'
    case 'invalid_request_error':
      return 'invalid_request_error'
    default:
      return fallback
  }
}

export function anthropicErrorEvent(message: string, code: string | null | undefined): Uint8Array {
  return anthropicEvent('error', { error: { type: anthropicErrorType(code), message } })
}
