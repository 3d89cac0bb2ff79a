#!/usr/bin/env node
// `npm run bench` (or `node bench/semantic.mjs` alone): the semantic cache's cost, in one local
// runtime (workerd under `wrangler dev --local`, local D1), measured from outside the runtime —
// workerd's clock does not advance during computation, so nothing is timed from inside.
//
//   1. D1 vector store lookup (the mirror scan, the candidates' D1 read, exact cosine, decision)
//      with 1k and 10k entries all in ONE context — the worst case, a single-system-prompt bot —
//      at 512-d (USE-lite, local) and 768-d (bge-base, Workers AI); the mirror's cold load apart.
//      Latency = p50 of a request that runs the lookup minus p50 of one that does nothing.
//   2. The gateway: a plain exact miss vs an exact miss that goes on to a semantic lookup
//      (10k entries in its context) vs a semantic hit, against the same instant local upstream,
//      with the real local embedding model.
//
// The bench worker is generated into .tmp/bench-semantic/ (it imports the gateway's own modules),
// everything listens on 127.0.0.1, and every process started is stopped by PID at the end.
import { spawn } from 'node:child_process'
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { startUpstream } from './upstream.mjs'

const root = fileURLToPath(new URL('..', import.meta.url))
const SAMPLES = Number(process.env.BENCH_SEMANTIC_SAMPLES ?? 600)
const GATEWAY_SAMPLES = Number(process.env.BENCH_SEMANTIC_GATEWAY_SAMPLES ?? 200)
const WARMUP = 50
const COLD_RUNS = 5
const KEY_PLAIN = 'lgw_bench_semantic_plain'
const KEY_SEM = 'lgw_bench_semantic_on'
const KEY_SEMV = 'lgw_bench_semantic_verified'
const CACHED = 'How do I change my billing address?'
const PARAPHRASE = 'How can I change my billing address?'

export async function run() {
  const dir = join(root, '.tmp/bench-semantic')
  const state = mkdtempSync(join(tmpdir(), 'watchllm-bench-semantic-'))
  const stops = []
  try {
    // The embedder in its own process: in this one, its WASM compute would block the client's own
    // clock (a verification judge embedding answers after a response would look like response latency).
    const embeddingsPort = await freePort()
    const embedder = spawn(join(root, 'node_modules/.bin/node'), [join(root, 'scripts/embeddings-server.ts')], {
      cwd: root,
      stdio: ['ignore', 'ignore', 'inherit'],
      env: { ...process.env, EMBEDDINGS_PORT: String(embeddingsPort) },
    })
    stops.push(() => embedder.exitCode === null && embedder.kill('SIGTERM'))
    const embeddings = { url: `http://127.0.0.1:${embeddingsPort}` }
    await waitFor(`${embeddings.url}/healthz`, embedder)
    const upstream = await startUpstream()
    stops.push(() => upstream.close())
    writeBenchWorker(dir)
    await wrangler(['d1', 'migrations', 'apply', 'DB', '--local', '--persist-to', state], dir)
    const port = await freePort()
    const proc = spawnWrangler(
      ['dev', '--local', '--ip', '127.0.0.1', '--port', String(port), '--persist-to', state, '--show-interactive-dev-session=false', '--log-level', 'error',
        '--var', `EMBEDDINGS_URL:${embeddings.url}`, '--var', `BENCH_UPSTREAM_URL:${upstream.url}`],
      dir,
    )
    stops.push(() => proc.exitCode === null && proc.kill('SIGTERM'))
    const base = `http://127.0.0.1:${port}`
    await waitFor(`${base}/noop`, proc)

    const lookups = []
    for (const [entries, dims] of [[1_000, 512], [10_000, 512], [10_000, 768]]) lookups.push(await benchLookups(base, entries, dims))
    const gateway = await benchGateway(base, embeddings.url)
    printTables(lookups, gateway)
  } finally {
    for (const stop of stops.reverse()) await Promise.resolve(stop()).catch(() => undefined)
    rmSync(state, { recursive: true, force: true })
  }
}

