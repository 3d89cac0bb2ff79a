/**
 * Structured logs: one JSON line per request, with what an operator searches by (request id,
 * project, key id, model, provider, cache result, status, latency, tokens, cost) and never a
 * prompt, an answer or a key. Every workerd test file's lines are scanned for key material after
 * its tests (worker/test/log-scan.ts); this file checks the line itself, and that the scan bites.
 */
import { exports } from 'cloudflare:workers'
import { describe, expect, it, vi } from 'vitest'
import { createApp } from '../../src/app.ts'
import { sha256Hex } from '../../src/lib/hash.ts'
import { compilePolicy } from '../../src/policy/compile.ts'
import type { RequestLogLine } from '../../src/telemetry/log-line.ts'
import { driveGateway } from '../drive-gateway.ts'
import { capturedLogLines, keyMaterialIn } from '../log-scan.ts'

const DEV_KEY = 'lgw_local_dev_key'
const requestLines = (): RequestLogLine[] =>
  capturedLogLines()
    .filter((l) => l.startsWith('{"msg":"request"'))
    .map((l) => JSON.parse(l) as RequestLogLine)
const lineFor = (requestId: string) =>
  vi.waitFor(
    () => {
      const line = requestLines().find((l) => l.request_id === requestId)
      if (!line) throw new Error(`no log line yet for ${requestId}`)
      return line
    },
    { timeout: 10_000, interval: 50 },
  )

describe('one JSON log line per request', () => {
  it('a chat completion: ids, model, provider, cache, status, latency, tokens and cost — not the prompt or the answer', async () => {
    const secretPrompt = `my card is 4111 1111 1111 1111 and the word is ${crypto.randomUUID()}`
    const res = await exports.default.fetch(
      new Request('http://gateway.test/v1/chat/completions', {
        method: 'POST',
        headers: { authorization: `Bearer ${DEV_KEY}`, 'content-type': 'application/json', 'x-request-id': 'client-label-1234' },
        body: JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: secretPrompt }] }),
      }),
    )
    const answer = await res.text()
    const line = await lineFor(res.headers.get('x-watchllm-request-id')!)
    expect(line).toMatchObject({
      msg: 'request',
      client_request_id: 'client-label-1234',
      method: 'POST',
      path: '/v1/chat/completions',
      status: 200,
      project: 'demo',
      key_id: 'local-dev',
      endpoint: 'chat',
      model: 'gpt-4o-mini',
      provider: 'mock',
      cache: 'MISS',
      stream: false,
      error_code: null,
      attempts: 1,
      price_status: 'simulated',
    })
    expect(line.tokens_in).toBeGreaterThan(0)
    expect(line.tokens_out).toBeGreaterThan(0)
    expect(line.cost_usd).toBeGreaterThan(0)
    expect(line.latency_ms).toBeGreaterThan(0)
    const raw = capturedLogLines().join('\n')
    expect(raw).not.toContain(secretPrompt.slice(-36))
    expect(raw).not.toContain(JSON.parse(answer).choices[0].message.content.slice(-36))
  })

  it('a stream logs once it ended, with its usage', async () => {
    const res = await exports.default.fetch(
      new Request('http://gateway.test/v1/chat/completions', {
        method: 'POST',
        headers: { authorization: `Bearer ${DEV_KEY}`, 'content-type': 'application/json' },
        body: JSON.stringify({ model: 'gpt-4o-mini', stream: true, messages: [{ role: 'user', content: `stream ${crypto.randomUUID()}` }] }),
      }),
    )
    await res.text()
    const line = await lineFor(res.headers.get('x-watchllm-request-id')!)
    expect(line).toMatchObject({ stream: true, status: 200, provider: 'mock' })
    expect(line.tokens_out).toBeGreaterThan(0)
  })

  it('refused and unrouted requests are logged too, without the key that was refused', async () => {
    const wrongKey = `lgw_wrong_${crypto.randomUUID().replaceAll('-', '')}`
    const refused = await exports.default.fetch(
      new Request('http://gateway.test/v1/chat/completions', { method: 'POST', headers: { authorization: `Bearer ${wrongKey}` }, body: '{}' }),
    )
    expect(refused.status).toBe(401)
    const line = await lineFor(refused.headers.get('x-watchllm-request-id')!)
    expect(line).toMatchObject({ status: 401, error_code: 'invalid_api_key', project: null, key_id: null })
    expect(capturedLogLines().join('\n')).not.toContain(wrongKey)

    const health = await exports.default.fetch(new Request('http://gateway.test/health?token=whatever'))
    expect((await lineFor(health.headers.get('x-watchllm-request-id')!)).path).toBe('/health') // no query string
  })

  it('an upstream that rejects the gateway’s key (and quotes it) leaves no key in any line', async () => {
    const KEY = 'lgw_test_structured_logs'
    const compiled = await compilePolicy([
      {
        path: 'logs.yaml',
        text: `
providers:
  openai: { type: openai, api_key: { secret: FAKE_OPENAI_KEY }, base_url: { var: FAKE_OPENAI_URL } }
models:
  rejected: { targets: [{ provider: openai, model: fail-401 }] }
  broken: { targets: [{ provider: openai, model: fail-500 }] }
projects:
  logs:
    keys: [{ id: k, sha256: ${sha256Hex(KEY)} }]
`,
      },
    ])
    if (!compiled.ok) throw new Error(JSON.stringify(compiled.error))
    const g = driveGateway(createApp(compiled.value), KEY)
    for (const model of ['rejected', 'broken']) {
      const res = await g.fetch('http://gateway.test/v1/chat/completions', {
        method: 'POST',
        headers: { authorization: `Bearer ${KEY}`, 'content-type': 'application/json' },
        body: JSON.stringify({ model, messages: [{ role: 'user', content: 'x' }] }),
      })
      expect(res.status).toBe(502)
      await lineFor(res.headers.get('x-watchllm-request-id')!)
    }
    expect(keyMaterialIn(capturedLogLines())).toEqual([])
  })

  it('the scan finds key material when it is there', () => {
    expect(keyMaterialIn(['{"error":"Incorrect API key provided: sk-test-fake-openai"}'], ['sk-test-fake-openai'])).toHaveLength(2)
    expect(keyMaterialIn(['auth Bearer abcdefghijklmnop'])).toHaveLength(1)
    expect(keyMaterialIn(['{"key":"lgw_live_123456789"}'])).toHaveLength(1)
    expect(keyMaterialIn(['gsk_abcdefghijklmnopqrstu'])).toHaveLength(1)
    expect(keyMaterialIn(['{"msg":"request","key_id":"local-dev"}'])).toEqual([])
  })
})
