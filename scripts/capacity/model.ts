/**
 * The capacity model: what each Cloudflare resource sees at a given request rate, which documented
 * limit is hit first, and the design change that lifts it. Pure arithmetic over named assumptions
 * (ASSUMPTIONS, each with where it comes from) and documented limits (LIMITS, each with its page);
 * `npm run capacity` prints the table for 100, 1,000 and 10,000 requests/s, and
 * `npm run capacity -- --measure` first re-measures the D1 cost of one event on this machine.
 *
 * @example const load = resourcesAt(1_000, ASSUMPTIONS); firstLimit(ASSUMPTIONS)
 */

export interface Assumptions {
  /** Share of requests answered by the exact cache (any tier). */
  exactHitRate: number
  /** Of those exact hits, the share answered in the data centre (L0 or the Cache API): no global read. */
  localHitShare: number
  /** Share of requests the semantic cache looks at (chat, semantic enabled, long enough prompt). */
  semanticShare: number
  /** Of semantic lookups (exact misses), the share answered by the semantic cache. */
  semanticHitRate: number
  /** Share of requests that end in an error (never cached). */
  errorShare: number
  /** Bytes of D1 storage one raw event takes, indexes and its share of the rollups included (measured: measure-d1-event.ts). */
  d1BytesPerEvent: number
  /** Rows D1 counts as written per event: the row, its 3 always-present indexes (primary key, ts, project+ts), the rollup upsert. */
  d1RowsPerEvent: number
  /** Events per D1 write statement (the queue consumer's batch: wrangler.jsonc max_batch_size). */
  eventsPerBatch: number
  /** Time one batch insert of `eventsPerBatch` events takes (measured in SQLite on this machine: measure-d1-event.ts). */
  msPerBatch: number
  /** `telemetry.retention_days`: how long raw events stay in D1. */
  retentionDays: number
  /** Bytes of a semantic-cache entry's D1 row (question, stored answer, metadata). */
  semanticEntryBytes: number
  /** `cache.semantic.ttl_seconds` in days: how long an entry (D1 row and vector) lives. */
  semanticTtlDays: number
  /** Share of all traffic that belongs to the busiest project: its ledger Durable Object sees this share. */
  busiestProjectShare: number
  /** Requests per second one isolate serves; the number of isolates settling with a ledger is rate / this. */
  requestsPerIsolate: number
  /** Share of requests the isolate's lease cannot cover, which ask the ledger (governance/leases.ts). */
  ledgerAdmitShare: number
  /** Settlements batch per ledger per isolate over this window (governance/settle-batch.ts BATCH_WINDOW_MS). */
  settleBatchMs: number
  /** Share of all requests that ask the single most-asked question (one exact-cache key). */
  hotKeyShare: number
}

export const ASSUMPTIONS: Assumptions = {
  exactHitRate: 0.2,
  localHitShare: 0.5,
  semanticShare: 0.5,
  semanticHitRate: 0.1,
  errorShare: 0.02,
  d1BytesPerEvent: 551,
  d1RowsPerEvent: 5,
  eventsPerBatch: 100,
  msPerBatch: 20.7,
  retentionDays: 30,
  semanticEntryBytes: 3_000,
  semanticTtlDays: 1,
  busiestProjectShare: 1,
  requestsPerIsolate: 50,
  ledgerAdmitShare: 0.05,
  settleBatchMs: 50,
  hotKeyShare: 0.01,
}

export type Resource =
  | 'd1_storage_gb'
  | 'd1_busy'
  | 'queue_messages'
  | 'kv_writes_hot_key'
  | 'ledger_requests'
  | 'vectorize_vectors'
  | 'workers_ai_embeddings'
  | 'upstash_commands'

export interface Limit {
  resource: Resource
  what: string
  limit: number
  unit: string
  source: string
  /** The design change that lifts it. */
  lift: string
}