async function benchLookups(base, entries, dims) {
  const context = `bench-${dims}-${entries}`
  await post(`${base}/seed`, { context, entries, dims })
  const q = (mode, extra = '') => `${base}/lookup?context=${context}&dims=${dims}&mode=${mode}${extra}`
  // Cold: a fresh mirror per request, so each one loads all `entries` rows from D1.
  const cold = []
  for (let i = 0; i < COLD_RUNS; i++) cold.push(await timed(() => get(q('miss', '&cold=1'))))
  const rows = await sample({
    noop: () => get(`${base}/noop`),
    miss: () => get(q('miss')),
    hit: () => get(q('hit')),
    hitSyncEvery: () => get(q('hit', '&sync=0')),
  }, SAMPLES)
  const checked = await get(q('hit')).then((r) => r.json())
  if (!checked.hit) throw new Error(`the seeded ${context} lookup did not hit`)
  return { entries, dims, cold: median(cold), ...rows }
}

async function benchGateway(base, embeddingsUrl) {
  // The gateway context the bench project's requests fall in, then 10k entries there, plus the one
  // real question (its embedding from the local model) whose paraphrase must hit.
  const [vector] = await embed(embeddingsUrl, [CACHED])
  for (const project of ['sem', 'semv']) await post(`${base}/seed-gateway`, { entries: 10_000, question: CACHED, vector, project })
  const chat = (key, content) => () =>
    fetch(`${base}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'bench-model', messages: [{ role: 'user', content }] }),
    }).then(async (res) => {
      await res.arrayBuffer()
      if (res.status !== 200) throw new Error(`gateway answered ${res.status}`)
      return res
    })
  for (const key of [KEY_SEM, KEY_SEMV]) {
    const first = await chat(key, PARAPHRASE)()
    if (first.headers.get('x-watchllm-cache') !== 'SEMANTIC') throw new Error('the seeded gateway context did not answer SEMANTIC')
  }
  let n = 0
  const fresh = () => uniqueQuestion(n++)
  return sample({
    plainMiss: () => chat(KEY_PLAIN, fresh())(),
    semanticMiss: () => chat(KEY_SEM, fresh())(),
    semanticHit: () => chat(KEY_SEM, PARAPHRASE)(),
    semanticHitVerified: () => chat(KEY_SEMV, PARAPHRASE)(),
    embedOnly: () => embed(embeddingsUrl, [fresh()]),
  }, GATEWAY_SAMPLES)
}

/** Questions no entry answers: digit-free word combinations, so each is a genuine miss. */
const WORDS = 'alpha amber basil cedar cobalt delta ember fable garnet harbor indigo jasper kestrel lagoon maple nickel onyx pepper quartz raven saffron timber umber velvet willow yarrow zephyr'.split(' ')
function uniqueQuestion(n) {
  const w = (k) => WORDS[Math.floor(n / WORDS.length ** k) % WORDS.length]
  return `Could you describe the ${w(0)} ${w(1)} ${w(2)} process in detail?`
}

/** Interleaved rounds (every scenario once per round), so machine noise hits all alike. */
async function sample(scenarios, count) {
  const names = Object.keys(scenarios)
  const times = Object.fromEntries(names.map((k) => [k, []]))
  for (let i = 0; i < WARMUP + count; i++) {
    for (const name of names) {
      const ms = await timed(scenarios[name])
      if (i >= WARMUP) times[name].push(ms)
    }
  }
  return Object.fromEntries(names.map((k) => [k, stats(times[k])]))
}

function printTables(lookups, g) {
  const f = (x) => x.toFixed(3).padStart(8)
  console.log(`\nSemantic lookup in the D1 vector store — all entries in ONE context; ${SAMPLES} interleaved samples each (after ${WARMUP} warm-up)`)
  console.log('lookup ms = p50 of the request minus p50 of a no-op request to the same worker')
  console.log(`${'entries'.padStart(7)} ${'dims'.padStart(5)}  ${'miss p50'.padStart(8)} ${'miss p99'.padStart(8)}  ${'hit p50'.padStart(8)} ${'hit p99'.padStart(8)}  ${'hit+sync'.padStart(8)}  ${'cold load'.padStart(9)}`)
  for (const r of lookups) {
    const o = r.noop.p50
    console.log(`${String(r.entries).padStart(7)} ${String(r.dims).padStart(5)}  ${f(r.miss.p50 - o)} ${f(r.miss.p99 - o)}  ${f(r.hit.p50 - o)} ${f(r.hit.p99 - o)}  ${f(r.hitSyncEvery.p50 - o)}  ${f(r.cold - o).padStart(9)}`)
  }
  const ten = lookups.find((r) => r.entries === 10_000 && r.dims === 512)
  const one = lookups.find((r) => r.entries === 1_000)
  console.log('miss: no entry close enough (scan only); hit: scan + D1 read of ≤ 4 candidates + exact cosine + decision;')
  console.log('hit+sync: the same with the mirror re-synced from D1 on every lookup (default: at most once a second);')
  console.log('cold load: first lookup of a context in a fresh isolate (all rows read from D1 into the mirror).')
  console.log(`10k vs 1k (512-d)      hit p50 ${(ten.hit.p50 - ten.noop.p50).toFixed(3)} ms vs ${(one.hit.p50 - one.noop.p50).toFixed(3)} ms; ratio ${((ten.hit.p50 - ten.noop.p50) / Math.max(0.001, one.hit.p50 - one.noop.p50)).toFixed(2)}×`)
  console.log(`target                 10k lookup ≤ 5 ms p50: ${ten.hit.p50 - ten.noop.p50 <= 5 ? 'met' : 'NOT met'}`)

  console.log(`\nGateway: exact miss → semantic lookup (10k entries in the context), ${GATEWAY_SAMPLES} interleaved samples each, instant local upstream`)
  console.log(`${'scenario'.padEnd(44)}  p50 ms   p99 ms   vs plain miss`)
  const row = (name, s) => console.log(`${name.padEnd(44)}${f(s.p50)} ${f(s.p99)}   ${(s.p50 / g.plainMiss.p50).toFixed(2)}× p50`)
  row('(a) plain exact miss (semantic off)', g.plainMiss)
  row('(b) exact miss + semantic miss → upstream', g.semanticMiss)
  row('(c) exact miss + semantic hit (SEMANTIC)', g.semanticHit)
  row('(d) semantic hit, every hit re-asked + judged', g.semanticHitVerified)
  row('    embedding alone (local USE-lite, from Node)', g.embedOnly)
  console.log(`verification on the response: (d) / (c) hit p50 ${(g.semanticHitVerified.p50 / g.semanticHit.p50).toFixed(2)}× (its re-ask and judge run after the answer, in waitUntil)`)
  console.log(`semantic miss adds     ${(g.semanticMiss.p50 - g.plainMiss.p50).toFixed(3)} ms p50 to a miss, of which ~${g.embedOnly.p50.toFixed(3)} ms is the embedding; against a real LLM call (hundreds of ms) that is the relevant figure, not the ratio\n`)
}

// --- the bench worker -------------------------------------------------------------------------

function writeBenchWorker(dir) {
  mkdirSync(dir, { recursive: true })
  writeFileSync(join(dir, 'wrangler.jsonc'), JSON.stringify({
    name: 'watchllm-bench-semantic',
    main: 'index.ts',
    compatibility_date: '2026-11-01',
    compatibility_flags: ['nodejs_compat'],
    // Telemetry off: both gateway scenarios would pay the same event write; it is not what is measured.
    vars: { WATCHLLM_ENV: 'local', WATCHLLM_TELEMETRY: 'off' },
    d1_databases: [{ binding: 'DB', database_name: 'bench', database_id: 'bench-semantic', migrations_dir: '../../worker/migrations/d1' }],
  }, null, 2))
  writeFileSync(join(dir, 'index.ts'), BENCH_WORKER)
}

const BENCH_WORKER = `// Generated by bench/semantic.mjs — do not edit.
import { createApp } from '../../worker/src/app.ts'
import type { GatewayEnv } from '../../worker/src/env.ts'
import { MirrorRegistry } from '../../worker/src/cache/semantic/context-mirror.ts'
import { d1VectorIndex } from '../../worker/src/cache/semantic/d1-index.ts'
import { SemanticEntries } from '../../worker/src/cache/semantic/entries.ts'
import { findSemanticHit } from '../../worker/src/cache/semantic/lookup.ts'
import { normalise, sketchOf, sketchText, vectorBytes } from '../../worker/src/cache/semantic/quantize.ts'
import { contextKey, entryId } from '../../worker/src/cache/semantic/semantic-request.ts'
import { resolveTargets, routeFingerprint } from '../../worker/src/middleware/resolve-route.ts'
import { compilePolicy } from '../../worker/src/policy/compile.ts'
import { sha256Hex } from '../../worker/src/lib/hash.ts'

const POLICY = \`
providers:
  upstream: { type: openai-compatible, base_url: { var: BENCH_UPSTREAM_URL } }
models:
  bench-model: { targets: [{ provider: upstream, model: bench-model }] }
projects:
  plain:
    keys: [{ id: plain, sha256: \${sha256Hex('${KEY_PLAIN}')}, local_only: true }]
    cache: { exact: { store: none } }
  sem:
    keys: [{ id: sem, sha256: \${sha256Hex('${KEY_SEM}')}, local_only: true }]
    cache: { exact: { store: none }, semantic: { enabled: true, threshold: 0.85, verification: { sample_rate: 0 } } }
  semv:
    keys: [{ id: semv, sha256: \${sha256Hex('${KEY_SEMV}')}, local_only: true }]
    cache: { exact: { store: none }, semantic: { enabled: true, threshold: 0.85, verification: { sample_rate: 1, daily_cap: 1000000 } } }
\`
const compiled = await compilePolicy([{ path: 'bench.yaml', text: POLICY }])
if (!compiled.ok) throw new Error(JSON.stringify(compiled.error))
const policy = compiled.value
const app = createApp(policy)
const warm = new MirrorRegistry(256 << 20, 50_000)

/** Vectors shaped like sentence embeddings: a shared direction plus noise (pairwise cosine ~0.2). */
function vectorOf(seed: number, dims: number): Float32Array {
  let x = (seed + 1) * 2654435761 || 1
  const next = () => { x ^= x << 13; x ^= x >>> 17; x ^= x << 5; return ((x >>> 0) / 2 ** 32) * 2 - 1 }
  const v = new Float32Array(dims)
  for (let i = 0; i < dims; i++) v[i] = 0.45 * Math.cos(i) + next()
  return normalise(v)
}
function near(v: Float32Array, seed: number): Float32Array {
  const noise = vectorOf(seed, v.length)
  return normalise(v.map((x, i) => x + 0.15 * noise[i]!))
}

async function seed(db: D1Database, context: string, vectors: (i: number) => Float32Array, questions: (i: number) => string, count: number) {
  const insert = db.prepare('INSERT OR REPLACE INTO semantic_entries (id, context, embedder, vector, sketch, question, answer, created_at, expires_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)')
  const now = Date.now()
  const answer = '{"endpoint":"chat","provider":"upstream","model":"bench-model"}\\n{"id":"x","object":"chat.completion","created":1,"model":"bench-model","choices":[{"index":0,"message":{"role":"assistant","content":"cached"},"finish_reason":"stop","logprobs":null}]}'
  for (let i = 0; i < count; i += 500) {
    const batch = []
    for (let j = i; j < Math.min(count, i + 500); j++) {
      const v = vectors(j)
      batch.push(insert.bind(entryId(context, questions(j)), context, 'bench', vectorBytes(v), sketchText(sketchOf(v)), questions(j), answer, now, now + 86_400_000))
    }
    await db.batch(batch)
  }
}

export default {
  async fetch(request: Request, env: GatewayEnv, ctx: ExecutionContext): Promise<Response> {
    const url = new URL(request.url)
    const p = (name: string) => url.searchParams.get(name) ?? ''
    if (url.pathname === '/noop') return Response.json({ ok: true })
    if (url.pathname === '/seed') {
      const { context, entries, dims } = (await request.json()) as { context: string; entries: number; dims: number }
      await seed(env.DB, context, (i) => vectorOf(i, dims), (i) => 'How do I reset the password of account ' + i + '?', entries)
      return Response.json({ seeded: entries })
    }
    if (url.pathname === '/seed-gateway') {
      const { entries, question, vector, project } = (await request.json()) as { entries: number; question: string; vector: number[]; project: string }
      const route = policy.models['bench-model']!
      const targets = resolveTargets('bench-model', route, policy.providers, env)
      const context = contextKey(
        { project, namespace: 'default', alias: 'bench-model', route: routeFingerprint(targets), embedder: 'local:use-lite-512', dimensions: vector.length },
        { model: 'bench-model', messages: [] },
      )
      await seed(env.DB, context, (i) => (i === 0 ? normalise(Float32Array.from(vector)) : vectorOf(i, vector.length)), (i) => (i === 0 ? question : 'seeded question ' + i), entries + 1)
      return Response.json({ context })
    }
    if (url.pathname === '/lookup') {
      const dims = Number(p('dims'))
      const mirrors = p('cold') === '1' ? new MirrorRegistry(256 << 20, 50_000) : warm
      const entries = new SemanticEntries(env.DB)
      const index = d1VectorIndex({ entries, mirrors, now: Date.now, syncIntervalMs: p('sync') === '0' ? 0 : undefined })
      const target = Math.floor(Math.random() * 500)
      const hitMode = p('mode') === 'hit'
      const vector = hitMode ? near(vectorOf(target, dims), 1e6 + target) : vectorOf(2e6 + Math.floor(Math.random() * 1e6), dims)
      // A reworded question (not identical text), so the fitted model really scores it; threshold 0:
      // the vectors are synthetic, so any candidate the rules do not refuse counts as the hit.
      const question = hitMode ? 'How can I reset the password of account ' + target + '?' : 'unrelated'
      const found = await findSemanticHit(index, entries, { vector, context: p('context'), question, embedder: 'local:use-lite-512', threshold: 0, now: Date.now() })
      return Response.json({ hit: found.hit !== undefined })
    }
    return app.fetch(request, env, ctx)
  },
}
`

// --- helpers ------------------------------------------------------------------------------------

async function embed(url, texts) {
  const res = await fetch(`${url}/v1/embeddings`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ model: 'use-lite-512', input: texts }) })
  return (await res.json()).data.map((d) => d.embedding)
}

