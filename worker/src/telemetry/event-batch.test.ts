import { describe, expect, it } from 'vitest'
import { MAX_BATCH_BYTES, MAX_BATCH_MESSAGES, queueEvent } from './event-batch.ts'
import type { UsageEvent } from './event.ts'
import type { Sinks } from './sinks.ts'

const event = (id: string, pad = 0) => ({ request_id: id, prompt: 'x'.repeat(pad) }) as unknown as UsageEvent

/** A queue that records what it was given, and fails when told to. */
function recordingQueue(fail = false) {
  const batches: { body: UsageEvent; contentType?: string }[][] = []
  const singles: UsageEvent[] = []
  const queue = {
    sendBatch: async (messages: { body: UsageEvent; contentType?: string }[]) => {
      if (fail) throw new Error('simulated outage')
      batches.push(messages)
    },
    send: async (body: UsageEvent) => {
      if (fail) throw new Error('simulated outage')
      singles.push(body)
    },
  } as unknown as Queue
  return { queue, batches, singles }
}

const noSinks = { d1: {} as D1Database } satisfies Sinks

describe('queueEvent (one sendBatch per window)', () => {
  it('sends the events of one window in one batch, each once, as JSON; awaiting every call means all are sent', async () => {
    const q = recordingQueue()
    const calls = ['a', 'b', 'c'].map((id) => queueEvent(event(id), { queue: q.queue, sinks: noSinks }, 5))
    expect(q.batches).toHaveLength(0) // the window is still open
    await Promise.all(calls)
    expect(q.batches).toHaveLength(1)
    expect(q.batches[0]!.map((m) => m.body.request_id)).toEqual(['a', 'b', 'c'])
    expect(q.batches[0]!.every((m) => m.contentType === 'json')).toBe(true)
  })

  it('never puts more than 100 messages in a batch: the call that finds one full sends it at once', async () => {
    const q = recordingQueue()
    const calls = Array.from({ length: MAX_BATCH_MESSAGES + 5 }, (_, i) => queueEvent(event(`e${i}`), { queue: q.queue, sinks: noSinks }, 5))
    await Promise.all(calls)
    expect(q.batches.map((b) => b.length)).toEqual([MAX_BATCH_MESSAGES, 5])
    expect(new Set(q.batches.flat().map((m) => m.body.request_id)).size).toBe(MAX_BATCH_MESSAGES + 5)
  })

  it('keeps each batch under the byte limit, and sends an event over half a batch on its own', async () => {
    const q = recordingQueue()
    const calls = [
      ...Array.from({ length: 5 }, (_, i) => queueEvent(event(`big${i}`, 60_000), { queue: q.queue, sinks: noSinks }, 5)),
      queueEvent(event('huge', MAX_BATCH_BYTES), { queue: q.queue, sinks: noSinks }, 5),
    ]
    await Promise.all(calls)
    for (const b of q.batches) expect(JSON.stringify(b.map((m) => m.body)).length).toBeLessThanOrEqual(MAX_BATCH_BYTES)
    expect(q.batches.flat()).toHaveLength(5)
    expect(q.singles.map((e) => e.request_id)).toEqual(['huge'])
  })

  it('a refused batch falls back event by event (here: dead letters, the store is down too), none lost', async () => {
    const q = recordingQueue(true)
    const lines: string[] = []
    const failingD1 = { batch: async () => Promise.reject(new Error('D1 down')), prepare: () => ({ bind: () => ({}) }) } as unknown as D1Database
    const deps = { queue: q.queue, sinks: { d1: failingD1 }, log: (line: string) => lines.push(line) }
    await Promise.all(['x', 'y'].map((id) => queueEvent(event(id), deps, 5)))
    const letters = lines.map((l) => JSON.parse(l) as { telemetry: string; event: { request_id: string } })
    expect(letters.map((l) => [l.telemetry, l.event.request_id])).toEqual([
      ['dead_letter', 'x'],
      ['dead_letter', 'y'],
    ])
  })

  it('a binding without sendBatch (or none at all) gets single sends with their fallbacks, not a throw', async () => {
    const singles: UsageEvent[] = []
    const sendOnly = { send: async (body: UsageEvent) => void singles.push(body) } as unknown as Queue
    await queueEvent(event('s'), { queue: sendOnly, sinks: noSinks }, 5)
    expect(singles.map((e) => e.request_id)).toEqual(['s'])
    const lines: string[] = []
    await queueEvent(event('none'), { queue: undefined as unknown as Queue, sinks: noSinks, log: (l) => lines.push(l) }, 5)
    expect(lines.map((l) => (JSON.parse(l) as { telemetry: string }).telemetry)).toEqual(['dead_letter'])
  })

  it('batches per queue binding: two queues never share a batch', async () => {
    const a = recordingQueue()
    const b = recordingQueue()
    await Promise.all([queueEvent(event('1'), { queue: a.queue, sinks: noSinks }, 5), queueEvent(event('2'), { queue: b.queue, sinks: noSinks }, 5)])
    expect(a.batches.flat().map((m) => m.body.request_id)).toEqual(['1'])
    expect(b.batches.flat().map((m) => m.body.request_id)).toEqual(['2'])
  })
})
