// @ts-check
// The core of `npm run bench`: what a client sees at each Worker's own front door. Three
// `wrangler dev --local` processes in the same runtime (bench/lib/workers.mjs) — a constant answer,
// a bare forwarder, the gateway as `npm start` runs it — driven by one harness against one upstream:
//   unloaded: 1 keep-alive connection per scenario, scenarios interleaved (noise hits all alike);
//   loaded:   16 connections for a fixed time per scenario: throughput and latency under load, in
//             slices taken in turn (a shared machine's load then hits every scenario alike).
// Scenarios: miss (cache bypassed, telemetry on), exact hit, stream (first byte and throughput).
import { client, summary } from './lib/client.mjs'
import { heapAfterGc, mb, runtimeRss } from './lib/inspector.mjs'
import { onCleanup, root } from './lib/processes.mjs'
import { startWorkers } from './lib/workers.mjs'
import { startUpstream } from './upstream.mjs'

const SEQUENTIAL = Number(process.env.BENCH_REQUESTS ?? 600)
const WARMUP = 100
const CONNECTIONS = 16
const LOADED_MS = Number(process.env.BENCH_LOADED_MS ?? 5_000)
const SLICES = 5
const KEY = 'lgw_bench_key'

/** @typedef {import('./lib/workers.mjs').Worker} Worker */
/** @typedef {{ name: string, worker: Worker, body: () => string, headers?: Record<string, string>, expect?: string }} Scenario */

export async function run() {
  const upstream = await startUpstream()
  onCleanup(upstream.close)
  const workers = await startWorkers({ upstreamUrl: upstream.url, policyFile: `${root}bench/policy/bench.yaml` })
  const { constant, forwarder, gateway } = workers

  let n = 0
  const chat = (/** @type {string} */ text, stream = false, usage = false) =>
    JSON.stringify({ model: 'bench-model', ...(stream ? { stream: true } : {}), ...(usage ? { stream_options: { include_usage: true } } : {}), messages: [{ role: 'user', content: text }] })
  const auth = { authorization: `Bearer ${KEY}` }
  const bypass = { ...auth, 'x-watchllm-cache': 'bypass' }
  /** @type {Scenario[]} */
  const scenarios = [
    { name: 'constant Worker', worker: constant, body: () => chat(`q ${n++}`) },
    { name: 'forwarder → upstream', worker: forwarder, body: () => chat(`q ${n++}`) },
    { name: 'gateway miss (bypass, telemetry on)', worker: gateway, body: () => chat(`q ${n++}`), headers: bypass, expect: 'BYPASS' },
    { name: 'gateway exact hit', worker: gateway, body: () => chat('the same question'), headers: auth, expect: 'HIT' },
    { name: 'forwarder stream', worker: forwarder, body: () => chat(`s ${n++}`, true) },
    // What a stream costs any Worker, parsing nothing (bench/forwarder): read + written by JS, and natively passed with JS reading a copy.
    { name: 'forwarder stream, JS relay', worker: forwarder, body: () => chat(`s ${n++}`, true), headers: { 'x-bench-relay': 'js' } },
    { name: 'forwarder stream, tee', worker: forwarder, body: () => chat(`s ${n++}`, true), headers: { 'x-bench-relay': 'tee' } },
    { name: 'forwarder stream, tee + pipe with options', worker: forwarder, body: () => chat(`s ${n++}`, true), headers: { 'x-bench-relay': 'tee-pipe' } },
    { name: 'gateway stream (bypass)', worker: gateway, body: () => chat(`s ${n++}`, true), headers: bypass, expect: 'BYPASS' },
    // The client asks for usage itself (as the Vercel AI SDK does): nothing for the relay to strip (README "Performance").
    { name: 'gateway stream, client asks usage', worker: gateway, body: () => chat(`s ${n++}`, true, true), headers: bypass, expect: 'BYPASS' },
  ]

  // The hit's answer stored first (a miss, kept after the answer with waitUntil).
  const prime = client(1)
  const hitScenario = /** @type {Scenario} */ (scenarios.find((s) => s.expect === 'HIT'))
  await once(prime, { ...hitScenario, expect: undefined })
  for (let i = 0; (await once(prime, { ...hitScenario, expect: undefined })).headers['x-watchllm-cache'] !== 'HIT'; i++)
    if (i > 50) throw new Error('the exact hit scenario never answered HIT')
  prime.close()

  const heapBefore = await heapAfterGc(gateway.inspectorPort)
  const rssBefore = runtimeRss(gateway.pid)
  const unloaded = await measureUnloaded(scenarios)
  const loaded = await measureLoaded(scenarios)
  const heapAfter = await heapAfterGc(gateway.inspectorPort)
  const rssAfter = runtimeRss(gateway.pid)

  print(scenarios, unloaded, loaded)
  console.log(`gateway memory         isolate JS heap after GC ${mb(heapBefore)} → ${mb(heapAfter)} over the run (${n} requests); workerd RSS ${mb(rssBefore)} → ${mb(rssAfter)} (the runtime's, not the gateway's)\n`)
}

