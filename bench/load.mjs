#!/usr/bin/env node
// @ts-check
// `npm run load`: mixed traffic against the gateway as `npm start` runs it (wrangler dev --local),
// on loopback, for LOAD_SECONDS (default 60) with LOAD_CONNECTIONS keep-alive connections (16) in a
// closed loop — the highest rate this machine sustains. The mix: misses, exact hits, semantic hits,
// streams, and 5 % requests the fake upstream fails (bench/upstream.mjs FAIL_MARKER). It reports
// throughput, p50/p95/p99 (all and per kind), errors the gateway caused (must be 0) apart from
// upstream-induced ones, and memory at start and end: the isolate's JS heap after GC and its own
// caches against their bounds (GET /admin/api/isolate), apart from the runtime's RSS.
// Exits 1 when the gateway caused an error or a cache is past its bound. LOAD_JSON=1 also prints a JSON summary.
import { client, summary } from './lib/client.mjs'
import { heapAfterGc, mb, runtimeRss } from './lib/inspector.mjs'
import { freePort, onCleanup, root, runBounded, startProcess, waitHealthy } from './lib/processes.mjs'
import { startWorkers } from './lib/workers.mjs'
import { FAIL_MARKER, startUpstream } from './upstream.mjs'

const SECONDS = Number(process.env.LOAD_SECONDS ?? 60)
const CONNECTIONS = Number(process.env.LOAD_CONNECTIONS ?? 16)
const BENCH_KEY = 'lgw_bench_key'
const SEMANTIC_KEY = 'lgw_load_semantic'
const ADMIN_TOKEN = 'lgw_admin_local_dev_token' // the documented local-only admin token (wrangler.jsonc env.local)
const CACHED = 'How do I change my billing address?'
const PARAPHRASE = 'How can I change my billing address?'

/** @typedef {'miss' | 'exact_hit' | 'semantic_hit' | 'stream' | 'upstream_error'} Kind */
/** The mix, in percent. */
const MIX = /** @type {Array<[Kind, number]>} */ ([['miss', 40], ['exact_hit', 25], ['semantic_hit', 10], ['stream', 20], ['upstream_error', 5]])