async function get(url) {
  const res = await fetch(url)
  if (res.status !== 200) throw new Error(`${url} answered ${res.status}: ${(await res.text()).slice(0, 200)}`)
  return res
}

async function post(url, body) {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) })
  if (res.status !== 200) throw new Error(`${url} answered ${res.status}: ${(await res.text()).slice(0, 300)}`)
  return res.json()
}

async function timed(fn) {
  const t = process.hrtime.bigint()
  const res = await fn()
  if (res?.arrayBuffer && !res.bodyUsed) await res.arrayBuffer()
  return Number(process.hrtime.bigint() - t) / 1e6
}

function stats(times) {
  const sorted = [...times].sort((a, b) => a - b)
  const pct = (q) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]
  return { p50: pct(0.5), p99: pct(0.99) }
}

const median = (xs) => stats(xs).p50

function spawnWrangler(args, cwd, stdio = ['ignore', 'ignore', 'inherit']) {
  return spawn(join(root, 'node_modules/.bin/wrangler'), args, {
    cwd,
    stdio,
    env: { ...process.env, PATH: `${join(root, 'node_modules/.bin')}:${process.env.PATH}`, CLOUDFLARE_CF_FETCH_ENABLED: 'false', WRANGLER_SEND_METRICS: 'false' },
  })
}

async function wrangler(args, cwd) {
  const proc = spawnWrangler(args, cwd, ['ignore', 'ignore', 'inherit'])
  const code = await new Promise((resolve) => proc.on('exit', resolve))
  if (code !== 0) throw new Error(`wrangler ${args.slice(0, 3).join(' ')} failed (${code})`)
}

async function waitFor(url, proc, timeoutMs = 90_000) {
  const deadline = Date.now() + timeoutMs
  while (Date.now() < deadline) {
    if (proc.exitCode !== null) throw new Error(`${url} never answered: its process exited with ${proc.exitCode}`)
    try {
      if ((await fetch(url)).ok) return
    } catch {}
    await new Promise((r) => setTimeout(r, 200))
  }
  throw new Error(`${url} did not start`)
}

function freePort() {
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address()
      s.close(() => resolve(port))
    })
  })
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  run().catch((e) => {
    console.error(`semantic bench failed: ${e.message}`)
    process.exit(1)
  })
}
