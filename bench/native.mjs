// Native-API benchmarks (`npm run bench` calls `run()`; BENCH_PARTS=native selects it), in this V8 —
// the engine workerd embeds — on the modules the Worker runs, with the gateway app in-process:
//   1. passthrough: /v1/messages through the gateway to the fake Anthropic upstream (a local HTTP
//      server speaking its wire format), against the official SDK calling that upstream directly;
//      requests interleaved, the ratio and difference of p50s.
//   2. translation: /v1/messages and /v1/responses answered by the mock (request → chat view →
//      chat answer → the shape), against /v1/chat/completions on the same mock: what a shape costs
//      beyond chat, JSON and streamed.
// Bounded (< 60 s); the fake upstream listens on 127.0.0.1 and is closed at the end.
import { fileURLToPath } from 'node:url'
import { tsImport } from 'tsx/esm/api'

const root = fileURLToPath(new URL('..', import.meta.url))
const PAIRS = Number(process.env.BENCH_NATIVE_REQUESTS ?? 1000)
const KEY = 'lgw_bench_native'
const load = (path) => tsImport(`${root}${path}`, import.meta.url)

export async function run() {
  const started = Date.now()
  const { createApp } = await load('worker/src/app.ts')
  const { compilePolicy } = await load('worker/src/policy/compile.ts')
  const { sha256Hex } = await load('worker/src/lib/hash.ts')
  const { startFakeAnthropic } = await load('worker/test/fakes/anthropic.ts')
  const { default: Anthropic } = await import('@anthropic-ai/sdk')
  const fake = await startFakeAnthropic('sk-ant-bench')
  try {
    const compiled = await compilePolicy([
      {
        path: 'bench.yaml',
        text: `
providers:
  anthropic: { type: anthropic, api_key: { secret: BENCH_ANTHROPIC_KEY }, base_url: ${fake.url} }
  mock: { type: mock, stream_chunks: 4 }
models:
  claude: { targets: [{ provider: anthropic, model: claude-haiku-4-5 }] }
  mocked: { targets: [{ provider: mock, model: gpt-4o-mini }] }
projects:
  p:
    keys: [{ id: k, sha256: ${sha256Hex(KEY)} }]
    cache: { exact: { enabled: false } }
`,
      },
    ])
    if (!compiled.ok) throw new Error(JSON.stringify(compiled.error))
    const app = createApp(compiled.value)
    const env = { WATCHLLM_ENV: 'local', WATCHLLM_TELEMETRY: 'off', BENCH_ANTHROPIC_KEY: 'sk-ant-bench', DB: {}, CACHE_KV: {} }
    const gateway = async (path, body) => {
      const ctx = { waitUntil() {}, passThroughOnException() {}, props: {} }
      const res = await app.fetch(new Request(`http://gateway.local${path}`, { method: 'POST', headers: { 'x-api-key': KEY, authorization: `Bearer ${KEY}`, 'content-type': 'application/json' }, body: JSON.stringify(body) }), env, ctx)
      const text = await res.text()
      if (res.status !== 200) throw new Error(`${path} answered ${res.status}: ${text.slice(0, 200)}`)
    }
    const direct = new Anthropic({ apiKey: 'sk-ant-bench', baseURL: fake.url, maxRetries: 0 })
    let n = 0
    const message = (model) => ({ model, max_tokens: 100, messages: [{ role: 'user', content: `A short question number ${n++}` }] })
    const passthrough = await interleaved({
      direct: () => direct.messages.create(message('claude-haiku-4-5')),
      gateway: () => gateway('/v1/messages', message('claude')),
    })

    const question = () => `Translate me, question ${n++}`
    const chat = (stream) => gateway('/v1/chat/completions', { model: 'mocked', stream, messages: [{ role: 'user', content: question() }] })
    const messages = (stream) => gateway('/v1/messages', { model: 'mocked', stream, max_tokens: 100, messages: [{ role: 'user', content: question() }] })
    const responses = (stream) => gateway('/v1/responses', { model: 'mocked', stream, store: false, input: question() })
    const json = await interleaved({ chat: () => chat(false), messages: () => messages(false), responses: () => responses(false) })
    const sse = await interleaved({ chat: () => chat(true), messages: () => messages(true), responses: () => responses(true) })
    printTable(passthrough, json, sse, Date.now() - started)
    return { passthrough, json, sse }
  } finally {
    await fake.close()
  }
}

/** Each scenario once per round, the order rotating, after a warm-up: whatever else the machine does slows them alike. */
async function interleaved(scenarios) {
  const names = Object.keys(scenarios)
  for (let i = 0; i < 200; i++) for (const name of names) await scenarios[name]()
  const samples = Object.fromEntries(names.map((name) => [name, []]))
  for (let i = 0; i < PAIRS; i++) {
    const order = names.map((_, j) => names[(i + j) % names.length])
    for (const name of order) {
      const t = performance.now()
      await scenarios[name]()
      samples[name].push(performance.now() - t)
    }
  }
  return Object.fromEntries(names.map((name) => {
    const s = samples[name].sort((a, b) => a - b)
    return [name, { p50: pct(s, 0.5), p99: pct(s, 0.99) }]
  }))
}

function printTable(passthrough, json, sse, elapsed) {
  const f = (x) => x.toFixed(3)
  const vs = (a, b) => `p50 ${f(a.p50)} ms vs ${f(b.p50)} ms: +${f(a.p50 - b.p50)} ms, ${(a.p50 / b.p50).toFixed(2)}× (p99 ${f(a.p99)} vs ${f(b.p99)} ms)`
  console.log(`\nNative APIs — gateway in-process in this V8, ${PAIRS} interleaved rounds, ${(elapsed / 1000).toFixed(0)} s`)
  console.log(`passthrough   /v1/messages → fake Anthropic vs the SDK calling it directly: ${vs(passthrough.gateway, passthrough.direct)}`)
  console.log(`translation   /v1/messages on mock vs /v1/chat/completions on mock, JSON:   ${vs(json.messages, json.chat)}`)
  console.log(`              /v1/responses on mock vs /v1/chat/completions on mock, JSON:  ${vs(json.responses, json.chat)}`)
  console.log(`              /v1/messages on mock vs chat, streamed (to the last byte):    ${vs(sse.messages, sse.chat)}`)
  console.log(`              /v1/responses on mock vs chat, streamed (to the last byte):   ${vs(sse.responses, sse.chat)}\n`)
}

const pct = (sorted, q) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]

if (process.argv[1] === fileURLToPath(import.meta.url)) await run()
