import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { cosine } from './semantic/embedder.ts'
import { portFromEnv, startEmbeddingsServer, type EmbeddingsServer } from './embeddings-server.ts'

// Loads the real USE-lite model (≈0.2 s here, 30 MB of weights): bounded, not skipped.
const MODEL_TIMEOUT_MS = 60_000

interface EmbeddingsAnswer {
  object: string
  model: string
  data: { object: string; index: number; embedding: number[] | string }[]
  usage: { prompt_tokens: number; total_tokens: number }
}
interface ErrorAnswer {
  error: { message: string; type: string; param: string | null; code: string | null }
}

let server: EmbeddingsServer

beforeAll(async () => {
  server = await startEmbeddingsServer({ port: 0 })
}, MODEL_TIMEOUT_MS)

afterAll(async () => {
  await server?.close()
})

const post = (body: unknown): Promise<Response> =>
  fetch(`${server.url}/v1/embeddings`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  })

describe('embeddings server', () => {
  it('listens on 127.0.0.1 only', () => {
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/)
  })

  it('embeds a batch: 512-d unit vectors, paraphrases closer than an unrelated sentence', async () => {
    const input = ['How do I reset my password?', 'How can I change my password?', 'The giraffe is the tallest land animal.']
    const res = await post({ model: 'text-embedding-3-small', input })
    expect(res.status).toBe(200)
    expect(res.headers.get('content-type')).toBe('application/json')
    const body = (await res.json()) as EmbeddingsAnswer
    expect(body.object).toBe('list')
    expect(body.model).toBe(server.model)
    expect(body.data.map((d) => [d.object, d.index])).toEqual([
      ['embedding', 0],
      ['embedding', 1],
      ['embedding', 2],
    ])
    const [a, b, c] = body.data.map((d) => d.embedding as number[])
    for (const v of [a, b, c]) {
      expect(v).toHaveLength(512)
      expect(Math.hypot(...(v ?? []))).toBeCloseTo(1, 5)
    }
    const paraphrase = cosine(a ?? [], b ?? [])
    const unrelated = cosine(a ?? [], c ?? [])
    expect(paraphrase).toBeGreaterThan(0.8)
    expect(paraphrase).toBeGreaterThan(unrelated + 0.3)
    expect(body.usage.prompt_tokens).toBeGreaterThan(10)
    expect(body.usage.total_tokens).toBe(body.usage.prompt_tokens)
  })

  it('a single string gives one embedding, the same as in a batch', async () => {
    const single = (await (await post({ model: 'm', input: 'How do I reset my password?' })).json()) as EmbeddingsAnswer
    const batch = (await (await post({ model: 'm', input: ['Unrelated words here.', 'How do I reset my password?'] })).json()) as EmbeddingsAnswer
    expect(single.data).toHaveLength(1)
    expect(cosine(single.data[0]?.embedding as number[], batch.data[1]?.embedding as number[])).toBeCloseTo(1, 5)
  })

  it('base64 encoding carries the same float32 vector (what the openai SDK asks for)', async () => {
    const body = { model: 'm', input: 'Hello there' }
    const floats = (await (await post(body)).json()) as EmbeddingsAnswer
    const encoded = (await (await post({ ...body, encoding_format: 'base64' })).json()) as EmbeddingsAnswer
    const bytes = Buffer.from(encoded.data[0]?.embedding as string, 'base64')
    const decoded = Array.from(new Float32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 4))
    expect(decoded).toHaveLength(512)
    expect(cosine(decoded, floats.data[0]?.embedding as number[])).toBeCloseTo(1, 6)
  })

  it.each([
    ['not JSON', '{"model":', null],
    ['no input', { model: 'm' }, 'input'],
    ['an empty string', { model: 'm', input: '' }, 'input'],
    ['an empty list', { model: 'm', input: [] }, 'input'],
    ['token ids instead of text', { model: 'm', input: [1, 2, 3] }, 'input'],
    ['no model', { input: 'hi' }, 'model'],
    ['other dimensions', { model: 'm', input: 'hi', dimensions: 256 }, 'dimensions'],
  ])('a body with %s is a 400 in the OpenAI error shape', async (_name, body, param) => {
    const res = await post(body)
    expect(res.status).toBe(400)
    const answer = (await res.json()) as ErrorAnswer
    expect(answer.error.type).toBe('invalid_request_error')
    expect(answer.error.param).toBe(param)
    expect(answer.error.message.length).toBeGreaterThan(0)
  })

  it('other paths and methods answer 404 / 405 in the OpenAI error shape', async () => {
    const missing = await fetch(`${server.url}/v1/chat/completions`, { method: 'POST', body: '{}' })
    expect(missing.status).toBe(404)
    expect(((await missing.json()) as ErrorAnswer).error.code).toBe('not_found')
    const wrongMethod = await fetch(`${server.url}/v1/embeddings`)
    expect(wrongMethod.status).toBe(405)
    expect(((await wrongMethod.json()) as ErrorAnswer).error.type).toBe('invalid_request_error')
  })

  it('reports health and its one model', async () => {
    expect(await (await fetch(`${server.url}/healthz`)).json()).toEqual({ ok: true, model: server.model })
    const models = (await (await fetch(`${server.url}/v1/models`)).json()) as { data: { id: string }[] }
    expect(models.data.map((m) => m.id)).toEqual([server.model])
  })

  it('after close() the port no longer answers', async () => {
    const other = await startEmbeddingsServer({ port: 0 })
    expect((await fetch(`${other.url}/healthz`)).status).toBe(200)
    await other.close()
    await expect(fetch(`${other.url}/healthz`)).rejects.toThrow()
  })
})

describe('portFromEnv', () => {
  it('defaults to 8790 and rejects what is not a port', () => {
    expect(portFromEnv(undefined)).toBe(8790)
    expect(portFromEnv('')).toBe(8790)
    expect(portFromEnv('0')).toBe(0)
    expect(portFromEnv('9001')).toBe(9001)
    expect(() => portFromEnv('http')).toThrow(/EMBEDDINGS_PORT/)
    expect(() => portFromEnv('70000')).toThrow(/EMBEDDINGS_PORT/)
  })
})
