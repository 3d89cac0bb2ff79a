// Guard-stage benchmarks (`npm run bench` calls `run()`, which prints its own table), in this V8 —
// the engine workerd embeds — on the same modules the Worker runs:
//   1. rules: 50 rules of every condition kind (regexes, CIDRs, headers, metadata, token estimates…)
//      compiled once, then evaluated per request on a ~4 KB, 12-message chat request.
//      Target: p99 < 1 ms.
//   2. PII scan of a 100 KB prompt (prose with e-mails, cards, phones, IBANs, IPs and keys sprinkled
//      in), every detector on, as the guard runs it (scan + placeholders). Target: p99 < 10 ms.
//   3. linear time: 1 MB vs 100 KB of adversarial inputs (patterns that make regex scanners
//      quadratic), time per call; the ratio is 10 for linear code, ~100 for quadratic.
//   4. the pipeline with the guard (50 rules + PII redact/restore) vs the same policy without it:
//      the gateway app in-process with the mock provider, requests interleaved; the ratio of p50s.
// Bounded (< 60 s), no network; nothing to stop.
import os from 'node:os'
import { fileURLToPath } from 'node:url'
import { tsImport } from 'tsx/esm/api'

const root = fileURLToPath(new URL('..', import.meta.url))
const RULE_RUNS = Number(process.env.BENCH_RULE_RUNS ?? 20_000)
const SCAN_RUNS = Number(process.env.BENCH_SCAN_RUNS ?? 300)
const PIPELINE_PAIRS = Number(process.env.BENCH_GUARD_REQUESTS ?? 2000)

export async function run() {
  const started = Date.now()
  const rules = await benchRules()
  const scan = await benchScan()
  const linear = await benchLinear()
  const pipeline = await benchPipeline()
  printTable(rules, scan, linear, pipeline, Date.now() - started)
  return { rules, scan, linear, pipeline }
}

const load = (path) => tsImport(`${root}${path}`, import.meta.url)

/** 50 rules: every condition kind, none of them blocking (so all 50 are evaluated), some matching. */
function fiftyRules() {
  const kinds = [
    (i) => ({ kind: 'regex', pattern: `\\b(?:secret|password|token)-${i}\\b`, flags: 'i', in: 'messages' }),
    (i) => ({ kind: 'regex', pattern: `^(?:ignore|disregard) (?:all|previous) instructions ${i}`, flags: 'im', in: 'last_user' }),
    () => ({ kind: 'model', in: ['gpt-4o-mini'] }),
    (i) => ({ kind: 'header', name: 'x-team', in: ['research', `team-${i}`] }),
    (i) => ({ kind: 'metadata', key: 'tier', equals: `tier-${i}` }),
    (i) => ({ kind: 'prompt_tokens', gt: 500 + i }),
    (i) => ({ kind: 'max_tokens', gt: 1000 + i }),
    () => ({ kind: 'client_ip', not_in: ['10.0.0.0/8', '192.168.0.0/16', '2001:db8::/32'] }),
    () => ({ kind: 'stream', is: false }),
    () => ({ kind: 'tools', present: false }),
  ]
  const actions = [{ kind: 'flag' }, { kind: 'clamp', param: 'max_tokens', max: 4096 }, { kind: 'set', params: { seed: 7 } }, { kind: 'flag' }]
  return Array.from({ length: 50 }, (_, i) => ({ id: `rule-${i}`, when: [kinds[i % kinds.length](i), kinds[(i + 3) % kinds.length](i)], then: actions[i % actions.length] }))
}

function chatRequest(textBytes) {
  const sentence = 'The quarterly report shows steady growth in the northern region, with costs under control. '
  const messages = [{ role: 'system', content: 'You are a careful assistant for the finance team.' }]
  for (let i = 0; i < 11; i++) messages.push({ role: i % 2 ? 'assistant' : 'user', content: sentence.repeat(Math.ceil(textBytes / 11 / sentence.length)) })
  return { model: 'gpt-4o-mini', max_tokens: 2000, metadata: { tier: 'pro' }, messages }
}

async function benchRules() {
  const { compileRules } = await load('worker/src/governance/rules.ts')
  const { ruleSubject } = await load('worker/src/governance/rule-subject.ts')
  const { ruleSchema } = await load('worker/src/policy/rules/index.ts')
  const rules = fiftyRules().map((r) => ruleSchema.parse(r))
  const evaluate = compileRules(rules)
  const body = chatRequest(4000)
  const headers = { 'x-team': 'finance', 'cf-connecting-ip': '203.0.113.7' }
  const once = () => evaluate(ruleSubject({ alias: 'gpt-4o-mini', body, header: (n) => headers[n] }))
  let hits = 0
  for (let i = 0; i < 2000; i++) hits = once().hits.length
  const times = []
  for (let i = 0; i < RULE_RUNS; i++) {
    const t = performance.now()
    once()
    times.push(performance.now() - t)
  }
  times.sort((a, b) => a - b)
  return { rules: rules.length, hits, p50: pct(times, 0.5), p99: pct(times, 0.99), max: times.at(-1) }
}

