/**
 * The queue consumer against the real local D1 and the run's own Postgres: batches written to both,
 * idempotent redelivery, and the fault paths — D1 or Postgres down means retry, never an ack; the
 * dead-letter queue records what ran out of retries.
 */
import { createExecutionContext, createMessageBatch, getQueueResult } from 'cloudflare:test'
import { describe, expect, it } from 'vitest'
import type { GatewayEnv } from '../../src/env.ts'
import { consumeEvents, retryDelaySeconds } from '../../src/telemetry/consume-events.ts'
import type { UsageEvent } from '../../src/telemetry/event.ts'
import { d1DeadLetters, d1Events, d1Rollups, downPostgres, failingD1, genv, postgresEvents, sampleEvent, uniqueProject } from './helpers.ts'

const MINUTE = 60_000

function batchOf(events: unknown[], queue = 'watchllm-events', attempts = 1) {
  return createMessageBatch(
    queue,
    events.map((body, i) => ({ id: `msg-${i}-${crypto.randomUUID()}`, timestamp: Date.now(), attempts, body })),
  )
}

async function consume(events: unknown[], env: GatewayEnv = genv, queue?: string, attempts?: number) {
  const batch = batchOf(events, queue, attempts)
  const ctx = createExecutionContext()
  await consumeEvents(batch, env)
  return { batch, result: await getQueueResult(batch, ctx) }
}

