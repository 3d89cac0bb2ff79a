// Telemetry benchmarks (`npm run bench` calls `run()`, which prints its own table):
//   1. response latency with telemetry on vs off: the gateway's app (the same code the Worker runs)
//      in this V8, requests alternating between two configurations that differ only in
//      WATCHLLM_TELEMETRY; each request is timed from dispatch to the last byte of its body, and the
//      background work (`waitUntil`) is awaited, untimed, every 50 requests. Target: p50 difference
//      < 0.1 ms. (Timed end to end through local workerd instead, the figure moves by ±1 ms from run
//      to run whatever the setting — the local proxies and the machine's load, not telemetry.)
//   2. consumer throughput into local D1 (workerd through wrangler's test harness, the worker bundled
//      as it deploys): batches handed to the queue handler directly, then events through the real
//      local queue. Target: ≥ 5,000 events/s.
// Bounded (< 60 s), 127.0.0.1 only; everything it starts it closes.
import { mkdtempSync, rmSync } from 'node:fs'
import { spawn } from 'node:child_process'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { tsImport } from 'tsx/esm/api'
import { createTestHarness } from 'wrangler'

const root = fileURLToPath(new URL('..', import.meta.url))
const LATENCY_PAIRS = Number(process.env.BENCH_TELEMETRY_REQUESTS ?? 2000)
const WARMUP = 500
const EVENTS = Number(process.env.BENCH_TELEMETRY_EVENTS ?? 10_000)
const DEADLINE_MS = 55_000
const PRODUCERS = 8

export async function run() {
  const started = Date.now()
  const saved = { cf: process.env.CLOUDFLARE_CF_FETCH_ENABLED, log: process.env.WRANGLER_LOG }
  // No network: the local runtime must not try to fetch Cloudflare's request metadata.
  process.env.CLOUDFLARE_CF_FETCH_ENABLED = 'false'
  process.env.WRANGLER_LOG ??= 'error'
  const work = mkdtempSync(join(tmpdir(), 'watchllm-bench-telemetry-'))
  let sink
  try {
    const latency = await measureLatency()
    sink = await gateway(await bundle(`${work}/bundle`))
    const throughput = await measureThroughput(sink, started)
    printTable(latency, throughput)
    return { latency, throughput }
  } finally {
    await sink?.close().catch(() => undefined)
    rmSync(work, { recursive: true, force: true })
    for (const [name, value] of [['CLOUDFLARE_CF_FETCH_ENABLED', saved.cf], ['WRANGLER_LOG', saved.log]])
      if (value === undefined) delete process.env[name]
      else process.env[name] = value
  }
}

/** The worker bundled by wrangler once, as `wrangler deploy` would upload it. */
async function bundle(outdir) {
  const child = spawn(`${root}node_modules/.bin/wrangler`, ['deploy', '--dry-run', '--env', 'local', '--outdir', outdir], {
    cwd: `${root}worker`,
    env: { ...process.env, PATH: `${root}node_modules/.bin:${process.env.PATH}`, WRANGLER_SEND_METRICS: 'false', CI: '1' },
    stdio: ['ignore', 'ignore', 'pipe'],
  })
  let stderr = ''
  child.stderr.on('data', (c) => (stderr += c))
  const code = await new Promise((resolve) => child.on('exit', resolve))
  if (code !== 0) throw new Error(`bundling the worker failed:\n${stderr}`)
  return outdir
}

/** The gateway in workerd (wrangler's test harness: in-memory D1/KV/queues), D1 migrated, Postgres off. */
async function gateway(prebuiltWorkerDir) {
  const harness = createTestHarness({
    root: `${root}worker`,
    // The bench measures D1; a local Postgres (if any) is left out of it.
    workers: [{ configPath: 'wrangler.jsonc', env: 'local', prebuiltWorkerDir, vars: { TELEMETRY_POSTGRES: 'off' } }],
  })
  await harness.listen()
  const worker = harness.getWorker()
  await worker.applyD1Migrations('DB')
  return { worker, env: await worker.getEnv(), close: () => harness.close() }
}

/**
 * The app from worker/src with the default policy (compiled here, not the shared generated file),
 * bindings stubbed in memory: the exact cache is bypassed by header, the provider is the mock, and
 * the queue's send resolves a turn later, as an RPC would. Requests alternate on/off.
 */
