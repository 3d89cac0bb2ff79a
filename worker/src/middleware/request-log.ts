/**
 * Writes one JSON line per request to the Worker's logs (telemetry/log-line.ts), after the answer
 * and off the response path: when telemetry makes a usage event (authenticated /v1 calls), the line
 * waits for it inside `waitUntil` so a stream's tokens and cost are in it; anything else (health,
 * admin, a refused key) is logged from the facts at once. `WATCHLLM_REQUEST_LOG=off` switches it off.
 *
 * @example app.use('*', requestLog())
 */
import type { Context, MiddlewareHandler } from 'hono'
import { secretOf, type AppEnv } from '../env.ts'
import { lineFromEvent, lineFromFacts } from '../telemetry/log-line.ts'

export function requestLog(now: () => number = Date.now): MiddlewareHandler<AppEnv> {
  return async function requestLogStage(c, next) {
    await next()
    if (secretOf(c.env, 'WATCHLLM_REQUEST_LOG') === 'off') return
    const method = c.req.method
    const path = c.req.path
    const pending = c.get('usageEvent')
    if (pending) {
      waitUntil(c, pending.then((event) => event && console.log(JSON.stringify(lineFromEvent(event, { method, path })))))
      return
    }
    const caller = c.get('caller')
    const line = lineFromFacts(c.get('facts'), {
      requestId: c.get('requestId'),
      method,
      path,
      status: c.res.status,
      latencyMs: now() - c.get('startedAt'),
      project: caller?.project,
      keyId: caller?.keyId,
    })
    console.log(JSON.stringify(line))
  }
}

function waitUntil(c: Context<AppEnv>, work: Promise<unknown>): void {
  const logged = work.catch(() => undefined)
  try {
    c.executionCtx.waitUntil(logged)
  } catch {
    // `app.request()` without an execution context (unit tests): the line is still written.
  }
}
