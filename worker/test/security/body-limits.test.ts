/**
 * Defects 3 and 4 of the security review, through the deployed worker: the body limit is counted
 * while the body is read (a chunked upload with no Content-Length used to be read whole before the
 * 413), and JSON nested past the documented depth is a 400 before anything recursive sees it (100k
 * levels in an unknown field used to overflow the stack in the cache key: a 500).
 */
import { exports } from 'cloudflare:workers'
import { describe, expect, it } from 'vitest'
import { MAX_JSON_DEPTH } from '../../src/lib/json-depth.ts'

const DEV_KEY = 'lgw_local_dev_key'
const headers = { authorization: `Bearer ${DEV_KEY}`, 'content-type': 'application/json' }
const errorOf = async (res: Response) => ((await res.json()) as { error: { message: string; type: string; param: string | null; code: string } }).error

/** A body streamed in 64 KB chunks with no Content-Length; counts the chunks the gateway pulled. */
function chunkedBody(totalBytes: number, prefix = '{"model":"gpt-4o-mini","messages":[{"role":"user","content":"') {
  const encoder = new TextEncoder()
  let sent = 0
  let pulled = 0
  const stream = new ReadableStream<Uint8Array>({
    pull(controller) {
      if (sent >= totalBytes) return controller.close()
      pulled++
      const chunk = sent === 0 ? encoder.encode(prefix.padEnd(64 * 1024, 'a')) : new Uint8Array(64 * 1024).fill(0x61)
      sent += chunk.byteLength
      controller.enqueue(chunk)
    },
  })
  return { stream, pulled: () => pulled }
}

describe('body limits', () => {
  it('a chunked body past the limit is a 413, and the gateway stops pulling it', async () => {
    const body = chunkedBody(64 * 1024 * 1024)
    const req = new Request('http://gateway.test/v1/chat/completions', { method: 'POST', headers, body: body.stream, duplex: 'half' } as RequestInit)
    expect(req.headers.get('content-length')).toBeNull()
    const res = await exports.default.fetch(req)
    expect(res.status).toBe(413)
    expect(await errorOf(res)).toMatchObject({ code: 'payload_too_large', type: 'invalid_request_error' })
    // The demo project's limit is 1 MiB: 16 chunks fill it; far fewer than the 1,024 on offer were read.
    expect(body.pulled()).toBeLessThan(64)
  })

  it('a Content-Length that lies low does not get a larger body past the limit', async () => {
    const big = `{"model":"gpt-4o-mini","messages":[{"role":"user","content":"${'a'.repeat(2 * 1024 * 1024)}"}]}`
    const res = await exports.default.fetch(
      new Request('http://gateway.test/v1/chat/completions', { method: 'POST', headers: { ...headers, 'content-length': '100' }, body: big }),
    )
    // Either the runtime refuses the mismatched length or the counted read does: never a 2xx/5xx.
    expect(res.status).toBeGreaterThanOrEqual(400)
    expect(res.status).toBeLessThan(500)
  })

  it('JSON nested 100,000 levels deep in an unknown field is a 400 naming the depth, not a 500', async () => {
    const deep = `${'['.repeat(100_000)}${']'.repeat(100_000)}`
    const res = await exports.default.fetch(
      new Request('http://gateway.test/v1/chat/completions', {
        method: 'POST',
        headers,
        body: `{"model":"gpt-4o-mini","messages":[{"role":"user","content":"hi"}],"x_unknown":${deep}}`,
      }),
    )
    expect(res.status).toBe(400)
    const error = await errorOf(res)
    expect(error).toMatchObject({ code: 'invalid_json', type: 'invalid_request_error' })
    expect(error.message).toContain(`${MAX_JSON_DEPTH} levels`)
  })

  it('nesting up to the documented depth is served', async () => {
    let value = '1'
    // The body object and the unknown field's object take two levels.
    for (let i = 0; i < MAX_JSON_DEPTH - 2; i++) value = `{"a":${value}}`
    const res = await exports.default.fetch(
      new Request('http://gateway.test/v1/chat/completions', {
        method: 'POST',
        headers,
        body: `{"model":"gpt-4o-mini","messages":[{"role":"user","content":"depth ${crypto.randomUUID()}"}],"x_unknown":{"b":${value}}}`,
      }),
    )
    expect(res.status).toBe(200)
  })

  it('feedback is read the same way: deep JSON is a 400, a chunked body past 4 KB a 413', async () => {
    const deep = await exports.default.fetch(
      new Request('http://gateway.test/v1/feedback', { method: 'POST', headers, body: `${'['.repeat(1000)}${']'.repeat(1000)}` }),
    )
    expect(deep.status).toBe(400)
    const big = chunkedBody(1024 * 1024, '{"request_id":"')
    const res = await exports.default.fetch(new Request('http://gateway.test/v1/feedback', { method: 'POST', headers, body: big.stream, duplex: 'half' } as RequestInit))
    expect(res.status).toBe(413)
  })
})
