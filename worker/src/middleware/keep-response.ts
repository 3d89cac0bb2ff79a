/**
 * Keeps each Response the gateway answers (fresh or from a cache) in the project's store, after the
 * answer and off the response path (`waitUntil`; a stream's at its end), unless the request said
 * `store: false` or the project keeps none (`responses.retention_days: 0`). What is kept is what
 * the provider saw and said: redacted, never the restored values.
 *
 * @example app.post('/v1/responses', validate(…), resolveRoute(policy), guard, limit, keepResponse(), cache, …)
 */
import type { MiddlewareHandler } from 'hono'
import type { AppEnv } from '../env.ts'
import { inputItems } from '../shapes/responses/to-chat.ts'
import { saveResponse } from '../shapes/responses/store.ts'

const DAY_MS = 86_400_000

export function keepResponse(now: () => number = Date.now): MiddlewareHandler<AppEnv> {
  return async function keepResponseStage(c, next) {
    await next()
    const native = c.get('native')
    const retention = c.get('project').responses.retention_days * DAY_MS
    if (!native || native.body.store === false || retention <= 0 || c.res.status !== 200 || !c.env.DB) return
    const db = c.env.DB
    const pending = c.get('hit') ? Promise.resolve(c.get('hit')) : c.get('answer')
    if (!pending) return
    const work = pending
      .then(async (answer) => {
        if (!answer?.native) return // a stream cut short keeps nothing
        const response = JSON.parse(answer.native) as Record<string, unknown>
        const previous = native.body.previous_response_id
        await saveResponse(
          db,
          {
            project: c.get('caller').project,
            keyId: c.get('caller').keyId,
            id: String(response.id),
            previousId: typeof previous === 'string' ? previous : null,
            input: inputItems(native.body.input),
            response,
          },
          retention,
          now(),
        )
      })
      .catch((e: unknown) => console.error(JSON.stringify({ responses: 'store_failed', request_id: c.get('requestId'), error: String(e) })))
    try {
      c.executionCtx.waitUntil(work)
    } catch {
      // `app.request()` without an execution context (unit tests): the work still runs, unawaited.
    }
  }
}