async function measureLatency() {
  const { createApp } = await tsImport('../worker/src/app.ts', import.meta.url)
  const { compilePolicy } = await tsImport('../worker/src/policy/compile.ts', import.meta.url)
  const { sha256Hex } = await tsImport('../worker/src/lib/hash.ts', import.meta.url)
  // Its own policy: the default one now has limits, whose ledger (a Durable Object) this in-process
  // harness does not stub; telemetry is what is measured, not the limit stage.
  const policy = await compilePolicy([{ path: 'bench.yaml', text: `
providers:
  mock: { type: mock }
models:
  gpt-4o-mini: { targets: [{ provider: mock, model: gpt-4o-mini }] }
projects:
  demo:
    keys: [{ id: local-dev, sha256: ${sha256Hex('lgw_local_dev_key')}, local_only: true }]
` }])
  if (!policy.ok) throw new Error(`the telemetry bench policy does not compile: ${JSON.stringify(policy.error)}`)
  const app = createApp(policy.value)
  let sent = 0
  // Sends resolve a turn later, as an RPC would; events go out in batches (telemetry/event-batch.ts).
  const queue = {
    send: () => new Promise((r) => setImmediate(() => r(sent++))),
    sendBatch: (/** @type {unknown[]} */ messages) => new Promise((r) => setImmediate(() => r((sent += messages.length)))),
  }
  const kv = { get: async () => null, put: async () => undefined }
  const envs = Object.fromEntries(
    ['on', 'off'].map((mode) => [mode, { WATCHLLM_ENV: 'local', WATCHLLM_TELEMETRY: mode, CACHE_KV: kv, EVENTS: queue, DB: {}, TELEMETRY_POSTGRES: 'off' }]),
  )
  let n = 0
  // Background work (`waitUntil`) is awaited, untimed, every 50 requests: a batch's send waits for its
  // window (20 ms), and awaiting that after each request would only make the bench slower.
  let pending = []
  const settle = async () => {
    await Promise.all(pending)
    pending = []
  }
  const once = async (mode) => {
    if (pending.length >= 50) await settle()
    const ctx = { waitUntil: (p) => pending.push(p), passThroughOnException() {}, props: {} }
    const request = new Request('http://gateway.local/v1/chat/completions', {
      method: 'POST',
      headers: { authorization: 'Bearer lgw_local_dev_key', 'content-type': 'application/json', 'x-watchllm-cache': 'bypass' },
      body: JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: `bench question ${n++}` }] }),
    })
    const t0 = performance.now()
    const res = await app.fetch(request, envs[mode], ctx)
    await res.text()
    const ms = performance.now() - t0
    if (res.status !== 200) throw new Error(`the gateway answered ${res.status}`)
    return ms
  }
  const samples = { on: [], off: [] }
  for (let i = 0; i < WARMUP; i++) for (const mode of ['on', 'off']) await once(mode)
  for (let i = 0; i < LATENCY_PAIRS; i++) for (const mode of i % 2 === 0 ? ['on', 'off'] : ['off', 'on']) samples[mode].push(await once(mode))
  await settle()
  if (sent < LATENCY_PAIRS) throw new Error(`telemetry on sent ${sent} events for ${LATENCY_PAIRS} requests`)
  const stats = (s) => ({ p50: percentile(s, 0.5), p95: percentile(s, 0.95), n: s.length })
  const on = stats(samples.on)
  const off = stats(samples.off)
  return { on, off, deltaP50: on.p50 - off.p50 }
}

/** A valid v1 event; `i` varies the dimensions the rollups group by. */
function benchEvent(i, now) {
  return {
    v: 1, request_id: `bench-${i}`, ts: now - (i % 600) * 1000, project: `bench-${i % 3}`, key_id: `k${i % 5}`,
    session: null, user_id: null, endpoint: 'chat', model_requested: 'gpt-4o-mini', model_served: 'gpt-4o-mini',
    provider: i % 2 ? 'openai' : 'mock', variant: null, stream: i % 4 === 0, cache: i % 3 === 0 ? 'HIT' : 'MISS',
    similarity: null, status: i % 50 === 0 ? 502 : 200, error_code: i % 50 === 0 ? 'upstream_error' : null, completed: true,
    attempts: 1, latency_ms: 5 + (i % 97), upstream_ms: 4, ttfb_ms: 3, input_tokens: 120, output_tokens: 40,
    cached_tokens: 0, reasoning_tokens: 0, cost_usd: 0.000042, cost_saved_usd: null, price_status: 'priced',
    rule_id: null, pii: null, budget: null, rate_limit: null, policy_hash: 'b'.repeat(64),
    attempts_detail: [{ provider: 'openai', model: 'gpt-4o-mini', status: 200, ms: 4 }], prompt: null, answer: null,
  }
}

