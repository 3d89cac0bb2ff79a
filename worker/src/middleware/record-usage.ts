/**
 * Telemetry: after the pipeline has answered, prices the answer, sets `X-WatchLLM-Cost-USD` when
 * the usage is already known (JSON answers, cache hits), and sends one usage event per
 * authenticated /v1 request to the EVENTS queue inside `waitUntil` — never on the response path —
 * batched with the other requests of a short window (telemetry/event-batch.ts).
 * A stream's usage is known only at its end, so its event waits (off the response path) for
 * `c.get('answer')`; a stream cannot carry its cost in headers, the event has it.
 *
 * @example app.use('/v1/*', recordUsage(policy))
 */
import type { Context, MiddlewareHandler } from 'hono'
import type { AppEnv, StoredAnswer } from '../env.ts'
import type { CompiledPolicy } from '../policy/compile.ts'
import { buildEvent, type EventCost, type EventEndpoint } from '../telemetry/build-event.ts'
import type { UsageEvent } from '../telemetry/event.ts'
import { costHeaders, costOf } from '../telemetry/cost.ts'
import { answerText, promptText } from '../telemetry/logged-text.ts'
import { telemetryUserId } from '../telemetry/redact.ts'
import { queueEvent } from '../telemetry/event-batch.ts'
import { sinksOf, telemetryEnabled } from '../telemetry/sinks.ts'

const saneSession = /^[\w.:@-]{1,128}$/
/** How long after the response the event's work starts (see below). */
const SEND_DELAY_MS = 5

export function recordUsage(policy: CompiledPolicy, now: () => number = Date.now): MiddlewareHandler<AppEnv> {
  return async function recordUsageStage(c, next) {
    await next()
    // Only authenticated calls to an inference endpoint make events: unauthenticated noise
    // must not be able to fill the telemetry store.
    const caller = c.get('caller')
    const endpoint = endpointOf(c)
    if (!caller || !endpoint || !telemetryEnabled(c.env)) return

    const facts = c.get('facts')
    const respondedAt = now()
    // Usage known now (JSON answer, cache hit) is final: price it once, for the header and the event.
    const knownCost = facts.usage ? costOf(policy, c, facts) : undefined
    if (knownCost) for (const [name, value] of Object.entries(costHeaders(knownCost))) c.res.headers.set(name, value)

    const pending = c.get('answer')
    const limits = c.get('limits')
    const httpStatus = c.res.status
    let built: (event: UsageEvent | undefined) => void = () => undefined
    c.set('usageEvent', new Promise<UsageEvent | undefined>((resolve) => (built = resolve)))
    const work = (async () => {
      // Start only once the answer is on its way: the runtime writes the response over several
      // event-loop turns, and the queue send (locally: a broker in the same process) must not
      // interleave with them. Timers cost no CPU; the event is a few ms later, nothing else.
      await new Promise((resolve) => setTimeout(resolve, SEND_DELAY_MS))
      // A stream settles at its end; its facts (usage, completion) are final only then.
      const answer: StoredAnswer | undefined = pending ? await pending.catch(() => undefined) : undefined
      // With anomaly detection, whether this request tripped one is known once its settlement is answered (bounded).
      await limits?.settled
      const endedAt = pending && facts.stream ? now() : respondedAt
      const cost: EventCost = knownCost ?? costOf(policy, c, facts)
      const logText = c.get('project')?.telemetry.log_prompts === true
      const maxChars = c.get('project')?.telemetry.max_logged_chars ?? 0
      const body = c.get('body')
      const event = buildEvent({
        requestId: c.get('requestId'),
        startedAt: c.get('startedAt'),
        endedAt,
        project: caller.project,
        keyId: caller.keyId,
        endpoint,
        httpStatus,
        facts,
        cost,
        policyHash: policy.hash,
        session: sessionOf(c.req.header('x-watchllm-session')),
        userId: telemetryUserId(typeof body?.user === 'string' ? body.user : undefined),
        prompt: logText && body ? promptText(body, maxChars) : null,
        answer: logText && answer ? answerText(answer, maxChars) : null,
      })
      built(event)
      await queueEvent(event, { queue: c.env.EVENTS, sinks: sinksOf(c.env) }) // one sendBatch per short window (event-batch.ts)
    })().catch((e: unknown) => console.error(JSON.stringify({ telemetry: 'event_failed', request_id: c.get('requestId'), error: String(e) })))
    void work.finally(() => built(undefined)) // an event that failed to build still releases the log line
    waitUntil(c, work)
  }
}

const endpointOfPath: Record<string, EventEndpoint> = {
  '/v1/chat/completions': 'chat',
  '/v1/embeddings': 'embeddings',
  '/v1/messages': 'messages',
  '/v1/responses': 'responses',
}

function endpointOf(c: Context<AppEnv>): EventEndpoint | undefined {
  if (c.req.method !== 'POST') return undefined
  // By path: the request may have failed before `validate` named it (bad JSON, say); count_tokens makes no event.
  const byPath = endpointOfPath[new URL(c.req.url).pathname]
  return byPath === undefined ? undefined : (c.get('native')?.shape ?? c.get('endpoint') ?? byPath)
}

const sessionOf = (header: string | undefined): string | null => (header && saneSession.test(header) ? header : null)

function waitUntil(c: Context<AppEnv>, work: Promise<void>): void {
  try {
    c.executionCtx.waitUntil(work)
  } catch {
    // `app.request()` without an execution context (unit tests): the work still runs, unawaited.
  }
}
