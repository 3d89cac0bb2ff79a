/**
 * Producer side: hands one event to the EVENTS queue. Called inside `waitUntil`, never on the
 * response path. If the queue refuses it, the event is written straight to the sinks the consumer
 * would have used; if that fails too, the whole event goes to the Worker's logs as a dead letter
 * (Workers Logs keeps it, so it is counted and can be replayed) — never silently dropped.
 */
import type { UsageEvent } from './event.ts'
import { writeEvents, type Sinks } from './sinks.ts'

export type SendOutcome = 'queued' | 'written_direct' | 'logged_dead_letter'

export interface SendDeps {
  queue: Queue
  sinks: Sinks
  log?: (line: string) => void
}

export async function sendEvent(event: UsageEvent, deps: SendDeps): Promise<SendOutcome> {
  try {
    await deps.queue.send(event, { contentType: 'json' })
    return 'queued'
  } catch (e) {
    return storeDirect(event, deps, e)
  }
}

/** The queue refused the event: straight to the sinks, else to the logs as a dead letter. */
export async function storeDirect(event: UsageEvent, deps: SendDeps, queueError: unknown): Promise<Exclude<SendOutcome, 'queued'>> {
  const log = deps.log ?? ((line: string) => console.error(line))
  try {
    await writeEvents(deps.sinks, [event])
    log(JSON.stringify({ telemetry: 'queue_send_failed', request_id: event.request_id, fallback: 'written_direct', error: messageOf(queueError) }))
    return 'written_direct'
  } catch (e) {
    log(JSON.stringify({ telemetry: 'dead_letter', reason: 'queue_and_store_unavailable', error: `${messageOf(queueError)}; ${messageOf(e)}`, event }))
    return 'logged_dead_letter'
  }
}

const messageOf = (e: unknown): string => (e instanceof Error ? e.message : String(e)).slice(0, 300)