/** @param {Scenario} s */
async function once(/** @type {ReturnType<typeof client>} */ http, s) {
  const reply = await http.post(`${s.worker.url}/v1/chat/completions`, s.body(), s.headers)
  if (reply.status !== 200) throw new Error(`${s.name}: ${s.worker.name} answered ${reply.status}: ${reply.body.slice(0, 200)}`)
  const cache = reply.headers['x-watchllm-cache']
  if (s.expect && cache !== s.expect) throw new Error(`${s.name}: expected X-WatchLLM-Cache ${s.expect}, got ${cache}`)
  return reply
}

/** One keep-alive connection per scenario; interleaved rounds, so machine noise hits all alike. */
async function measureUnloaded(/** @type {Scenario[]} */ scenarios) {
  const clients = scenarios.map(() => client(1))
  const times = scenarios.map(() => /** @type {number[]} */ ([]))
  const firstBytes = scenarios.map(() => /** @type {number[]} */ ([]))
  for (let i = 0; i < WARMUP + SEQUENTIAL; i++) {
    for (const [j, s] of scenarios.entries()) {
      const reply = await once(/** @type {ReturnType<typeof client>} */ (clients[j]), s)
      if (i < WARMUP) continue
      times[j]?.push(reply.ms)
      firstBytes[j]?.push(reply.firstByteMs)
    }
  }
  for (const c of clients) c.close()
  return scenarios.map((_, j) => ({ total: summary(times[j] ?? []), firstByte: summary(firstBytes[j] ?? []) }))
}

/**
 * CONNECTIONS clients per scenario in a closed loop, LOADED_MS in all per scenario, taken in SLICES
 * slices in turn: throughput and latency under load, with a shared machine's noise spread evenly.
 */
async function measureLoaded(/** @type {Scenario[]} */ scenarios) {
  const clients = scenarios.map(() => client(CONNECTIONS))
  for (const [j, s] of scenarios.entries()) for (let i = 0; i < CONNECTIONS * 4; i++) await once(/** @type {ReturnType<typeof client>} */ (clients[j]), s) // warm every socket
  const times = scenarios.map(() => /** @type {number[]} */ ([]))
  const seconds = scenarios.map(() => 0)
  for (let slice = 0; slice < SLICES; slice++) {
    for (const [j, s] of scenarios.entries()) {
      const http = /** @type {ReturnType<typeof client>} */ (clients[j])
      const started = performance.now()
      const until = started + LOADED_MS / SLICES
      await Promise.all(
        Array.from({ length: CONNECTIONS }, async () => {
          while (performance.now() < until) times[j]?.push((await once(http, s)).ms)
        }),
      )
      seconds[j] = (seconds[j] ?? 0) + (performance.now() - started) / 1000
    }
  }
  for (const c of clients) c.close()
  return scenarios.map((_, j) => ({ rps: (times[j]?.length ?? 0) / (seconds[j] ?? 1), ...summary(times[j] ?? []) }))
}

/**
 * @param {Scenario[]} scenarios
 * @param {Awaited<ReturnType<typeof measureUnloaded>>} unloaded
 * @param {Array<{ rps: number, p50: number, p95: number }>} loaded
 */
