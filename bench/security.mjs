// Security-stage benchmarks (`npm run bench` calls `run()`; BENCH_PARTS=security alone), in this V8
// on the Worker's own modules, interleaved so noise hits both sides alike:
//   1. reading a body: the gateway's counted, depth-checked read (json-body.ts: bytes counted while
//      read, JSON.parse, the iterative depth walk) vs a plain `JSON.parse(await request.text())`, on
//      a 4 KB, a 100 KB and a 1 MB chat request. Target: within 1.3x of the plain read.
//   2. the structured log line: the gateway app in-process (mock provider, telemetry off) with
//      the per-request JSON line vs WATCHLLM_REQUEST_LOG=off; console.log captured (the line is
//      built and serialised, not written to a terminal). Target: < 20 µs p50 per request.
// Bounded (< 60 s), no network; nothing to stop.
import { fileURLToPath } from 'node:url'
import { tsImport } from 'tsx/esm/api'

const root = fileURLToPath(new URL('..', import.meta.url))
const BODY_RUNS = Number(process.env.BENCH_BODY_RUNS ?? 400)
const LOG_PAIRS = Number(process.env.BENCH_LOG_REQUESTS ?? 3000)
const load = (path) => tsImport(`${root}${path}`, import.meta.url)
const pct = (sorted, q) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]

export async function run() {
  const started = Date.now()
  const bodies = await benchBodies()
  const log = await benchLogLine()
  const f = (x, d = 3) => x.toFixed(d)
  console.log(`\nSecurity stages — in this V8 (the engine workerd runs), ${((Date.now() - started) / 1000).toFixed(0)} s`)
  console.log('| body | counted + depth-checked read p50 (ms) | plain read p50 (ms) | ratio |')
  console.log('|---|---:|---:|---:|')
  for (const b of bodies) console.log(`| ${b.label} | ${f(b.gateway)} | ${f(b.plain)} | ${f(b.gateway / b.plain, 2)} |`)
  console.log('| pipeline (mock, in-process) | p50 ms | p99 ms |')
  console.log('|---|---:|---:|')
  console.log(`| with the JSON log line | ${f(log.with.p50)} | ${f(log.with.p99)} |`)
  console.log(`| WATCHLLM_REQUEST_LOG=off | ${f(log.without.p50)} | ${f(log.without.p99)} |`)
  console.log(`log line: ${f((log.with.p50 - log.without.p50) * 1000, 1)} µs p50 per request (target < 20 µs)`)
  return { bodies, log }
}

async function benchBodies() {
  const { parseJsonBody } = await load('worker/src/middleware/json-body.ts')
  const chat = (bytes) =>
    JSON.stringify({
      model: 'gpt-4o-mini',
      temperature: 0.2,
      tools: [{ type: 'function', function: { name: 'lookup', parameters: { type: 'object', properties: { q: { type: 'string' } } } } }],
      messages: Array.from({ length: Math.max(2, Math.round(bytes / 1000)) }, (_, i) => ({ role: i % 2 ? 'assistant' : 'user', content: 'x'.repeat(960) })),
    })
  const out = []
  for (const [label, size] of [['4 KB', 4_000], ['100 KB', 100_000], ['1 MB', 1_000_000]]) {
    const text = chat(size)
    const request = () => new Request('http://gateway.local/v1/chat/completions', { method: 'POST', body: text })
    const sides = {
      gateway: async () => parseJsonBody(request(), 4 * 1024 * 1024),
      plain: async () => JSON.parse(await request().text()),
    }
    const samples = { gateway: [], plain: [] }
    for (let i = 0; i < BODY_RUNS; i++)
      for (const side of i % 2 ? ['gateway', 'plain'] : ['plain', 'gateway']) {
        const t0 = performance.now()
        await sides[side]()
        if (i >= 20) samples[side].push(performance.now() - t0)
      }
    for (const s of Object.values(samples)) s.sort((a, b) => a - b)
    out.push({ label, gateway: pct(samples.gateway, 0.5), plain: pct(samples.plain, 0.5) })
  }
  return out
}

async function benchLogLine() {
  const { createApp } = await load('worker/src/app.ts')
  const { compilePolicy } = await load('worker/src/policy/compile.ts')
  const { sha256Hex } = await load('worker/src/lib/hash.ts')
  const compiled = await compilePolicy([
    {
      path: 'bench.yaml',
      text: `providers: { mock: { type: mock } }\nmodels: { gpt-4o-mini: { targets: [{ provider: mock }] } }\nprojects:\n  p:\n    keys: [{ id: k, sha256: ${sha256Hex('lgw_bench_security')} }]\n    cache: { exact: { enabled: false } }\n`,
    },
  ])
  if (!compiled.ok) throw new Error(JSON.stringify(compiled.error))
  const app = createApp(compiled.value)
  const base = { WATCHLLM_ENV: 'local', WATCHLLM_TELEMETRY: 'off', DB: {}, CACHE_KV: {} }
  const envs = { with: base, without: { ...base, WATCHLLM_REQUEST_LOG: 'off' } }
  const body = JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'How far is the moon?' }] })
  const original = console.log
  let lines = 0
  console.log = (line) => {
    lines += String(line).length > 0 ? 1 : 0
  }
  try {
    const once = async (mode) => {
      const ctx = { waitUntil() {}, passThroughOnException() {}, props: {} }
      const request = new Request('http://gateway.local/v1/chat/completions', {
        method: 'POST',
        headers: { authorization: 'Bearer lgw_bench_security', 'content-type': 'application/json' },
        body,
      })
      const t0 = performance.now()
      const res = await app.fetch(request, envs[mode], ctx)
      await res.text()
      const ms = performance.now() - t0
      if (res.status !== 200) throw new Error(`the gateway answered ${res.status}`)
      return ms
    }
    for (let i = 0; i < 300; i++) for (const mode of ['with', 'without']) await once(mode)
    const before = lines
    const samples = { with: [], without: [] }
    for (let i = 0; i < LOG_PAIRS; i++) for (const mode of i % 2 ? ['with', 'without'] : ['without', 'with']) samples[mode].push(await once(mode))
    if (lines - before !== LOG_PAIRS) throw new Error(`expected ${LOG_PAIRS} log lines, saw ${lines - before}`)
    for (const s of Object.values(samples)) s.sort((a, b) => a - b)
    return { with: { p50: pct(samples.with, 0.5), p99: pct(samples.with, 0.99) }, without: { p50: pct(samples.without, 0.5), p99: pct(samples.without, 0.99) } }
  } finally {
    console.log = original
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await run()
