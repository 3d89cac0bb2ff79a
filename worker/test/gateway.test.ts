import { exports } from 'cloudflare:workers'
import OpenAI from 'openai'
import { describe, expect, it } from 'vitest'
import { fromBase64 } from '../src/providers/embedding-encoding.ts'

const DEV_KEY = 'lgw_local_dev_key'
const gatewayFetch: typeof fetch = (input, init) => exports.default.fetch(new Request(input, init))
const client = (apiKey = DEV_KEY) =>
  new OpenAI({ apiKey, baseURL: 'http://gateway.test/v1', fetch: gatewayFetch, maxRetries: 0 })
const unique = () => crypto.randomUUID().slice(0, 8)

describe('the bundled demo policy on the mock provider', () => {
  it('answers a chat completion, then the same request from the exact cache', async () => {
    const question = `What is a gateway? ${unique()}`
    const first = await client().chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: question }] }).withResponse()
    expect(first.data.choices[0]?.message.content).toBe(`[mock] You said: ${question}`)
    expect(first.response.headers.get('x-watchllm-cache')).toBe('MISS')
    expect(first.response.headers.get('x-watchllm-provider')).toBe('mock')
    expect(first.response.headers.get('x-watchllm-model')).toBe('gpt-4o-mini')
    expect(first.response.headers.get('x-watchllm-request-id')).toMatch(/^[\w-]{8,}$/)

    await expect.poll(async () => {
      const again = await client().chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: question }] }).withResponse()
      return again.response.headers.get('x-watchllm-cache')
    }, { timeout: 2000 }).toBe('HIT')
  })

  it('streams in several chunks and replays the cached answer as a stream', async () => {
    const question = `Stream this ${unique()}`
    const stream = await client().chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: question }], stream: true })
    const parts: string[] = []
    let usageChunks = 0
    for await (const chunk of stream) {
      if (chunk.choices.length === 0) usageChunks++
      parts.push(chunk.choices[0]?.delta.content ?? '')
    }
    expect(parts.filter(Boolean).length).toBeGreaterThan(2)
    expect(parts.join('')).toBe(`[mock] You said: ${question}`)
    expect(usageChunks).toBe(0) // the client did not ask for usage

    await expect.poll(async () => {
      const { data, response } = await client().chat.completions
        .create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: question }], stream: true, stream_options: { include_usage: true } })
        .withResponse()
      let text = ''
      let usage = 0
      for await (const chunk of data) {
        text += chunk.choices[0]?.delta.content ?? ''
        if (chunk.usage) usage = chunk.usage.total_tokens
      }
      return { cache: response.headers.get('x-watchllm-cache'), text, hasUsage: usage > 0 }
    }, { timeout: 2000 }).toEqual({ cache: 'HIT', text: `[mock] You said: ${question}`, hasUsage: true })
  })

  it('serves embeddings', async () => {
    const res = await client().embeddings.create({ model: 'text-embedding-3-small', input: ['a', 'b'] })
    expect(res.data).toHaveLength(2)
    expect(res.data[0]?.embedding.length).toBeGreaterThan(8)
  })

  it('answers embeddings in the encoding asked for, and never serves the cached answer of one for the other', async () => {
    const input = `encoding check ${unique()}`
    const ask = async (encoding_format: 'float' | 'base64') => {
      const res = await gatewayFetch('http://gateway.test/v1/embeddings', {
        method: 'POST',
        headers: { authorization: `Bearer ${DEV_KEY}`, 'content-type': 'application/json' },
        body: JSON.stringify({ model: 'text-embedding-3-small', input, encoding_format }),
      })
      const body = (await res.json()) as { data: { embedding: unknown }[] }
      return { cache: res.headers.get('x-watchllm-cache'), embedding: body.data[0]?.embedding }
    }
    const floats = await ask('float')
    expect(Array.isArray(floats.embedding)).toBe(true)
    // Asked again in base64 after the float answer is cached: its own entry, as the same vector.
    await expect.poll(async () => (await ask('float')).cache, { timeout: 2000 }).toBe('HIT')
    const base64 = await ask('base64')
    expect(base64.cache).toBe('MISS')
    expect(Array.from(fromBase64(base64.embedding as string))).toEqual(Array.from(Float32Array.from(floats.embedding as number[])))
  })

  it('lists the models the project may use', async () => {
    const models = await client().models.list()
    expect(models.data.map((m) => m.id)).toContain('claude-haiku-4-5')
  })

  it('rejects a wrong key with 401 in the OpenAI error shape', async () => {
    const res = await gatewayFetch('http://gateway.test/v1/chat/completions', {
      method: 'POST',
      headers: { authorization: 'Bearer lgw_wrong', 'content-type': 'application/json' },
      body: '{}',
    })
    expect(res.status).toBe(401)
    expect(await res.json()).toEqual({ error: { message: 'Invalid API key.', type: 'authentication_error', param: null, code: 'invalid_api_key' } })
  })

  it('rejects malformed JSON with 400 naming the problem', async () => {
    const res = await gatewayFetch('http://gateway.test/v1/chat/completions', {
      method: 'POST',
      headers: { authorization: `Bearer ${DEV_KEY}`, 'content-type': 'application/json' },
      body: '{"model": "gpt-4o-mini", "messages": [',
    })
    expect(res.status).toBe(400)
    const body = (await res.json()) as { error: { code: string; type: string; message: string } }
    expect(body.error.code).toBe('invalid_json')
    expect(body.error.type).toBe('invalid_request_error')
  })
})
