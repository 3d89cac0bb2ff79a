/**
 * The queue consumer. On `watchllm-events`: validates each message, writes the valid ones in one
 * batch to every sink and acks them; on a failed write the batch is retried with backoff (writes
 * are idempotent). A message that is not a valid event can never succeed: it is recorded as a dead
 * letter at once rather than retried.
 *
 * On the dead-letter queue (messages whose retries ran out): each event is recorded in
 * `telemetry_dead_letters` — counted on the admin overview, kept whole for replay — and written to
 * D1's usage tables in the same transaction, so the admin still counts the request. Only if D1
 * itself is down are they retried again.
 *
 * @example export default { fetch: app.fetch, queue: consumeEvents } satisfies ExportedHandler<Env>
 */
import type { GatewayEnv } from '../env.ts'
import { writeDeadLettersToD1, type DeadLetter } from './d1-writer.ts'
import { usageEventSchema, type UsageEvent } from './event.ts'
import { sinksOf, writeEvents } from './sinks.ts'

/** Backoff for a retried batch: 2, 4, 8 … seconds, at most a minute. */
export const retryDelaySeconds = (attempts: number): number => Math.min(60, 2 ** Math.max(1, attempts))

export async function consumeEvents(batch: MessageBatch<unknown>, env: GatewayEnv): Promise<void> {
  const now = Date.now
  if (batch.queue.endsWith('-dlq')) return consumeDeadLetters(batch, env, now)

  const valid: { message: Message<unknown>; event: UsageEvent }[] = []
  const invalid: { message: Message<unknown>; letter: DeadLetter }[] = []
  for (const message of batch.messages) {
    const parsed = usageEventSchema.safeParse(message.body)
    if (parsed.success) valid.push({ message, event: parsed.data })
    else invalid.push({ message, letter: deadLetter(message, 'invalid_event', now()) })
  }

  if (valid.length > 0) {
    try {
      await writeEvents(sinksOf(env), valid.map((v) => v.event))
      for (const { message } of valid) message.ack()
    } catch (e) {
      log({ telemetry: 'batch_write_failed', events: valid.length, attempts: valid[0]!.message.attempts, error: String(e).slice(0, 300) })
      for (const { message } of valid) message.retry({ delaySeconds: retryDelaySeconds(message.attempts) })
    }
  }

  if (invalid.length > 0) {
    try {
      await writeDeadLettersToD1(env.DB, invalid.map((i) => i.letter))
      for (const { message } of invalid) message.ack()
    } catch {
      for (const { message } of invalid) message.retry({ delaySeconds: retryDelaySeconds(message.attempts) })
    }
  }
}

async function consumeDeadLetters(batch: MessageBatch<unknown>, env: GatewayEnv, now: () => number): Promise<void> {
  const letters = batch.messages.map((m) => deadLetter(m, 'retries_exhausted', now()))
  const events = batch.messages.flatMap((m) => {
    const parsed = usageEventSchema.safeParse(m.body)
    return parsed.success ? [parsed.data] : []
  })
  try {
    await writeDeadLettersToD1(env.DB, letters, events)
    log({ telemetry: 'dead_lettered', events: letters.length, ids: letters.map((l) => l.id).slice(0, 20) })
    batch.ackAll()
  } catch (e) {
    log({ telemetry: 'dead_letter_write_failed', events: letters.length, error: String(e).slice(0, 300) })
    batch.retryAll({ delaySeconds: retryDelaySeconds(batch.messages[0]?.attempts ?? 1) })
  }
}

function deadLetter(message: Message<unknown>, reason: DeadLetter['reason'], deadAt: number): DeadLetter {
  const body = message.body as Partial<UsageEvent> | null
  const id = typeof body?.request_id === 'string' && body.request_id.length > 0 ? body.request_id : `message:${message.id}`
  const ts = typeof body?.ts === 'number' && Number.isFinite(body.ts) ? body.ts : deadAt
  let event: string
  try {
    event = JSON.stringify(message.body) ?? 'null'
  } catch {
    event = '"(unserialisable)"'
  }
  return { id, ts, dead_at: deadAt, attempts: message.attempts, reason, event }
}

const log = (line: Record<string, unknown>) => console.error(JSON.stringify(line))
