/**
 * The fuzz suite: seeded, bounded, table-driven over every public endpoint (endpoints.ts). Each
 * generated bad request (generator.ts) goes through the whole gateway in workerd — auth, parse,
 * resolve, guard (rules, PII), limits, caches, upstream (mock), telemetry — and its answer must be
 * < 500 and, when an error, in the endpoint's error shape. Afterwards the gateway must be healthy.
 *
 * `npm test` runs FUZZ_REQUESTS=1500 (the default here); `npm run fuzz` runs 10,000. FUZZ_SEED
 * replays a run exactly.
 */
import { createExecutionContext, env, waitOnExecutionContext } from 'cloudflare:test'
import { describe, expect, it } from 'vitest'
import { createApp } from '../../src/app.ts'
import type { GatewayEnv } from '../../src/env.ts'
import { sha256Hex } from '../../src/lib/hash.ts'
import { compilePolicy } from '../../src/policy/compile.ts'
import type { z } from 'zod'
import { endpoints, openAiError, type FuzzEndpoint } from './endpoints.ts'
import { capturedLogLines } from '../log-scan.ts'
import { generate, prng, type FuzzRequest } from './generator.ts'

const vars = env as unknown as GatewayEnv & { FUZZ_REQUESTS?: string; FUZZ_SEED?: string }
const REQUESTS = Number(vars.FUZZ_REQUESTS) > 0 ? Number(vars.FUZZ_REQUESTS) : 1500
const SEED = Number(vars.FUZZ_SEED) > 0 ? Number(vars.FUZZ_SEED) : 20261127
const KEY = 'lgw_fuzz_test_key'
const ADMIN = 'lgw_admin_local_dev_token'

const compiled = await compilePolicy([
  {
    path: 'fuzz.yaml',
    text: `
providers:
  mock: { type: mock, stream_chunks: 3 }
models:
  fuzz-chat: { targets: [{ provider: mock, model: gpt-4o-mini }] }
  fuzz-embed: { kind: embeddings, targets: [{ provider: mock, model: text-embedding-3-small }] }
projects:
  fuzz:
    keys: [{ id: fuzzer, sha256: ${sha256Hex(KEY)} }]
    request: { max_body_bytes: 1048576 }
    cache: { exact: { store: kv } }
    limits: { key: { requests: 1000000, tokens: 1000000000 }, fail: open }
    pii: { default: allow, email: redact, card: redact, secret: block, restore: true }
    rules:
      - { id: no-keys, when: [{ kind: regex, pattern: 'BEGIN [A-Z ]*PRIVATE KEY', in: messages }], then: { kind: block, status: 422, message: no keys } }
      - { id: cap, when: [], then: { kind: clamp, param: max_tokens, max: 256 } }
`,
  },
])
if (!compiled.ok) throw new Error(JSON.stringify(compiled.error))
const app = createApp(compiled.value)

async function send(r: FuzzRequest): Promise<Response | 'unsendable'> {
  let request: Request
  try {
    const body = typeof r.body === 'function' ? r.body() : r.body
    request = new Request(`http://gateway.test${r.path}`, { method: r.method, headers: r.headers, body, ...(body instanceof ReadableStream ? { duplex: 'half' } : {}) } as RequestInit)
  } catch {
    return 'unsendable' // no client could send it (a GET with a body, a header the runtime refuses)
  }
  const ctx = createExecutionContext()
  const res = await app.fetch(request, vars, ctx)
  await waitOnExecutionContext(ctx)
  return res
}

/**
 * The error shape of the endpoint a request actually reaches: a mutated path may reach another
 * endpoint, or none (then the gateway's own 404, in OpenAI's shape).
 */
function shapeReached(path: string, listed: FuzzEndpoint): z.ZodType {
  const reached = new URL(path, 'http://gateway.test').pathname
  if (reached === new URL(listed.path, 'http://gateway.test').pathname) return listed.errorShape
  const other = endpoints.find((e) => reached === e.path || reached.startsWith(`${e.path}/`))
  return other?.errorShape ?? openAiError
}

describe(`fuzz: ${REQUESTS} generated bad requests, seed ${SEED}`, () => {
  it('no answer is a 5xx, every error has its endpoint’s shape, and the gateway stays healthy', async () => {
    const rng = prng(SEED)
    const failures: string[] = []
    const byStatus = new Map<string, number>()
    let unsendable = 0
    const started = Date.now()
    for (let i = 0; i < REQUESTS; i++) {
      const endpoint = endpoints[i % endpoints.length]!
      const request = generate(rng, endpoint, { gateway: KEY, admin: ADMIN })
      const res = await send(request)
      if (res === 'unsendable') {
        unsendable++
        continue
      }
      const key = `${endpoint.name} ${res.status}`
      byStatus.set(key, (byStatus.get(key) ?? 0) + 1)
      const text = await res.text()
      const what = `#${i} ${request.method} ${request.path.slice(0, 80)} [${request.mutations.join('; ')}] → ${res.status}`
      if (res.status >= 500) failures.push(`${what}: ${text.slice(0, 300)}`)
      else if (res.status >= 400 && request.method !== 'HEAD') {
        let body: unknown
        try {
          body = JSON.parse(text)
        } catch {
          failures.push(`${what}: not JSON: ${text.slice(0, 120)}`)
          continue
        }
        const shape = shapeReached(request.path, endpoint).safeParse(body)
        if (!shape.success) failures.push(`${what}: not the endpoint's error shape: ${text.slice(0, 200)}`)
        if (/\n\s+at /.test(text)) failures.push(`${what}: a stack trace in the body`)
      }
      if (failures.length >= 20) break
    }
    const seconds = (Date.now() - started) / 1000
    const sent = REQUESTS - unsendable
    console.log(JSON.stringify({ fuzz: 'summary', seed: SEED, generated: REQUESTS, sent, unsendable, seconds, failures: failures.length, by_status: Object.fromEntries([...byStatus].sort()) }))
    expect(failures).toEqual([])
    expect(sent).toBeGreaterThan(REQUESTS * 0.95)
    // Nothing a client sent may make a telemetry batch fail (one such event would hold back its whole batch).
    expect(capturedLogLines().filter((l) => /"telemetry":"(?:batch_write_failed|dead_letter|event_failed)/.test(l))).toEqual([])

    // Healthy afterwards: the health check and a plain valid request both answer.
    const health = await send({ method: 'GET', path: '/health', headers: {}, mutations: [] })
    expect(health !== 'unsendable' && health.status).toBe(200)
    const ok = await send({
      method: 'POST',
      path: '/v1/chat/completions',
      headers: { authorization: `Bearer ${KEY}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'fuzz-chat', messages: [{ role: 'user', content: `still fine ${crypto.randomUUID()}` }] }),
      mutations: [],
    })
    expect(ok !== 'unsendable' && ok.status).toBe(200)
  }, 900_000)
})