export const LIMITS: Record<Resource, Limit> = {
  d1_storage_gb: {
    resource: 'd1_storage_gb', what: 'D1 database size (raw events × retention + semantic entries)', limit: 10, unit: 'GB',
    source: 'https://developers.cloudflare.com/d1/platform/limits/ (10 GB per database, Workers Paid)',
    lift: 'keep per-request metrics in Workers Analytics Engine (or Postgres via Hyperdrive) and only rollups in D1; shorter telemetry.retention_days buys time',
  },
  d1_busy: {
    resource: 'd1_busy', what: 'D1 write time per second (one database runs one query at a time)', limit: 1, unit: 's/s',
    source: 'https://developers.cloudflare.com/d1/platform/limits/ (FAQ "How much work can a D1 database do?": single-threaded, throughput = 1 / query duration)',
    lift: 'aggregate in the consumer (one rollup upsert per key per batch) and send per-request rows to Analytics Engine; or shard D1 by project',
  },
  queue_messages: {
    resource: 'queue_messages', what: 'Queue messages per second (one event per request)', limit: 5_000, unit: 'msg/s',
    source: 'https://developers.cloudflare.com/queues/platform/limits/ (per-queue throughput 5,000 messages/s)',
    lift: 'pack an isolate\'s events into one message (≤ 128 KB, ~150 events) or spread over several queues',
  },
  kv_writes_hot_key: {
    resource: 'kv_writes_hot_key', what: 'KV writes per second to one key (the hottest prompt while its answer is being fetched)', limit: 1, unit: 'writes/s/key',
    source: 'https://developers.cloudflare.com/kv/platform/limits/ (writes to the same key: 1 per second)',
    lift: 'single-flight stores: skip the KV put when this location wrote the key in the last second (the per-location tier already knows); a refused put is harmless (fail open) but wasted',
  },
  ledger_requests: {
    resource: 'ledger_requests', what: 'requests per second to the busiest project\'s ledger Durable Object (lease admissions + batched settlements)', limit: 1_000, unit: 'req/s/object',
    source: 'https://developers.cloudflare.com/durable-objects/platform/limits/ (FAQ: an individual object has a soft limit of 1,000 requests per second)',
    lift: 'sharded counters: N sub-ledgers per project, each granting leases from its slice, reconciled by the parent; or a longer settlement batch window',
  },
  vectorize_vectors: {
    resource: 'vectorize_vectors', what: 'vectors in the Vectorize index (inserts × semantic TTL)', limit: 10_000_000, unit: 'vectors',
    source: 'https://developers.cloudflare.com/vectorize/platform/limits/ (10,000,000 vectors per index)',
    lift: 'one index per project (50,000 indexes per account) or a shorter cache.semantic.ttl_seconds',
  },
  workers_ai_embeddings: {
    resource: 'workers_ai_embeddings', what: 'Workers AI embedding requests per second (one per semantic lookup)', limit: 50, unit: 'req/s',
    source: 'https://developers.cloudflare.com/workers-ai/platform/limits/ (Text Embeddings: 3,000 requests per minute)',
    lift: 'embedder: provider (an OpenAI-compatible embeddings API) or a raised limit (Custom Requirements Form); batch lookups (up to 100 inputs per request)',
  },
  upstash_commands: {
    resource: 'upstash_commands', what: 'Upstash commands per second (exact store: redis — a GET per global lookup, a SET per store)', limit: 10_000, unit: 'cmd/s',
    source: 'https://upstash.com/docs/redis/overall/pricing (Pay-As-You-Go: max 10,000 commands per second)',
    lift: 'store: kv for the exact cache (Upstash for rate limits only), or Upstash Fixed / Enterprise plans',
  },
}

export interface Load {
  rps: number
  queueMessagesPerSec: number
  d1RowsWrittenPerDay: number
  d1GbPerDay: number
  /** D1 size at steady state: raw events over the retention, semantic entries over their TTL. */
  d1StoredGb: number
  d1WriteQueriesPerSec: number
  /** Seconds of D1 write work per second: ≥ 1 means the database cannot keep up. */
  d1BusySecondsPerSec: number
  kvReadsPerSec: number
  kvWritesPerSec: number
  kvWritesPerSecHotKey: number
  ledgerRequestsPerSec: number
  vectorizeInsertsPerSec: number
  vectorizeVectors: number
  workersAiEmbeddingsPerSec: number
  upstashCommandsPerSec: number
}

const DAY = 86_400

export function resourcesAt(rps: number, a: Assumptions): Load {
  const misses = rps * (1 - a.exactHitRate)
  const semanticLookups = misses * a.semanticShare
  const semanticHits = semanticLookups * a.semanticHitRate
  // A fresh, successful answer is stored once in each exact tier and, when semantic applies, once in the index.
  const answeredUpstream = misses - semanticHits
  const stored = answeredUpstream * (1 - a.errorShare)
  const vectorInserts = (semanticLookups - semanticHits) * (1 - a.errorShare)
  const globalReads = rps * (1 - a.exactHitRate * a.localHitShare)

  const eventsPerDay = rps * DAY
  const d1GbPerDay = (eventsPerDay * a.d1BytesPerEvent + vectorInserts * DAY * a.semanticEntryBytes) / 1e9
  const d1StoredGb = (eventsPerDay * a.d1BytesPerEvent * a.retentionDays + vectorInserts * DAY * a.semanticTtlDays * a.semanticEntryBytes) / 1e9
  const d1WriteQueriesPerSec = rps / a.eventsPerBatch + vectorInserts

  const projectRps = rps * a.busiestProjectShare
  const isolates = Math.max(1, projectRps / a.requestsPerIsolate)
  // Each isolate settles at most once per batch window per ledger; fewer when it has fewer requests than that.
  const settles = Math.min(projectRps, isolates * (1_000 / a.settleBatchMs))
  const ledgerRequestsPerSec = projectRps * a.ledgerAdmitShare + settles

  return {
    rps,
    queueMessagesPerSec: rps,
    d1RowsWrittenPerDay: eventsPerDay * a.d1RowsPerEvent + vectorInserts * DAY,
    d1GbPerDay,
    d1StoredGb,
    d1WriteQueriesPerSec,
    d1BusySecondsPerSec: ((rps / a.eventsPerBatch) * a.msPerBatch) / 1_000,
    kvReadsPerSec: globalReads,
    kvWritesPerSec: stored,
    // While the hottest question's first answer is in flight, every request for it misses and stores.
    kvWritesPerSecHotKey: rps * a.hotKeyShare,
    ledgerRequestsPerSec,
    vectorizeInsertsPerSec: vectorInserts,
    vectorizeVectors: vectorInserts * DAY * a.semanticTtlDays,
    workersAiEmbeddingsPerSec: semanticLookups,
    upstashCommandsPerSec: globalReads + stored,
  }
}

