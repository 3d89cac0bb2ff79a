/**
 * Gives every request an id (the client's `X-Request-Id` when it is sane, else a new UUID), starts
 * its clock and its facts record, and returns the id as `X-WatchLLM-Request-Id`.
 *
 * @example app.use('*', requestId())
 */
import type { MiddlewareHandler } from 'hono'
import type { AppEnv } from '../env.ts'
import { newFacts } from '../telemetry/request-facts.ts'

const saneId = /^[\w.:-]{8,128}$/

export function requestId(now: () => number = Date.now): MiddlewareHandler<AppEnv> {
  return async function requestIdStage(c, next) {
    const given = c.req.header('x-request-id')
    const id = given && saneId.test(given) ? given : crypto.randomUUID()
    c.set('requestId', id)
    c.set('startedAt', now())
    c.set('facts', newFacts())
    await next()
    c.res.headers.set('X-WatchLLM-Request-Id', id)
  }
}
