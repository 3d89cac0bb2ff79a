/**
 * Seeded generation of bad requests: every request is a valid one (endpoints.ts) with one or more
 * mutations — broken or hostile bodies (not JSON, wrong types, missing and unknown fields, deep
 * nesting, huge values, prototype keys, invalid UTF-8, oversize and chunked bodies), hostile
 * headers (content types, keys, ids, cache controls) and wrong methods, paths and queries. The
 * same seed gives the same requests.
 */
import type { FuzzEndpoint } from './endpoints.ts'

/** mulberry32: small, fast, good enough to spread mutations; deterministic by seed. */
export function prng(seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

export interface FuzzRequest {
  method: string
  path: string
  headers: Record<string, string>
  body?: string | Uint8Array | (() => ReadableStream<Uint8Array>)
  /** What was done to the valid request, for the failure report. */
  mutations: string[]
}

type Rng = () => number
const pick = <T>(rng: Rng, items: readonly T[]): T => items[Math.floor(rng() * items.length)]!
const int = (rng: Rng, max: number) => Math.floor(rng() * max)

const nested = (depth: number, leaf: unknown = 1): unknown => {
  let v = leaf
  for (let i = 0; i < depth; i++) v = { a: v }
  return v
}

/** Values of every JSON type and the awkward corners of each. */
function weirdValue(rng: Rng): unknown {
  return pick(rng, [
    () => null,
    () => true,
    () => 0,
    () => -1,
    () => 1e308,
    () => -1e308,
    () => 2 ** 53 + 1,
    () => 0.1 + 0.2,
    () => '',
    () => ' ',
    () => 'x'.repeat(int(rng, 100_000)),
    () => '\u0000\u0001\u001f',
    () => '\ud800',
    () => '🦄'.repeat(50),
    () => 'NaN',
    () => 'Infinity',
    () => '-----BEGIN RSA PRIVATE KEY----- abc',
    () => 'mail ann@example.com card 4111 1111 1111 1111',
    () => '__proto__',
    () => [],
    () => [null],
    () => Array.from({ length: int(rng, 5000) }, (_, i) => i),
    () => ({}),
    () => ({ __proto__: { polluted: true } }),
    () => JSON.parse('{"__proto__": {"polluted": true}, "constructor": {"prototype": {"x": 1}}}'),
    () => nested(1 + int(rng, 200)),
    () => ({ type: 'text', text: 'hi' }),
    () => [{ type: 'image_url', image_url: { url: 'javascript:alert(1)' } }],
  ])()
}

/** Mutations of a JSON body: each returns a description. */
const bodyMutations: ((rng: Rng, body: Record<string, unknown>) => string)[] = [
  (rng, b) => {
    const key = pick(rng, Object.keys(b))
    b[key] = weirdValue(rng)
    return `${key} = weird`
  },
  (rng, b) => {
    const key = pick(rng, Object.keys(b))
    delete b[key]
    return `without ${key}`
  },
  (rng, b) => {
    const key = pick(rng, ['__proto__', 'constructor', 'prototype', 'toString', 'x'.repeat(1000), '', '\u0000', 'stream', 'n', 'tools', 'tool_choice', 'response_format', 'logit_bias', 'stop', 'seed', 'user', 'metadata', 'stream_options', 'dimensions', 'encoding_format', 'max_completion_tokens', 'input', 'messages'])
    Object.defineProperty(b, key, { value: weirdValue(rng), enumerable: true, configurable: true, writable: true })
    return `+${key.slice(0, 20)} = weird`
  },
  (rng, b) => {
    b.model = pick(rng, ['__proto__', 'constructor', 'toString', 'hasOwnProperty', '', 'x'.repeat(300), 'no-such-model', 'fuzz-embed', 'fuzz-chat', '../admin', 'gpt-4o-mini\u0000', 42 as unknown as string])
    return `model = ${String(b.model).slice(0, 20)}`
  },
  (rng, b) => {
    if (!Array.isArray(b.messages)) return 'noop'
    const messages = b.messages as unknown[]
    const m = pick(rng, [
      () => ({ role: pick(rng, ['user', 'assistant', 'tool', 'system', 'robot', '', null]), content: weirdValue(rng) }),
      () => ({ role: 'tool', content: 'x' }),
      () => ({ role: 'assistant', content: null, tool_calls: [{ id: 1, type: 'function', function: { name: '', arguments: {} } }] }),
      () => ({ role: 'user', content: [{ type: 'text', text: weirdValue(rng) }, { type: '' }] }),
      () => ({ role: 'user' }),
      () => weirdValue(rng),
    ])()
    messages.splice(int(rng, messages.length + 1), 0, m)
    return 'messages += weird'
  },
  (rng, b) => {
    b.messages = pick(rng, [[], null, 'hi', {}, Array.from({ length: 5000 }, () => ({ role: 'user', content: 'x' })), [[{ role: 'user', content: 'x' }]]])
    return 'messages = weird'
  },
  (rng, b) => {
    const key = pick(rng, ['temperature', 'top_p', 'n', 'max_tokens', 'presence_penalty', 'frequency_penalty', 'seed', 'score'])
    b[key] = pick(rng, [-1, 3, 1e308, -0, 0.5, 2 ** 63, '1', null, 129, 1.5])
    return `${key} out of range`
  },
  (rng, b) => {
    b.tools = pick(rng, [[{ type: 'function', function: { name: 'bad name!' } }], [{ type: 'web' }], 'tools', Array.from({ length: 200 }, () => ({ type: 'function', function: { name: 'f' } }))])
    return 'tools = weird'
  },
  (rng, b) => {
    b.x_deep = nested(60 + int(rng, 2000)) // deeper (10k–100k) bodies are built as text: rawMutations
    return 'deep nesting'
  },
  (rng, b) => {
    b.stream = pick(rng, ['true', 1, true, null])
    b.stream_options = pick(rng, [{ include_usage: 'yes' }, { include_usage: true }, 'x', null])
    return 'stream flags'
  },
]

/** Mutations of the raw bytes or framing of the body. */
const rawMutations: ((rng: Rng, json: string) => { body: FuzzRequest['body']; what: string })[] = [
  (rng, json) => ({ body: json.slice(0, int(rng, json.length)), what: 'truncated JSON' }),
  (_, json) => ({ body: `${json}}`, what: 'trailing garbage' }),
  (rng) => ({ body: pick(rng, ['', 'null', '42', '"text"', '[]', '[{}]', 'true', 'undefined', "{'single': 1}", '{"a":1,}', '\ufeff{}']), what: 'not an object' }),
  (rng) => ({ body: Uint8Array.from({ length: 1 + int(rng, 4096) }, () => int(rng, 256)), what: 'random bytes' }),
  (_, json) => ({ body: Uint8Array.from([...new TextEncoder().encode(json.slice(0, -2)), 0xff, 0xfe, 0x22, 0x7d]), what: 'invalid UTF-8' }),
  (rng) => {
    const size = 1024 * 1024 + int(rng, 4 * 1024 * 1024)
    return { body: () => streamOf(size), what: `chunked ${size} bytes` }
  },
  (rng) => ({ body: `{"model":"fuzz-chat","messages":[{"role":"user","content":"${'a'.repeat(1024 * 1024 + int(rng, 1024))}"}]}`, what: 'over the size limit' }),
  (rng) => {
    const depth = 10_000 + int(rng, 90_000)
    return { body: `{"model":"fuzz-chat","messages":[{"role":"user","content":"x"}],"x":${'['.repeat(depth)}${']'.repeat(depth)}}`, what: `nested ${depth}` }
  },
]

function streamOf(size: number): ReadableStream<Uint8Array> {
  let sent = 0
  return new ReadableStream({
    pull(c) {
      if (sent >= size) return c.close()
      const chunk = new Uint8Array(Math.min(65_536, size - sent)).fill(0x61)
      sent += chunk.byteLength
      c.enqueue(chunk)
    },
  })
}

const headerMutations: ((rng: Rng, h: Record<string, string>) => string)[] = [
  (rng, h) => ((h['content-type'] = pick(rng, ['text/html', 'multipart/form-data; boundary=x', 'application/x-www-form-urlencoded', 'application/json; charset=utf-16', '', 'x'.repeat(500)])), 'content-type'),
  (rng, h) => ((h.authorization = pick(rng, ['Bearer', 'Bearer ', 'Basic dXNlcjpwYXNz', 'Bearer lgw_wrong_key_123', `Bearer ${'x'.repeat(8000)}`, 'bearer lgw_fuzz_test_key', 'Bearer lgw_fuzz_test_key extra'])), 'authorization'),
  (_, h) => (delete h.authorization, 'no authorization'),
  (rng, h) => ((h['x-request-id'] = pick(rng, ['', 'a', 'x'.repeat(10_000), '../../etc', '00000000-0000-0000-0000-000000000000', 'id with spaces', '<script>'])), 'x-request-id'),
  (rng, h) => ((h['x-watchllm-cache'] = pick(rng, ['bypass', 'refresh', 'BYPASS', 'nope', ''])), 'x-watchllm-cache'),
  (rng, h) => ((h['cache-control'] = pick(rng, ['no-cache', 'no-store', 'max-age=-1', 'no-cache, no-store', '\u0000'.replace('\u0000', 'x')])), 'cache-control'),
  (rng, h) => ((h['x-watchllm-cache-namespace'] = pick(rng, ['', 'ns', 'x'.repeat(1000), '../', 'a:b', '%C3%A9'])), 'namespace'),
  (rng, h) => ((h['x-watchllm-session'] = pick(rng, ['', 's', 'x'.repeat(1000), 'a b', '__proto__'])), 'session'),
  (rng, h) => ((h['x-watchllm-semantic-threshold'] = pick(rng, ['2', '-1', 'NaN', '0.99', ''])), 'semantic threshold'),
  (rng, h) => ((h['x-api-key'] = pick(rng, ['lgw_fuzz_test_key', 'x', ''])), 'x-api-key'),
  (rng, h) => ((h['content-length'] = pick(rng, ['0', '1', '99999999999'])), 'content-length'),
  (rng, h) => ((h['cf-access-jwt-assertion'] = pick(rng, ['x.y.z', 'eyJhbGciOiJub25lIn0.e30.', ''])), 'access assertion'),
]

const queryMutations: ((rng: Rng, q: Record<string, string>) => string)[] = [
  (rng, q) => ((q.from = pick(rng, ['garbage', '-1', '99999999999999999', '2026-13-45T00:00:00Z', ''])), 'from'),
  (rng, q) => ((q.to = pick(rng, ['0', 'now', '1e20'])), 'to'),
  (rng, q) => ((q.limit = pick(rng, ['-1', '0', '1000000', 'ten', '1.5'])), 'limit'),
  (rng, q) => ((q.cursor = pick(rng, ['x', '1:', ':', '9'.repeat(40), '1:__proto__'])), 'cursor'),
  (rng, q) => ((q[pick(rng, ['__proto__', 'constructor', 'probe', 'x'.repeat(300)])] = '1'), 'unknown parameter'),
  (rng, q) => ((q.step = pick(rng, ['1s', '0m', 'week', ''])), 'step'),
  (rng, q) => ((q.project = pick(rng, ['x'.repeat(1000), "'; DROP TABLE usage_events; --", '__proto__'])), 'project'),
  (rng, q) => ((q.cache = pick(rng, ['hit', 'NONE', ''])), 'cache'),
]

const pathMutations: ((rng: Rng, path: string) => string)[] = [
  (_, p) => `${p}/`,
  (_, p) => p.replace('/v1/', '//v1/'),
  (_, p) => p.toUpperCase(),
  (_, p) => `${p}%00`,
  (_, p) => `${p}/../../health`,
  (_, p) => p.replace(/\/[^/]*$/, '/%2e%2e'),
  (rng, p) => `${p}/${'x'.repeat(int(rng, 3000))}`,
]

export function generate(rng: Rng, endpoint: FuzzEndpoint, keys: { gateway: string; admin: string }): FuzzRequest {
  const mutations: string[] = []
  const headers: Record<string, string> = {}
  if (endpoint.auth === 'gateway') headers.authorization = `Bearer ${keys.gateway}`
  if (endpoint.auth === 'admin') headers.authorization = `Bearer ${keys.admin}`
  let method: string = endpoint.method
  let path = endpoint.path
  let body: FuzzRequest['body']
  const query = endpoint.query?.() ?? {}

  if (endpoint.method === 'POST') {
    headers['content-type'] = 'application/json'
    const valid = endpoint.valid!()
    if (rng() < 0.25) {
      const raw = pick(rng, rawMutations)(rng, JSON.stringify(valid))
      body = raw.body
      mutations.push(raw.what)
    } else {
      for (let i = 0, n = 1 + int(rng, 3); i < n; i++) mutations.push(pick(rng, bodyMutations)(rng, valid))
      body = JSON.stringify(valid)
    }
  } else if (rng() < 0.6) {
    for (let i = 0, n = 1 + int(rng, 2); i < n; i++) mutations.push(pick(rng, queryMutations)(rng, query))
  }
  // Framing and headers, on top of (or instead of) the body.
  if (rng() < 0.3) for (let i = 0, n = 1 + int(rng, 2); i < n; i++) mutations.push(pick(rng, headerMutations)(rng, headers))
  if (rng() < 0.08) {
    method = pick(rng, endpoint.method === 'POST' ? ['GET', 'PUT', 'DELETE', 'PATCH'] : ['POST', 'PUT', 'DELETE'])
    mutations.push(`method ${method}`)
    if (method === 'GET' || method === 'HEAD') body = undefined
  }
  if (rng() < 0.05) {
    path = pick(rng, pathMutations)(rng, path)
    mutations.push(`path ${path.slice(0, 40)}`)
  }
  const search = new URLSearchParams(query).toString()
  if (mutations.length === 0) mutations.push('valid')
  return { method, path: search ? `${path}?${search}` : path, headers, body, mutations }
}