function print(scenarios, unloaded, loaded) {
  const f = (/** @type {number} */ x) => x.toFixed(2).padStart(7)
  console.log(`\nAt each Worker's own front door — three wrangler dev --local processes, one upstream; unloaded: ${SEQUENTIAL} requests per row on 1 connection, interleaved (after ${WARMUP} warm-up); loaded: ${CONNECTIONS} connections for ${LOADED_MS / 1000} s per row, in ${SLICES} slices taken in turn`)
  console.log(`${'scenario'.padEnd(48)}   p50 ms  p95 ms  1st byte │ loaded req/s  p50 ms  p95 ms`)
  for (const [j, s] of scenarios.entries()) {
    const u = unloaded[j]
    const l = loaded[j]
    if (!u || !l) continue
    console.log(`${s.name.padEnd(48)} ${f(u.total.p50)} ${f(u.total.p95)} ${f(u.firstByte.p50)}   │ ${l.rps.toFixed(0).padStart(12)} ${f(l.p50)} ${f(l.p95)}`)
  }
  const at = (/** @type {string} */ name) => scenarios.findIndex((s) => s.name.startsWith(name))
  const c = at('constant')
  const fw = at('forwarder →')
  const miss = at('gateway miss')
  const hit = at('gateway exact')
  const fs = at('forwarder stream')
  const js = at('forwarder stream, JS relay')
  const tee = at('forwarder stream, tee')
  const gs = at('gateway stream (bypass)')
  const usage = at('gateway stream, client asks usage')
  const teePipe = at('forwarder stream, tee + pipe')
  const U = (/** @type {number} */ j) => /** @type {Awaited<ReturnType<typeof measureUnloaded>>[number]} */ (unloaded[j])
  const L = (/** @type {number} */ j) => /** @type {{ rps: number, p50: number }} */ (loaded[j])
  const missOver = U(miss).total.p50 - U(fw).total.p50
  const missRatio = L(miss).rps / L(fw).rps
  const streamRatio = L(gs).rps / L(fs).rps
  const firstByteOver = U(gs).firstByte.p50 - U(fs).firstByte.p50
  console.log(`\nruntime floor          constant Worker ${U(c).total.p50.toFixed(2)} ms p50, ${L(c).rps.toFixed(0)} req/s: judge the gateway against the forwarder in the same runtime, not against zero`)
  console.log(`miss over forwarder    ${signed(missOver)} ms p50 unloaded; ${missRatio.toFixed(2)}× its throughput at ${CONNECTIONS} connections`)
  console.log(`exact hit              ${(U(hit).total.p50 - U(fw).total.p50).toFixed(2)} ms p50 vs the forwarder; ${(L(hit).rps / L(fw).rps).toFixed(2)}× its throughput`)
  console.log(`stream                 first byte ${signed(firstByteOver)} ms p50 over the forwarder; ${streamRatio.toFixed(2)}× its throughput at ${CONNECTIONS} connections`)
  console.log(`stream, asking usage   first byte ${signed(U(usage).firstByte.p50 - U(fs).firstByte.p50)} ms p50 over the forwarder; ${(L(usage).rps / L(fs).rps).toFixed(2)}× its throughput`)
  console.log(`stream, the runtime    a Worker writing each chunk from JS, parsing nothing: ${(L(js).rps / L(fs).rps).toFixed(2)}× the forwarder; passing it natively while JS reads a copy: ${(L(tee).rps / L(fs).rps).toFixed(2)}×; the same through pipeTo with the options a gateway needs to end it itself: ${(L(teePipe).rps / L(fs).rps).toFixed(2)}×; the gateway is ${(L(gs).rps / L(js).rps).toFixed(2)}× the JS relay`)
  const verdict = (/** @type {boolean} */ ok) => (ok ? 'met' : 'NOT met')
  console.log(`targets                miss ≤ 0.5 ms p50 over the forwarder: ${verdict(missOver <= 0.5)}; miss ≥ 0.9× throughput: ${verdict(missRatio >= 0.9)}; streams ≥ 0.8×: ${verdict(streamRatio >= 0.8)}`)
}

/** A difference with its sign: +0.38, -0.02. */
const signed = (/** @type {number} */ x) => `${x >= 0 ? '+' : ''}${x.toFixed(2)}`
