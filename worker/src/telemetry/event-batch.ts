/**
 * Producer side, batched per isolate: the events of requests that end within a short window go
 * to the EVENTS queue in one `sendBatch` instead of one `send` each (a queue call per request was
 * ~0.4 ms of CPU on a miss, README "Performance"). The request that opens a batch sends it from
 * its own `waitUntil` when the window closes, and a request that finds it full sends it at once
 * from its own, so every batch is sent inside a live `waitUntil` and nothing is lost; each request
 * only awaits work it started itself (no promise crosses request contexts). If the queue refuses a
 * batch, each event falls back as a single send does (send-event.ts): straight to the sinks, else
 * a dead-letter log line.
 *
 * Within Cloudflare Queues' limits: at most 100 messages and 256 KB a batch, 128 KB a message
 * (each with ~100 bytes of metadata); an event over half a batch is sent on its own.
 */
import { utf8Bytes } from '../governance/estimate.ts'
import { registerCache } from '../lib/isolate-caches.ts'
import type { UsageEvent } from './event.ts'
import { sendEvent, storeDirect, type SendDeps } from './send-event.ts'

export const MAX_BATCH_MESSAGES = 100
/** 256 KB less room for error in the estimate. */
export const MAX_BATCH_BYTES = 250_000
const MESSAGE_OVERHEAD_BYTES = 100
/** How long a batch stays open after its first event: telemetry a little later, never the response. */
export const BATCH_WINDOW_MS = 20

interface Batch {
  items: { event: UsageEvent; deps: SendDeps }[]
  bytes: number
  sent: boolean
}

// One open batch per queue binding (one in a deployment; tests bind others), each bounded above.
const open = new WeakMap<Queue, Batch>()
let waiting = 0
registerCache('telemetry-batch', { size: () => waiting, bound: MAX_BATCH_MESSAGES, unit: 'entries' })

/**
 * Adds the event to its queue's open batch. Resolves once whatever this call made itself
 * responsible for is sent (its batch, when it opened or filled one); pass it to `waitUntil`.
 */
export function queueEvent(event: UsageEvent, deps: SendDeps, windowMs = BATCH_WINDOW_MS): Promise<void> {
  // No batch for an event over half a batch, nor for a binding that cannot take one (a missing or
  // partial stub): a single send, with its own fallbacks.
  const bytes = utf8Bytes(JSON.stringify(event)) + MESSAGE_OVERHEAD_BYTES
  if (bytes > MAX_BATCH_BYTES / 2 || typeof deps.queue?.sendBatch !== 'function') return sendEvent(event, deps).then(() => undefined)
  const work: Promise<void>[] = []
  let batch = open.get(deps.queue)
  if (batch && (batch.items.length >= MAX_BATCH_MESSAGES || batch.bytes + bytes > MAX_BATCH_BYTES)) {
    work.push(send(deps.queue, batch)) // full: this request sends it now
    batch = undefined
  }
  if (!batch) {
    const opened: Batch = { items: [], bytes: 0, sent: false }
    open.set(deps.queue, opened)
    work.push(new Promise((resolve) => setTimeout(resolve, windowMs)).then(() => send(deps.queue, opened)))
    batch = opened
  }
  batch.items.push({ event, deps })
  batch.bytes += bytes
  waiting++
  return Promise.all(work).then(() => undefined)
}

async function send(queue: Queue, batch: Batch): Promise<void> {
  if (batch.sent) return
  batch.sent = true
  if (open.get(queue) === batch) open.delete(queue)
  waiting -= batch.items.length
  try {
    await queue.sendBatch(batch.items.map(({ event }) => ({ body: event, contentType: 'json' as const })))
  } catch (e) {
    await Promise.all(batch.items.map(({ event, deps }) => storeDirect(event, deps, e)))
  }
}