describe('the telemetry consumer', () => {
  it('writes a batch to D1 and Postgres, rolls it up per minute, and acks every message', async () => {
    const project = uniqueProject()
    const minute = Math.floor(Date.now() / MINUTE) * MINUTE
    const events: UsageEvent[] = [
      sampleEvent({ project, ts: minute + 1_000, cost_usd: 0.001, latency_ms: 10 }),
      sampleEvent({ project, ts: minute + 2_000, cost_usd: 0.002, latency_ms: 30, stream: true, pii: ['email'] }),
      sampleEvent({ project, ts: minute + 3_000, cache: 'HIT', cost_usd: 0, cost_saved_usd: 0.0015, latency_ms: 1 }),
      sampleEvent({ project, ts: minute + 4_000, status: 404, error_code: 'model_not_found', cache: null, input_tokens: 0, output_tokens: 0, cost_usd: null, price_status: 'none' }),
    ]
    const { batch, result } = await consume(events)
    expect(result.explicitAcks.sort()).toEqual(batch.messages.map((m) => m.id).sort())
    expect(result.retryMessages).toEqual([])

    const rows = await d1Events(project)
    expect(rows.map((r) => r.request_id)).toEqual(events.map((e) => e.request_id))
    expect(rows[1]).toMatchObject({ stream: 1, pii: '["email"]', latency_ms: 30, cost_usd: 0.002 })
    expect(rows[3]).toMatchObject({ status: 404, error_code: 'model_not_found', cost_usd: null })

    const rollups = await d1Rollups(project)
    const miss = rollups.find((r) => r.cache === 'MISS')
    expect(miss).toMatchObject({ minute, requests: 2, errors: 0, input_tokens: 200, latency_ms_sum: 40 })
    expect(miss?.cost_usd).toBeCloseTo(0.003, 12)
    expect(rollups.find((r) => r.cache === 'HIT')).toMatchObject({ requests: 1, cost_usd: 0, cost_saved_usd: 0.0015 })
    expect(rollups.find((r) => r.cache === '')).toMatchObject({ requests: 1, errors: 1 })

    const pg = await postgresEvents(project)
    expect(pg.map((r) => r.request_id)).toEqual(events.map((e) => e.request_id))
    expect(pg[1]).toMatchObject({ stream: true, pii: ['email'], cost_usd: 0.002 })
    expect((pg[0]!.ts as Date).getTime()).toBe(minute + 1_000)
  })

  it('redelivering the same batch changes nothing: rows and rollups stay as they were', async () => {
    const project = uniqueProject()
    const events = [sampleEvent({ project }), sampleEvent({ project })]
    await consume(events)
    const before = await d1Rollups(project)
    const { result } = await consume(events, genv, undefined, 2)
    expect(result.explicitAcks).toHaveLength(2)
    expect(await d1Events(project)).toHaveLength(2)
    expect(await d1Rollups(project)).toEqual(before)
    expect(before[0]).toMatchObject({ requests: 2 })
    expect(await postgresEvents(project)).toHaveLength(2)
  })

  it('D1 unavailable: nothing is acked, every message is retried, and a later delivery writes them', async () => {
    const project = uniqueProject()
    const events = [sampleEvent({ project }), sampleEvent({ project })]
    const { result } = await consume(events, { ...genv, DB: failingD1() }, undefined, 3)
    expect(result.explicitAcks).toEqual([])
    expect(result.retryMessages).toHaveLength(2)

    const again = await consume(events, genv, undefined, 4)
    expect(again.result.explicitAcks).toHaveLength(2)
    expect(await d1Events(project)).toHaveLength(2)
  })

  it('Postgres down: the batch is retried, and the D1 rows already written are not counted twice', async () => {
    const project = uniqueProject()
    const events = [sampleEvent({ project }), sampleEvent({ project })]
    const down = await consume(events, { ...genv, HYPERDRIVE: downPostgres })
    expect(down.result.explicitAcks).toEqual([])
    expect(down.result.retryMessages).toHaveLength(2)
    expect(await d1Events(project)).toHaveLength(2)

    const up = await consume(events, genv, undefined, 2)
    expect(up.result.explicitAcks).toHaveLength(2)
    expect(await postgresEvents(project)).toHaveLength(2)
    expect((await d1Rollups(project))[0]).toMatchObject({ requests: 2 })
  })

  it('TELEMETRY_POSTGRES=off writes D1 only, even with Postgres down', async () => {
    const project = uniqueProject()
    const env = { ...genv, HYPERDRIVE: downPostgres, TELEMETRY_POSTGRES: 'off' } as GatewayEnv
    const { result } = await consume([sampleEvent({ project })], env)
    expect(result.explicitAcks).toHaveLength(1)
    expect(await d1Events(project)).toHaveLength(1)
  })

  it('a message that is not a valid event is dead-lettered at once, not retried; the valid ones are written', async () => {
    const project = uniqueProject()
    const good = sampleEvent({ project })
    const bad = { ...sampleEvent({ project }), status: 'teapot' }
    const { batch, result } = await consume([good, bad, 'not even an object'])
    expect(result.explicitAcks).toHaveLength(3)
    expect(await d1Events(project)).toHaveLength(1)
    const letters = await d1DeadLetters([bad.request_id, `message:${batch.messages[2]!.id}`])
    expect(letters.map((l) => l.reason)).toEqual(['invalid_event', 'invalid_event'])
    expect(JSON.parse(letters.find((l) => l.id === bad.request_id)!.event as string)).toMatchObject({ status: 'teapot' })
  })

  it('the dead-letter queue records each event as dead-lettered and still counts it in D1', async () => {
    const project = uniqueProject()
    const events = [sampleEvent({ project }), sampleEvent({ project })]
    const { result } = await consume(events, genv, 'watchllm-events-dlq', 6)
    expect(result.ackAll).toBe(true)
    const letters = await d1DeadLetters(events.map((e) => e.request_id))
    expect(letters).toHaveLength(2)
    expect(letters[0]).toMatchObject({ reason: 'retries_exhausted', attempts: 6 })
    expect(await d1Events(project)).toHaveLength(2)
  })

  it('backs off exponentially between retries, at most a minute', () => {
    expect([1, 2, 3, 5, 6, 10].map(retryDelaySeconds)).toEqual([2, 4, 8, 32, 60, 60])
  })

  it('the dead-letter queue retries when D1 is down too', async () => {
    const { result } = await consume([sampleEvent()], { ...genv, DB: failingD1() }, 'watchllm-events-dlq')
    expect(result.ackAll).toBe(false)
    expect(result.retryBatch.retry).toBe(true)
  })
})