runBounded(
  'npm run load',
  async () => {
    const upstream = await startUpstream()
    onCleanup(upstream.close)
    const embeddingsPort = await freePort()
    const embedder = startProcess('node', [`${root}scripts/embeddings-server.ts`], { env: { EMBEDDINGS_PORT: String(embeddingsPort) } })
    const embeddingsUrl = `http://127.0.0.1:${embeddingsPort}`
    await waitHealthy(`${embeddingsUrl}/healthz`, embedder, 'the local embeddings server', 120_000)
    const { gateway } = await startWorkers({
      upstreamUrl: upstream.url,
      policyFile: `${root}bench/policy/load.yaml`,
      only: ['gateway'],
      gatewayVars: { EMBEDDINGS_URL: embeddingsUrl },
    })
    const http = client(CONNECTIONS)
    const url = `${gateway.url}/v1/chat/completions`
    let n = 0
    /** @param {Kind} kind */
    const request = (kind) => {
      const chat = (/** @type {string} */ text, stream = false) => JSON.stringify({ model: 'bench-model', ...(stream ? { stream: true } : {}), messages: [{ role: 'user', content: text }] })
      const bench = { authorization: `Bearer ${BENCH_KEY}` }
      switch (kind) {
        case 'miss': return http.post(url, chat(`load question ${n++}`), bench)
        case 'exact_hit': return http.post(url, chat(`popular question ${n++ % 20}`), bench)
        case 'semantic_hit': return http.post(url, chat(PARAPHRASE), { authorization: `Bearer ${SEMANTIC_KEY}` })
        case 'stream': return http.post(url, chat(`load stream ${n++}`, true), bench)
        case 'upstream_error': return http.post(url, chat(`${FAIL_MARKER} ${n++}`), bench)
      }
    }

    // Warm-up: the popular questions cached, the semantic entry stored (its paraphrase then answers SEMANTIC).
    for (let i = 0; i < 20; i++) await request('exact_hit')
    await http.post(url, JSON.stringify({ model: 'bench-model', messages: [{ role: 'user', content: CACHED }] }), { authorization: `Bearer ${SEMANTIC_KEY}` })
    const seededBy = Date.now() + 30_000
    for (;;) {
      const r = await request('semantic_hit')
      if (r.headers['x-watchllm-cache'] === 'SEMANTIC') break
      if (Date.now() > seededBy) throw new Error(`the semantic entry never answered its paraphrase (last X-WatchLLM-Cache ${r.headers['x-watchllm-cache']}, status ${r.status})`)
      await new Promise((r) => setTimeout(r, 250))
    }
    for (let i = 0; i < 200; i++) await request(pick(i))

    const start = await memory(gateway)
    /** @type {Record<Kind, number[]>} */
    const times = { miss: [], exact_hit: [], semantic_hit: [], stream: [], upstream_error: [] }
    /** @type {Array<{ kind: Kind, detail: string }>} */
    const gatewayErrors = []
    let upstreamErrors = 0
    /** @type {Record<string, number>} */
    const cacheSeen = {}
    const until = performance.now() + SECONDS * 1000
    const started = performance.now()
    let i = 0
    await Promise.all(
      Array.from({ length: CONNECTIONS }, async () => {
        while (performance.now() < until) {
          const kind = pick(i++)
          try {
            const reply = await request(kind)
            times[kind].push(reply.ms)
            const cache = String(reply.headers['x-watchllm-cache'] ?? '-')
            cacheSeen[`${kind}:${cache}`] = (cacheSeen[`${kind}:${cache}`] ?? 0) + 1
            if (kind === 'upstream_error') {
              // The upstream failed it: the gateway must say so in the OpenAI error shape, as a 5xx of its own (not 500).
              const shaped = reply.status >= 502 && reply.status <= 504 && /"error"\s*:\s*\{/.test(reply.body)
              if (shaped) upstreamErrors++
              else gatewayErrors.push({ kind, detail: `${reply.status} ${reply.body.slice(0, 160)}` })
            } else if (reply.status !== 200 || (kind === 'stream' && !reply.body.includes('data: [DONE]'))) {
              gatewayErrors.push({ kind, detail: `${reply.status} ${reply.body.slice(0, 160)}` })
            }
          } catch (e) {
            gatewayErrors.push({ kind, detail: e instanceof Error ? e.message : String(e) })
          }
        }
      }),
    )
    const seconds = (performance.now() - started) / 1000
    http.close()
    const end = await memory(gateway)

    const all = Object.values(times).flat()
    const overall = summary(all)
    const f = (/** @type {number} */ x) => x.toFixed(2).padStart(8)
    console.log(`\nnpm run load — ${SECONDS} s, ${CONNECTIONS} connections, closed loop, mix ${MIX.map(([k, p]) => `${k} ${p} %`).join(', ')}`)
    console.log(`throughput            ${(all.length / seconds).toFixed(0)} req/s (${all.length} requests)`)
    console.log(`${'kind'.padEnd(22)}${'n'.padStart(7)}  p50 ms   p95 ms   p99 ms`)
    console.log(`${'all'.padEnd(22)}${String(overall.n).padStart(7)}${f(overall.p50)} ${f(overall.p95)} ${f(overall.p99)}`)
    for (const [kind] of MIX) {
      const s = summary(times[kind])
      console.log(`${kind.padEnd(22)}${String(s.n).padStart(7)}${f(s.p50)} ${f(s.p95)} ${f(s.p99)}`)
    }
    console.log(`X-WatchLLM-Cache seen  ${Object.entries(cacheSeen).map(([k, v]) => `${k} ${v}`).join(', ')}`)
    console.log(`errors                 gateway-caused ${gatewayErrors.length}; upstream-induced ${upstreamErrors} (answered 502–504 in the OpenAI error shape)`)
    for (const e of gatewayErrors.slice(0, 5)) console.log(`  ${e.kind}: ${e.detail}`)
    console.log(`isolate JS heap (GC)   ${mb(start.heap)} → ${mb(end.heap)}`)
    console.log(`workerd RSS            ${mb(start.rss)} → ${mb(end.rss)} (the runtime's, not the gateway's)`)
    console.log(`gateway caches         ${end.caches.map((c) => `${c.name} ${c.size}/${c.bound}`).join(', ')} (${end.withinBounds ? 'all within bounds' : 'PAST A BOUND'})\n`)
    if (process.env.LOAD_JSON)
      console.log(JSON.stringify({ rps: all.length / seconds, overall, gatewayErrors: gatewayErrors.length, upstreamErrors, heap: [start.heap, end.heap], rss: [start.rss, end.rss], withinBounds: end.withinBounds, caches: end.caches, cacheSeen }))
    if (gatewayErrors.length > 0) throw new Error(`the gateway caused ${gatewayErrors.length} errors`)
    if (!end.withinBounds) throw new Error('a gateway cache is past its bound')

    /** @param {import('./lib/workers.mjs').Worker} w */
    async function memory(w) {
      const res = await fetch(`${w.url}/admin/api/isolate`, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` }, signal: AbortSignal.timeout(10_000) })
      if (!res.ok) throw new Error(`GET /admin/api/isolate answered ${res.status}: ${(await res.text()).slice(0, 200)}`)
      const isolate = /** @type {{ caches: Array<{ name: string, size: number, bound: number }>, within_bounds: boolean }} */ (await res.json())
      return { heap: await heapAfterGc(w.inspectorPort), rss: runtimeRss(w.pid), caches: isolate.caches, withinBounds: isolate.within_bounds }
    }
  },
  (SECONDS + 300) * 1000,
)

/** Deterministic mix: request i's kind, spread evenly over every 100 requests. */
function pick(/** @type {number} */ i) {
  let slot = (i * 37) % 100 // 37 is coprime with 100: every slot once per 100 requests, interleaved
  for (const [kind, percent] of MIX) {
    if (slot < percent) return kind
    slot -= percent
  }
  return 'miss'
}
