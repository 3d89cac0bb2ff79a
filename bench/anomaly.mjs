#!/usr/bin/env node
// `npm run bench` (BENCH_PARTS=anomaly, or `node bench/anomaly.mjs` alone): what anomaly detection
// adds to the limit stage, as ratios against the same pipeline without it, in one run of one local
// runtime (workerd under `wrangler dev --local`, the ScopeLedger Durable Objects local too),
// against one instant local upstream. Three projects on one generated worker, requests
// interleaved in rotating order so machine noise hits all alike:
//   (b) key + project rate limits and a project + a key USD budget (bench/limits.mjs's (b));
//   (d) the same plus anomaly detection on the key: the same ledgers, which now also keep spend
//       buckets and judge growth at each settlement (in waitUntil);
//   (e) detection on the key and on each session: a session ledger more (a lease per 20 s per
//       isolate, its settlements).
// Then the same three in this V8 (app.fetch, ledgers in memory), and the ledger's own work per
// settlement with and without detection, with a full baseline of buckets. Telemetry is off.
// 127.0.0.1 only, bounded in time; every process it starts is stopped by PID at the end.
import { spawn } from 'node:child_process'
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { tsImport } from 'tsx/esm/api'
import { pct } from './lib/client.mjs'
import { freePort } from './lib/processes.mjs'
import { waitFor, workerdCpuMs } from './limits.mjs'
import { startUpstream } from './upstream.mjs'

const root = fileURLToPath(new URL('..', import.meta.url))
const SAMPLES = Number(process.env.BENCH_ANOMALY_SAMPLES ?? 1500)
const WARMUP = 300
const CPU_SAMPLE = 1000
const KEYS = { limited: 'lgw_bench_anomaly_off', key: 'lgw_bench_anomaly_key', both: 'lgw_bench_anomaly_both' }
const SESSION = { 'x-watchllm-session': 'bench-agent' }
const SCENARIOS = [
  { name: '(b) limits + budgets', key: KEYS.limited, headers: SESSION },
  { name: '(d) + detection on the key', key: KEYS.key, headers: SESSION },
  { name: '(e) + on each session too', key: KEYS.both, headers: SESSION },
]

export async function run() {
  const dir = join(root, '.tmp/bench-anomaly')
  const state = mkdtempSync(join(tmpdir(), 'watchllm-bench-anomaly-'))
  const stops = []
  try {
    const upstream = await startUpstream()
    stops.push(() => upstream.close())
    writeBenchWorker(dir)
    const port = await freePort()
    const proc = spawn(
      join(root, 'node_modules/.bin/wrangler'),
      ['dev', '--local', '--ip', '127.0.0.1', '--port', String(port), '--persist-to', state, '--show-interactive-dev-session=false', '--log-level', 'error', '--var', `BENCH_UPSTREAM_URL:${upstream.url}`],
      { cwd: dir, stdio: ['ignore', 'ignore', 'inherit'], env: { ...process.env, PATH: `${root}node_modules/.bin:${process.env.PATH}`, CLOUDFLARE_CF_FETCH_ENABLED: 'false', WRANGLER_SEND_METRICS: 'false' } },
    )
    stops.push(() => proc.exitCode === null && proc.kill('SIGTERM'))
    const base = `http://127.0.0.1:${port}`
    await waitFor(`${base}/health`, proc)

    let n = 0
    const send = async (s) => {
      const res = await fetch(`${base}/v1/chat/completions`, {
        method: 'POST',
        headers: { authorization: `Bearer ${s.key}`, 'content-type': 'application/json', ...s.headers },
        body: JSON.stringify({ model: 'bench-model', max_tokens: 64, messages: [{ role: 'user', content: `question ${n++}` }] }),
      })
      if (res.status !== 200) throw new Error(`${s.name} answered ${res.status}: ${(await res.text()).slice(0, 200)}`)
      await res.arrayBuffer()
    }
    for (const s of SCENARIOS) for (let i = 0; i < WARMUP; i++) await send(s)
    const times = SCENARIOS.map(() => [])
    for (let i = 0; i < SAMPLES; i++)
      for (let k = 0; k < SCENARIOS.length; k++) {
        const j = (i + k) % SCENARIOS.length
        const t = process.hrtime.bigint()
        await send(SCENARIOS[j])
        times[j].push(Number(process.hrtime.bigint() - t) / 1e6)
      }
    const paired = SCENARIOS.map((_, j) => pct(times[j].map((t, i) => t - times[0][i]).sort((x, y) => x - y), 0.5))
    const results = SCENARIOS.map((s, j) => {
      const sorted = [...times[j]].sort((x, y) => x - y)
      return { name: s.name, p50: pct(sorted, 0.5), p99: pct(sorted, 0.99), paired: paired[j] }
    })
    for (const [j, s] of SCENARIOS.entries()) {
      const before = workerdCpuMs(proc.pid)
      for (let i = 0; i < CPU_SAMPLE; i++) await send(s)
      results[j].cpu = (workerdCpuMs(proc.pid) - before) / CPU_SAMPLE
    }
    printTable(results)
    const inProcess = await measureInProcess()
    const ledger = await measureSettlement()
    return { workerd: results, inProcess, ledger }
  } finally {
    for (const stop of stops.reverse()) await Promise.resolve(stop()).catch(() => undefined)
    rmSync(state, { recursive: true, force: true })
  }
}