function piiProse(bytes) {
  const parts = [
    'Please review the attached notes from the customer call and draft a reply. ',
    'Reach me at jane.doe@example.com or call +1 415-555-0100 after lunch. ',
    'The invoice was paid with card 4111 1111 1111 1111 on the 3rd of March, order 88213. ',
    'Wire the refund to IBAN DE89 3704 0044 0532 0130 00 and log it from host 10.20.30.40. ',
    'Our build server at 2001:db8::8a2e:370:7334 uses token ghp_abcdefghijklmnopqrstuvwxyz0123456789 for now. ',
    'Nothing sensitive in this sentence, only words about roadmaps, budgets and timelines for the team. ',
  ]
  let text = ''
  for (let i = 0; text.length < bytes; i++) text += parts[i % 7 === 6 ? 5 : i % 6]
  return text.slice(0, bytes)
}

async function benchScan() {
  const { PiiVault } = await load('worker/src/governance/pii/vault.ts')
  const { piiKinds } = await load('worker/src/governance/pii/kinds.ts')
  const all = new Set(piiKinds)
  const text = piiProse(100_000)
  const once = () => new PiiVault().redact(text, all)
  for (let i = 0; i < 30; i++) once()
  const times = []
  const cpu = []
  let values = 0
  for (let i = 0; i < SCAN_RUNS; i++) {
    const vault = new PiiVault()
    const c = process.cpuUsage()
    const t = performance.now()
    vault.redact(text, all)
    times.push(performance.now() - t)
    const used = process.cpuUsage(c)
    cpu.push((used.user + used.system) / 1000)
    values = [...vault.counts.values()].reduce((a, b) => a + b, 0)
  }
  times.sort((a, b) => a - b)
  cpu.sort((a, b) => a - b)
  return { bytes: text.length, values, p50: pct(times, 0.5), p99: pct(times, 0.99), cpuP50: pct(cpu, 0.5), cpuP99: pct(cpu, 0.99) }
}

async function benchLinear() {
  const { scanPii } = await load('worker/src/governance/pii/scan.ts')
  const { piiKinds } = await load('worker/src/governance/pii/kinds.ts')
  const { redactForLog } = await load('worker/src/telemetry/redact.ts')
  const all = new Set(piiKinds)
  const fill = (unit, n) => unit.repeat(Math.ceil(n / unit.length)).slice(0, n)
  const patterns = {
    'one endless word': 'a',
    'local parts, no domain': `${'a'.repeat(99)}@`,
    'single-digit groups': '1 ',
    'IBAN starts': 'DE89 ',
    'key prefixes': 'sk-',
    'PEM headers, no end': '-----BEGIN RSA PRIVATE KEY-----\n',
    'real values, densely': 'bob@example.com 4111 1111 1111 1111 +1 415-555-0100 10.0.0.1 ',
  }
  // Time per call: calls repeat for at least 50 ms; the fastest of three rounds (noise only adds time).
  const perCall = (f) => {
    f()
    let best = Infinity
    for (let round = 0; round < 3; round++) {
      let calls = 0
      const t0 = performance.now()
      while (performance.now() - t0 < 50) {
        f()
        calls++
      }
      best = Math.min(best, (performance.now() - t0) / calls)
    }
    return best
  }
  const out = []
  for (const [name, unit] of Object.entries(patterns)) {
    const small = fill(unit, 100_000)
    const large = fill(unit, 1_000_000)
    const t1 = perCall(() => scanPii(small, all))
    const t2 = perCall(() => scanPii(large, all))
    out.push({ name, small: t1, large: t2, ratio: t2 / t1 })
  }
  // The telemetry redaction the security review found quadratic (80 KB of one word took 6 s).
  const word = fill('a', 1_000_000)
  out.push({ name: 'telemetry redactText, 1 MB word', small: perCall(() => redactForLog(word.slice(0, 100_000), 200_000)), large: perCall(() => redactForLog(word, 2_000_000)) })
  out.at(-1).ratio = out.at(-1).large / out.at(-1).small
  return out
}

