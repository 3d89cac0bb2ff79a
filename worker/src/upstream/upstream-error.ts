/**
 * Why an upstream call failed, in the terms failover decides on. Adapters convert their SDK's
 * errors with `toUpstreamError`, so failover never needs to know which SDK threw.
 */
import { scrubSecrets } from '../lib/scrub.ts'

export type UpstreamFailure = 'http' | 'timeout' | 'network' | 'protocol'

export class UpstreamError extends Error {
  override readonly name = 'UpstreamError'
  readonly kind: UpstreamFailure
  /** The provider's HTTP status; 0 when there was no response. */
  readonly status: number
  /** The provider's own error type/code when it sent one (e.g. `rate_limit_error`). */
  readonly code: string | undefined
  /** The provider's `Retry-After` (seconds or an HTTP date) on a 429 or 503, passed on to the client. */
  readonly retryAfter: string | undefined

  constructor(kind: UpstreamFailure, status: number, message: string, code?: string, retryAfter?: string) {
    super(message)
    this.kind = kind
    this.status = status
    this.code = code
    this.retryAfter = retryAfter
  }
}

/** Converts whatever an official SDK (openai, @anthropic-ai/sdk, groq-sdk) or fetch threw. */
export function toUpstreamError(e: unknown, signal?: AbortSignal): UpstreamError {
  if (e instanceof UpstreamError) return e
  if (signal?.aborted) return new UpstreamError('timeout', 0, 'upstream timed out')
  const err = e as { name?: string; status?: unknown; message?: unknown; error?: unknown; code?: unknown }
  const name = typeof err?.name === 'string' ? err.name : ''
  if (name.includes('Timeout') || name === 'AbortError' || name === 'TimeoutError')
    return new UpstreamError('timeout', 0, 'upstream timed out')
  if (typeof err?.status === 'number')
    return new UpstreamError('http', err.status, scrubSecrets(messageOf(err)), codeOf(err), retryAfterOf(err as { headers?: unknown }))
  // The SDKs' APIConnectionError keeps `name` 'Error'; its class name says what it is (names are kept in the bundle).
  const className = String((e as { constructor?: { name?: unknown } } | null)?.constructor?.name ?? '')
  if (name.includes('Connection') || className.includes('Connection') || e instanceof TypeError)
    return new UpstreamError('network', 0, 'could not reach the upstream provider')
  return new UpstreamError('protocol', 0, scrubSecrets(messageOf(err)).slice(0, 300))
}

function messageOf(err: { message?: unknown; error?: unknown }): string {
  // SDK errors carry the provider's JSON body in `error`; prefer its message over the SDK's prefix.
  const body = err.error as { message?: unknown; error?: { message?: unknown } } | undefined
  const inner = body?.error?.message ?? body?.message ?? err.message
  return typeof inner === 'string' ? inner.slice(0, 500) : 'upstream error'
}

function codeOf(err: { error?: unknown; code?: unknown }): string | undefined {
  const body = err.error as { type?: unknown; code?: unknown; error?: { type?: unknown; code?: unknown } } | undefined
  const code = body?.error?.code ?? body?.error?.type ?? body?.code ?? body?.type ?? err.code
  return typeof code === 'string' ? code : undefined
}

/** SDK errors keep the response headers (a `Headers` object, or a plain record in older SDKs). */
function retryAfterOf(err: { headers?: unknown }): string | undefined {
  const headers = err.headers
  const value = headers instanceof Headers ? headers.get('retry-after') : (headers as Record<string, unknown> | undefined)?.['retry-after']
  return typeof value === 'string' && /^[\w ,:-]{1,64}$/.test(value) ? value : undefined
}
