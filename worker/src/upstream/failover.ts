/**
 * Failover: try the route's targets in order, each with its own timeout and a bounded number of
 * retries with jittered exponential backoff. A target is left on 408/409/429/5xx, timeouts and
 * connection errors (401/403 only where policy says); any other answer (a 400, say) is the
 * request's fault and goes straight back to the client. Nothing has been sent to the client while
 * this runs, so switching target is invisible to it.
 */
import { GatewayError } from '../errors.ts'
import type { ResolvedRoute, ResolvedTarget } from '../providers/types.ts'
import type { Attempt } from '../telemetry/request-facts.ts'
import { toUpstreamError, type UpstreamError } from './upstream-error.ts'

export interface FailoverOptions {
  /** Aborted when the client disconnects. */
  clientSignal?: AbortSignal
  now?: () => number
  sleep?: (ms: number) => Promise<void>
  random?: () => number
  /** Receives one record per attempt, for telemetry. */
  onAttempt?: (attempt: Attempt) => void
}

export interface Answered<T> {
  value: T
  target: ResolvedTarget
  /** Upstream time of the successful attempt (to headers for streams, to the full body for JSON). */
  ms: number
}

const MAX_BACKOFF_MS = 5_000

export async function callWithFailover<T>(
  route: ResolvedRoute,
  call: (target: ResolvedTarget, signal: AbortSignal) => Promise<T>,
  options: FailoverOptions = {},
): Promise<Answered<T>> {
  const now = options.now ?? Date.now
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)))
  const random = options.random ?? Math.random
  let last: UpstreamError | undefined

  for (const target of route.targets) {
    for (let attempt = 0; attempt <= route.retry.attempts; attempt++) {
      if (attempt > 0) await sleep(backoff(route.retry.backoffMs, attempt, random))
      if (options.clientSignal?.aborted) throw clientClosed()
      const started = now()
      const controller = new AbortController()
      const timer = setTimeout(() => controller.abort(), target.timeoutMs)
      const stopOnClientAbort = () => controller.abort()
      options.clientSignal?.addEventListener('abort', stopOnClientAbort, { once: true })
      try {
        const value = await call(target, controller.signal)
        const ms = now() - started
        options.onAttempt?.({ provider: target.provider, model: target.model, status: 200, ms })
        return { value, target, ms }
      } catch (e) {
        last = toUpstreamError(e, controller.signal)
        const clientGone = options.clientSignal?.aborted === true
        options.onAttempt?.({ provider: target.provider, model: target.model, status: last.status, ms: now() - started, error: clientGone ? 'client_closed' : last.kind })
        // The client left: no other target is tried, and the request is recorded as closed by it, not as a timeout.
        if (clientGone) throw clientClosed()
        if (!shouldFailover(last, target)) throw toGatewayError(last, target)
      } finally {
        clearTimeout(timer)
        options.clientSignal?.removeEventListener('abort', stopOnClientAbort)
      }
    }
  }
  throw toGatewayError(last ?? toUpstreamError(new Error('no target answered')), route.targets[route.targets.length - 1])
}

const clientClosed = () => new GatewayError(499 as never, 'upstream_error', 'The client closed the request.')

export function shouldFailover(error: UpstreamError, target: ResolvedTarget): boolean {
  if (error.kind !== 'http') return true
  const s = error.status
  if (s === 408 || s === 409 || s === 429 || s >= 500) return true
  if (s === 401 || s === 403) return target.config.failover_on_auth_error
  return false
}

/** Full jitter around an exponential step: spreads retries so a recovering upstream isn't stampeded. */
export function backoff(baseMs: number, attempt: number, random: () => number): number {
  const step = Math.min(MAX_BACKOFF_MS, baseMs * 2 ** (attempt - 1))
  return Math.round(step * (0.5 + random()))
}

function toGatewayError(error: UpstreamError, target: ResolvedTarget | undefined): GatewayError {
  const who = target ? `${target.provider} (${target.model})` : 'the upstream provider'
  switch (error.kind) {
    case 'timeout':
      return new GatewayError(504, 'upstream_timeout', `${who} did not answer in time.`, null, error)
    case 'network':
      return new GatewayError(502, 'upstream_unreachable', `${who} could not be reached.`, null, error)
    case 'protocol':
      return new GatewayError(502, 'upstream_error', `${who} sent an answer the gateway could not read.`, null, error)
    case 'http':
      if (error.status === 401 || error.status === 403)
        // The provider refused the gateway's own credentials: not the client's key, so not a 401.
        return new GatewayError(502, 'upstream_error', `${who} rejected the gateway's credentials (HTTP ${error.status}).`, null, error)
      if (error.status === 429) return new GatewayError(429, 'upstream_error', `${who} is rate limiting: ${error.message}`, null, error)
      if (error.status >= 400 && error.status < 500)
        return new GatewayError(error.status as 400, 'invalid_request', `${who}: ${error.message}`, null, error)
      return new GatewayError(502, 'upstream_error', `${who} failed (HTTP ${error.status}): ${error.message}`, null, error)
  }
}
