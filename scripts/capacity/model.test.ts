/**
 * The capacity model's arithmetic, checked by hand on simple inputs, and the D1 measurement it
 * relies on, run for real (the worker's own writer and migrations over node:sqlite).
 */
import { describe, expect, it } from 'vitest'
import { measureEventCost } from './measure-d1-event.ts'
import { ASSUMPTIONS, LIMITS, capacityTable, firstLimit, limitRates, resourcesAt, type Assumptions } from './model.ts'

const simple: Assumptions = {
  ...ASSUMPTIONS,
  exactHitRate: 0.5,
  localHitShare: 0.5,
  semanticShare: 0.5,
  semanticHitRate: 0.2,
  errorShare: 0,
  d1BytesPerEvent: 1_000,
  d1RowsPerEvent: 5,
  eventsPerBatch: 100,
  msPerBatch: 10,
  retentionDays: 10,
  semanticEntryBytes: 0,
  semanticTtlDays: 1,
  busiestProjectShare: 1,
  requestsPerIsolate: 50,
  ledgerAdmitShare: 0.1,
  settleBatchMs: 50,
  hotKeyShare: 0.01,
}

describe('resourcesAt', () => {
  it('counts what each resource sees at 1,000 req/s, by hand', () => {
    const l = resourcesAt(1_000, simple)
    // 500 misses; 250 semantic lookups, 50 semantic hits; 450 answered upstream and stored; 200 vectors.
    expect(l.queueMessagesPerSec).toBe(1_000)
    expect(l.kvWritesPerSec).toBe(450)
    expect(l.kvReadsPerSec).toBe(750) // a quarter of requests are answered in the data centre
    expect(l.workersAiEmbeddingsPerSec).toBe(250)
    expect(l.vectorizeInsertsPerSec).toBe(200)
    expect(l.vectorizeVectors).toBe(200 * 86_400)
    expect(l.upstashCommandsPerSec).toBe(750 + 450)
    expect(l.d1RowsWrittenPerDay).toBe(1_000 * 86_400 * 5 + 200 * 86_400)
    expect(l.d1GbPerDay).toBeCloseTo(86.4, 6)
    expect(l.d1StoredGb).toBeCloseTo(864, 6)
    expect(l.d1BusySecondsPerSec).toBeCloseTo(0.1, 9) // 10 batches of 10 ms
    // 20 isolates settle at most 20 times a second each (400), plus 100 lease misses.
    expect(l.ledgerRequestsPerSec).toBe(500)
    expect(l.kvWritesPerSecHotKey).toBe(10)
  })

  it('one isolate below its batch window settles every request', () => {
    expect(resourcesAt(10, simple).ledgerRequestsPerSec).toBe(10 + 1)
  })
})

describe('limits', () => {
  it('finds the rate at which each documented limit is reached, first one first', () => {
    const rates = limitRates(simple)
    const at = (r: string) => rates.find((x) => x.limit.resource === r)!.rps
    expect(at('queue_messages')).toBeCloseTo(5_000, 6)
    expect(at('workers_ai_embeddings')).toBeCloseTo(200, 6) // 50/s at a quarter of the traffic
    expect(at('kv_writes_hot_key')).toBeCloseTo(100, 6)
    expect(at('ledger_requests')).toBeCloseTo(2_000, 6)
    expect(at('d1_storage_gb')).toBeCloseTo(10e9 / (86_400 * 1_000 * 10), 6)
    expect(rates.map((r) => r.rps)).toEqual([...rates.map((r) => r.rps)].sort((a, b) => a - b))
    expect(firstLimit(simple).limit).toBe(LIMITS.d1_storage_gb)
  })

  it('without raw events in D1 and with no semantic cache, the hottest key is the first limit', () => {
    const first = firstLimit({ ...simple, d1BytesPerEvent: 0, semanticShare: 0 })
    expect(first.limit.resource).toBe('kv_writes_hot_key')
    expect(first.rps).toBeCloseTo(1 / simple.hotKeyShare, 6)
  })

  it('every limit names its source page and the change that lifts it', () => {
    for (const limit of Object.values(LIMITS)) {
      expect(limit.source).toMatch(/^https:\/\//)
      expect(limit.lift.length).toBeGreaterThan(20)
    }
  })

  it('the table marks what is over its limit', () => {
    const table = capacityTable(simple)
    expect(table).toContain('| Queue messages/s | 100 | 1,000 | **10,000** ✗ | 5,000 msg/s |')
    expect(table.split('\n')).toHaveLength(2 + 14)
  })
})

describe('measureEventCost', () => {
  it('writes events through the worker writer on the real migrations and reports their size', async () => {
    const cost = await measureEventCost(1_000)
    expect(cost.events).toBe(1_000)
    // Smaller than the JSON (no field names) but more than nothing: the rows, their indexes and rollups.
    expect(cost.bytesPerEvent).toBeGreaterThan(100)
    expect(cost.bytesPerEvent).toBeLessThan(cost.eventJsonBytes * 2)
    expect(cost.msPerBatchOf100).toBeGreaterThan(0)
  })
})