/**
 * (a) The consumer's own rate: batches of 100 handed straight to the worker's queue handler (the
 * Fetcher `queue()` call the runtime uses), one after another. (b) End to end: events sent into
 * the real local EVENTS queue by several producers, timed until the consumer has written them all.
 * Both check that D1 holds every event and that the rollups count each exactly once.
 */
async function measureThroughput(gw, started) {
  const db = gw.env.DB
  const now = Date.now()
  const count = async (prefix) => (await db.prepare('SELECT COUNT(*) AS n FROM usage_events WHERE request_id LIKE ?').bind(`${prefix}%`).first()).n

  const handler = await gw.worker.getExport()
  const direct = Math.round(EVENTS / 2 / 100) * 100
  let t0 = performance.now()
  for (let b = 0; b < direct / 100; b++) {
    const messages = Array.from({ length: 100 }, (_, j) => ({ id: `d${b}-${j}`, timestamp: new Date(), attempts: 1, body: { ...benchEvent(b * 100 + j, now), request_id: `direct-${b * 100 + j}` } }))
    const result = await handler.queue('watchllm-events', messages)
    if (result.explicitAcks.length !== 100) throw new Error(`the consumer acked ${result.explicitAcks.length} of 100 messages`)
  }
  const directMs = performance.now() - t0
  if ((await count('direct-')) !== direct) throw new Error('not every directly consumed event is in D1')

  const batches = []
  for (let i = 0; i < EVENTS; i += 100)
    batches.push(Array.from({ length: Math.min(100, EVENTS - i) }, (_, j) => ({ body: benchEvent(i + j, now), contentType: 'json' })))
  t0 = performance.now()
  // Several producers at once, so the queue fills faster than one consumer drains it.
  let next = 0
  await Promise.all(
    Array.from({ length: PRODUCERS }, async () => {
      while (next < batches.length) await gw.env.EVENTS.sendBatch(batches[next++])
    }),
  )
  const sentMs = performance.now() - t0
  let written = 0
  while (written < EVENTS) {
    if (Date.now() - started > DEADLINE_MS) throw new Error(`only ${written} of ${EVENTS} events were written within the time limit`)
    await new Promise((r) => setTimeout(r, 20))
    written = await count('bench-')
  }
  const queuedMs = performance.now() - t0
  const rollup = (await db.prepare('SELECT SUM(requests) AS n FROM usage_rollup_minute').first()).n
  if (rollup !== EVENTS + direct) throw new Error(`rollups count ${rollup} requests for ${EVENTS + direct} events`)
  return {
    direct: { events: direct, ms: directMs, perSecond: direct / (directMs / 1000) },
    queued: { events: EVENTS, sentMs, ms: queuedMs, perSecond: EVENTS / (queuedMs / 1000) },
  }
}

function percentile(values, p) {
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)]
}

function printTable(latency, throughput) {
  const us = (ms) => `${Math.round(ms * 1000)} µs`
  const rate = (n) => Math.round(n).toLocaleString('en-US')
  const ok = (pass) => (pass ? 'ok' : 'MISSED')
  const { direct, queued } = throughput
  console.log(`
Telemetry
  response latency, ${latency.on.n} requests each (the gateway's request path, mock provider, cache bypassed)
    telemetry on                       p50 ${us(latency.on.p50)}   p95 ${us(latency.on.p95)}
    telemetry off                      p50 ${us(latency.off.p50)}   p95 ${us(latency.off.p95)}
    p50 difference (on − off)          ${us(latency.deltaP50)}   target < 100 µs: ${ok(Math.abs(latency.deltaP50) < 0.1)}
  consumer → local D1 (workerd), batches of 100   ${rate(direct.perSecond)} events/s (${direct.events} events in ${Math.round(direct.ms)} ms)   target ≥ 5,000/s: ${ok(direct.perSecond >= 5000)}
  through the local queue (${PRODUCERS} producers)       ${rate(queued.perSecond)} events/s (${queued.events} sent in ${Math.round(queued.sentMs)} ms, all written by ${Math.round(queued.ms)} ms; rollups exact)
`)
}

export default run

if (process.argv[1] === fileURLToPath(import.meta.url)) await run()