function printTable(results) {
  const [b, d, e] = results
  const f = (x) => x.toFixed(3).padStart(8)
  console.log(`\nAnomaly detection — one workerd process (local Durable Objects); ${SAMPLES} requests per row, interleaved in rotating order (after ${WARMUP} warm-up); CPU over ${CPU_SAMPLE} requests`)
  console.log(`${'scenario'.padEnd(34)}  p50 ms   p99 ms   vs (b) p50   CPU ms/req`)
  for (const r of results) console.log(`${r.name.padEnd(34)}${f(r.p50)} ${f(r.p99)}   ${(r.p50 / b.p50).toFixed(3)}×  ${f(r.cpu)}`)
  console.log(`\ndetection on the key   ${(d.p50 - b.p50).toFixed(3)} ms p50 (median paired difference ${d.paired.toFixed(3)} ms; ${(d.cpu - b.cpu).toFixed(3)} ms CPU incl. the settlement in waitUntil); ratio ${(d.p50 / b.p50).toFixed(3)}×`)
  console.log(`and on each session    ${(e.p50 - b.p50).toFixed(3)} ms p50 (median paired ${e.paired.toFixed(3)} ms; a third ledger); ratio ${(e.p50 / b.p50).toFixed(3)}×\n`)
}

/** The three scenarios in this V8: app.fetch timed to the last byte, the ledgers in memory one event-loop turn away. */
async function measureInProcess(samples = SAMPLES * 2) {
  const { createApp } = await tsImport('../worker/src/app.ts', import.meta.url)
  const { compilePolicy } = await tsImport('../worker/src/policy/compile.ts', import.meta.url)
  const { sha256Hex } = await tsImport('../worker/src/lib/hash.ts', import.meta.url)
  const { Ledger, emptyState } = await tsImport('../worker/src/governance/ledger.ts', import.meta.url)
  const text = policy('  mock: { type: mock }', '{ provider: mock, model: gpt-4o-mini }').replace(/\$\{sha256Hex\('([^']+)'\)\}/g, (_, key) => sha256Hex(key))
  const compiled = await compilePolicy([{ path: 'bench.yaml', text }])
  if (!compiled.ok) throw new Error(JSON.stringify(compiled.error))
  const app = createApp(compiled.value)
  const ledgers = new Map()
  const ledger = (name) => ledgers.get(name) ?? ledgers.set(name, new Ledger(emptyState(), () => {})).get(name)
  const hop = (work) => new Promise((resolve) => setImmediate(() => resolve(work())))
  const LEDGER = {
    idFromName: (name) => name,
    get: (name) => ({
      lease: (call) => hop(() => ledger(name).lease(structuredClone(call), Date.now())),
      settleMany: (items, budgets, tokens, anomaly) => hop(() => ledger(name).settleMany(items, budgets, tokens, anomaly, Date.now())),
      release: (id, unused, rate) => hop(() => ledger(name).release(id, unused, rate, Date.now())),
      view: (budgets, rate) => hop(() => ledger(name).view(budgets, rate, Date.now())),
    }),
  }
  const env = { WATCHLLM_ENV: 'local', WATCHLLM_TELEMETRY: 'off', LEDGER, CACHE_KV: { get: async () => null, put: async () => undefined }, EVENTS: { send: async () => {} }, DB: {} }
  let n = 0
  const pending = []
  const once = async (s) => {
    const ctx = { waitUntil: (p) => pending.push(p), passThroughOnException() {}, props: {} }
    const request = new Request('http://gateway.local/v1/chat/completions', {
      method: 'POST',
      headers: { authorization: `Bearer ${s.key}`, 'content-type': 'application/json', ...s.headers },
      body: JSON.stringify({ model: 'bench-model', max_tokens: 64, messages: [{ role: 'user', content: `question ${n++}` }] }),
    })
    const t0 = performance.now()
    const res = await app.fetch(request, env, ctx)
    await res.text()
    const ms = performance.now() - t0
    if (res.status !== 200) throw new Error(`in-process gateway answered ${res.status}`)
    if (pending.length >= 300) await Promise.all(pending.splice(0))
    return ms
  }
  for (let i = 0; i < WARMUP; i++) for (const s of SCENARIOS) await once(s)
  const times = SCENARIOS.map(() => [])
  for (let i = 0; i < samples; i++)
    for (let k = 0; k < SCENARIOS.length; k++) {
      const j = (i + k) % SCENARIOS.length
      times[j].push(await once(SCENARIOS[j]))
    }
  await Promise.all(pending.splice(0))
  const p50 = times.map((t) => pct([...t].sort((x, y) => x - y), 0.5))
  const us = (ms) => `${Math.round(ms * 1000)} µs`
  console.log(`In this V8 (app.fetch, mock provider, ledgers in memory one event-loop turn away), ${samples} requests per row:`)
  console.log(`  (b) ${us(p50[0])}   (d) + detection on the key ${us(p50[1])}   (e) + on each session ${us(p50[2])} p50`)
  console.log(`  detection adds ${us(p50[1] - p50[0])} p50 on the key (d − b), ${us(p50[2] - p50[0])} with sessions too (e − b)\n`)
  return { p50 }
}

/** The ledger's work per settlement (one request per batch), with a full baseline of buckets, with and without detection. */
async function measureSettlement(rounds = 20_000) {
  const { Ledger, emptyState } = await tsImport('../worker/src/governance/ledger.ts', import.meta.url)
  const spec = { metric: 'usd', windowMs: 60_000, baselineMs: 100 * 60_000, ratio: 5, minBaseline: 0.01, action: 'flag', cooldownMs: 60_000 }
  const budgets = [{ name: 'daily', period: 'day', unit: 'usd', limit: 1e9, action: 'block', thresholds: [50, 80, 100] }]
  const item = (t) => ({ leaseId: `l${t}`, held: { requests: 0, tokens: 0, budgets: { daily: 0.001 } }, actual: { usd: 0.001, tokens: 100, rateTokens: 100 }, requestId: `r${t}` })
  const time = (anomaly) => {
    const l = new Ledger(emptyState(), () => {})
    const start = Date.UTC(2030, 0, 1)
    // One settlement a second, steady (so each is judged and none flagged: a flag would start a
    // cooldown, which skips the judging), for window + baseline first: the scope then holds its most
    // buckets (404), and each judgement sums them all.
    for (let t = start; t < start + 101 * 60_000; t += 1_000) l.settleMany([item(t)], budgets, undefined, anomaly, t)
    const times = []
    let flagged = 0
    for (let i = 0; i < rounds; i++) {
      const now = start + 101 * 60_000 + i * 1_000
      const t0 = process.hrtime.bigint()
      const answer = l.settleMany([item(now)], budgets, undefined, anomaly, now)
      times.push(Number(process.hrtime.bigint() - t0) / 1e3)
      if (answer.flagged) flagged++
    }
    if (flagged > 0) throw new Error(`steady traffic was flagged ${flagged} times`)
    return pct(times.sort((x, y) => x - y), 0.5)
  }
  time(spec) // warm-up
  const [off, on] = [time(undefined), time(spec)]
  console.log(`Ledger work per settlement (one item; in the Durable Object, off the response path; ${rounds} rounds, 404 buckets held):`)
  console.log(`  without detection ${off.toFixed(2)} µs, with ${on.toFixed(2)} µs p50 (+${(on - off).toFixed(2)} µs)\n`)
  return { off, on }
}

function writeBenchWorker(dir) {
  mkdirSync(dir, { recursive: true })
  writeFileSync(
    join(dir, 'wrangler.jsonc'),
    JSON.stringify(
      {
        name: 'watchllm-bench-anomaly',
        main: 'index.ts',
        compatibility_date: '2026-11-01',
        compatibility_flags: ['nodejs_compat'],
        vars: { WATCHLLM_ENV: 'local', WATCHLLM_TELEMETRY: 'off' },
        durable_objects: { bindings: [{ name: 'LEDGER', class_name: 'ScopeLedger' }] },
        migrations: [{ tag: 'v1', new_sqlite_classes: ['ScopeLedger'] }],
      },
      null,
      2,
    ),
  )
  const text = policy('  upstream: { type: openai-compatible, base_url: { var: BENCH_UPSTREAM_URL } }', '{ provider: upstream, model: gpt-4o-mini }')
  writeFileSync(
    join(dir, 'index.ts'),
    `// Generated by bench/anomaly.mjs — do not edit.
import { createApp } from '../../worker/src/app.ts'
import { sha256Hex } from '../../worker/src/lib/hash.ts'
import { compilePolicy } from '../../worker/src/policy/compile.ts'

export { ScopeLedger } from '../../worker/src/durable/scope-ledger.ts'

const compiled = await compilePolicy([{ path: 'bench.yaml', text: \`${text}\` }])
if (!compiled.ok) throw new Error(JSON.stringify(compiled.error))
const app = createApp(compiled.value)

export default { fetch: app.fetch }
`,
  )
}

/** Three projects that differ only in their anomaly detection (a ratio steady traffic never reaches, action flag). */
function policy(providers, target) {
  const limits = 'limits: { key: { requests: 1000000, tokens: 1000000000 }, project: { requests: 1000000, tokens: 1000000000 } }'
  const budgets = 'budgets: { daily: { scope: project, usd: 1000000 }, mine: { scope: key, period: month, usd: 1000000 } }'
  const detect = (scopes) => `anomaly: { metric: usd, scopes: ${scopes}, window_seconds: 60, baseline_seconds: 3600, ratio: 50, min_baseline: 0.0001 }`
  const project = (name, key, extra) =>
    `  ${name}:\n    keys: [{ id: ${name}, sha256: \${sha256Hex('${key}')}, local_only: true }]\n    cache: { exact: { store: none } }\n    ${limits}\n    ${budgets}\n${extra ? `    ${extra}\n` : ''}`
  return `providers:\n${providers}\nmodels:\n  bench-model: { targets: [${target}] }\nprojects:\n${project('limited', KEYS.limited)}${project('watched', KEYS.key, detect('[key]'))}${project('sessions', KEYS.both, detect('[key, session]'))}`
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await run()