/** What each limit measures, at a given load. */
export function usageOf(load: Load): Record<Resource, number> {
  return {
    d1_storage_gb: load.d1StoredGb,
    d1_busy: load.d1BusySecondsPerSec,
    queue_messages: load.queueMessagesPerSec,
    kv_writes_hot_key: load.kvWritesPerSecHotKey,
    ledger_requests: load.ledgerRequestsPerSec,
    vectorize_vectors: load.vectorizeVectors,
    workers_ai_embeddings: load.workersAiEmbeddingsPerSec,
    upstash_commands: load.upstashCommandsPerSec,
  }
}

/** The request rate at which each limit is reached (every quantity is proportional to the rate beyond one isolate). */
export function limitRates(a: Assumptions): { limit: Limit; rps: number }[] {
  const perRps = usageOf(resourcesAt(1_000, a))
  return (Object.keys(LIMITS) as Resource[])
    .map((r) => ({ limit: LIMITS[r], rps: perRps[r] > 0 ? (LIMITS[r].limit / perRps[r]) * 1_000 : Infinity }))
    .sort((x, y) => x.rps - y.rps)
}

export function firstLimit(a: Assumptions): { limit: Limit; rps: number } {
  return limitRates(a)[0]!
}

const fmt = (n: number): string =>
  n >= 1e9 ? `${(n / 1e9).toFixed(2)} G` : n >= 1e6 ? `${(n / 1e6).toFixed(2)} M` : n >= 10 ? Math.round(n).toLocaleString('en-US') : n.toFixed(2)

/** The table `npm run capacity` prints (Markdown, so the README shows it as is). */
export function capacityTable(a: Assumptions, rates: readonly number[] = [100, 1_000, 10_000]): string {
  const loads = rates.map((r) => resourcesAt(r, a))
  const rows: [string, (l: Load) => number, Resource?][] = [
    ['Queue messages/s', (l) => l.queueMessagesPerSec, 'queue_messages'],
    ['D1 rows written/day', (l) => l.d1RowsWrittenPerDay],
    ['D1 GB written/day', (l) => l.d1GbPerDay],
    [`D1 GB stored (${a.retentionDays}-day retention)`, (l) => l.d1StoredGb, 'd1_storage_gb'],
    ['D1 write queries/s', (l) => l.d1WriteQueriesPerSec],
    ['D1 busy (s of writes per s)', (l) => l.d1BusySecondsPerSec, 'd1_busy'],
    ['KV reads/s (store: kv)', (l) => l.kvReadsPerSec],
    ['KV writes/s (store: kv)', (l) => l.kvWritesPerSec],
    ['KV writes/s to the hottest key', (l) => l.kvWritesPerSecHotKey, 'kv_writes_hot_key'],
    ['DO requests/s, busiest project ledger', (l) => l.ledgerRequestsPerSec, 'ledger_requests'],
    ['Vectorize inserts/s', (l) => l.vectorizeInsertsPerSec],
    ['Vectorize vectors stored', (l) => l.vectorizeVectors, 'vectorize_vectors'],
    ['Workers AI embeddings/s', (l) => l.workersAiEmbeddingsPerSec, 'workers_ai_embeddings'],
    ['Upstash commands/s (store: redis)', (l) => l.upstashCommandsPerSec, 'upstash_commands'],
  ]
  const head = `| resource | ${rates.map((r) => `${r.toLocaleString('en-US')} req/s`).join(' | ')} | documented limit |`
  const lines = [head, `|---|${rates.map(() => '---:|').join('')}---|`]
  for (const [name, get, resource] of rows) {
    const limit = resource ? LIMITS[resource] : undefined
    const cells = loads.map((l) => {
      const v = get(l)
      return limit && v > limit.limit ? `**${fmt(v)}** ✗` : fmt(v)
    })
    lines.push(`| ${name} | ${cells.join(' | ')} | ${limit ? `${limit.limit.toLocaleString('en-US')} ${limit.unit}` : ''} |`)
  }
  return lines.join('\n')
}

export function limitsReport(a: Assumptions): string {
  return limitRates(a)
    .map(({ limit, rps }, i) => `${i + 1}. ~${fmt(rps)} req/s — ${limit.what}: ${limit.limit.toLocaleString('en-US')} ${limit.unit} (${limit.source}). Lift: ${limit.lift}.`)
    .join('\n')
}