async function benchPipeline() {
  const { createApp } = await load('worker/src/app.ts')
  const { compilePolicy } = await load('worker/src/policy/compile.ts')
  const { sha256Hex } = await load('worker/src/lib/hash.ts')
  const yaml = (guarded) => `
providers: { mock: { type: mock } }
models: { gpt-4o-mini: { targets: [{ provider: mock }] } }
projects:
  p:
    keys: [{ id: k, sha256: ${sha256Hex('lgw_bench_guard')} }]
    cache: { exact: { enabled: false } }
${guarded ? `    pii: { restore: true, default: redact }\n    rules: ${JSON.stringify(fiftyRules())}` : ''}
`
  const apps = {}
  for (const mode of ['with', 'without']) {
    const compiled = await compilePolicy([{ path: 'bench.yaml', text: yaml(mode === 'with') }])
    if (!compiled.ok) throw new Error(JSON.stringify(compiled.error))
    apps[mode] = createApp(compiled.value)
  }
  const env = { WATCHLLM_ENV: 'local', WATCHLLM_TELEMETRY: 'off', DB: {}, CACHE_KV: {} }
  const body = JSON.stringify({ ...chatRequest(2000), messages: [...chatRequest(2000).messages, { role: 'user', content: 'Mail jane.doe@example.com the total for card 4111 1111 1111 1111.' }] })
  const once = async (mode) => {
    const ctx = { waitUntil() {}, passThroughOnException() {}, props: {} }
    const request = new Request('http://gateway.local/v1/chat/completions', {
      method: 'POST',
      headers: { authorization: 'Bearer lgw_bench_guard', 'content-type': 'application/json', 'x-team': 'finance' },
      body,
    })
    const t0 = performance.now()
    const res = await apps[mode].fetch(request, env, ctx)
    const text = await res.text()
    const ms = performance.now() - t0
    if (res.status !== 200) throw new Error(`the gateway answered ${res.status}: ${text.slice(0, 200)}`)
    if (mode === 'with' && !text.includes('jane.doe@example.com')) throw new Error('the answer was not restored')
    return ms
  }
  for (let i = 0; i < 300; i++) for (const mode of ['with', 'without']) await once(mode)
  const samples = { with: [], without: [] }
  for (let i = 0; i < PIPELINE_PAIRS; i++) for (const mode of i % 2 ? ['with', 'without'] : ['without', 'with']) samples[mode].push(await once(mode))
  for (const s of Object.values(samples)) s.sort((a, b) => a - b)
  return { with: { p50: pct(samples.with, 0.5), p99: pct(samples.with, 0.99) }, without: { p50: pct(samples.without, 0.5), p99: pct(samples.without, 0.99) } }
}

function printTable(rules, scan, linear, pipeline, elapsed) {
  const f = (x, d = 3) => x.toFixed(d)
  console.log(`\nGuard stage — in this V8 (the engine workerd runs), ${(elapsed / 1000).toFixed(0)} s`)
  console.log(`rules                  ${rules.rules} rules (${rules.hits} matching) on a 4 KB, 12-message request: p50 ${f(rules.p50 * 1000, 1)} µs, p99 ${f(rules.p99 * 1000, 1)} µs over ${RULE_RUNS} runs; target p99 < 1 ms: ${rules.p99 < 1 ? 'met' : 'NOT met'}`)
  console.log(`PII scan               ${(scan.bytes / 1000).toFixed(0)} KB prompt, every detector, ${scan.values} values redacted: p50 ${f(scan.p50, 2)} ms, p99 ${f(scan.p99, 2)} ms over ${SCAN_RUNS} runs; target p99 < 10 ms: ${scan.p99 < 10 ? 'met' : 'NOT met'}`)
  console.log(`                       CPU time per scan (unaffected by other processes taking the cores): p50 ${f(scan.cpuP50, 2)} ms, p99 ${f(scan.cpuP99, 2)} ms; load average now ${os.loadavg()[0].toFixed(1)} on ${os.cpus().length} cores`)
  console.log(`linear time            1 MB vs 100 KB of the same adversarial input (10× is linear, ~100× quadratic):`)
  for (const l of linear) console.log(`  ${l.name.padEnd(34)} ${f(l.small, 2).padStart(8)} ms → ${f(l.large, 2).padStart(8)} ms  ${f(l.ratio, 1).padStart(5)}×`)
  const worst = Math.max(...linear.map((l) => l.ratio))
  console.log(`  worst ratio ${f(worst, 1)}×: ${worst < 20 ? 'linear' : 'NOT linear'}`)
  console.log(`pipeline               with the guard (50 rules + PII redact/restore) p50 ${f(pipeline.with.p50)} ms vs without ${f(pipeline.without.p50)} ms: +${f(pipeline.with.p50 - pipeline.without.p50)} ms, ${f(pipeline.with.p50 / pipeline.without.p50, 2)}× (p99 ${f(pipeline.with.p99)} vs ${f(pipeline.without.p99)} ms)\n`)
}

const pct = (sorted, q) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]

if (process.argv[1] === fileURLToPath(import.meta.url)) await run()
