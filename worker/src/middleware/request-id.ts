/**
 * Gives every request the gateway's own id (a fresh UUID: the telemetry key everywhere — D1,
 * Postgres, rollups, feedback, ledgers), starts its clock and its facts record, and returns the id
 * as `X-WatchLLM-Request-Id`. A client's `X-Request-Id` is only a label: kept beside the event in
 * its own field and echoed back when sane, never a key — reusing one can neither hide a request's
 * usage nor touch another request's rows.
 *
 * @example app.use('*', requestId())
 */
import type { MiddlewareHandler } from 'hono'
import type { AppEnv } from '../env.ts'
import { newFacts } from '../telemetry/request-facts.ts'

const saneId = /^[\w.:-]{8,128}$/

export function requestId(now: () => number = Date.now): MiddlewareHandler<AppEnv> {
  return async function requestIdStage(c, next) {
    const id = crypto.randomUUID()
    const given = c.req.header('x-request-id')
    const clientId = given && saneId.test(given) ? given : undefined
    c.set('requestId', id)
    c.set('startedAt', now())
    c.set('facts', newFacts())
    if (clientId) c.get('facts').clientRequestId = clientId
    await next()
    c.res.headers.set('X-WatchLLM-Request-Id', id)
    if (clientId) c.res.headers.set('X-Request-Id', clientId)
  }
}
