/**
 * Defect 5 of the security review: a provider answering `200` with a body that is not an answer
 * (`{"error": …}`, an HTML page, broken JSON, a stream that opens with an error event) counted as a
 * success — served, priced, cached. Each adapter now checks the shape: it is a provider error, so
 * failover applies and nothing is cached. Against the fakes, through the official SDKs.
 */
import { describe, expect, it } from 'vitest'
import { createApp } from '../../src/app.ts'
import { sha256Hex } from '../../src/lib/hash.ts'
import { compilePolicy } from '../../src/policy/compile.ts'
import { driveGateway } from '../drive-gateway.ts'

const KEY = 'lgw_test_provider_answers'
const kinds = ['ok-error', 'ok-html', 'ok-garbage', 'sse-error-first'] as const
const providers = ['openai', 'groq', 'anthropic'] as const

const routes = providers.flatMap((p) =>
  kinds.flatMap((k) => [
    `  ${p}-${k}-alone: { targets: [{ provider: ${p}, model: ${k} }] }`,
    `  ${p}-${k}-fallback: { targets: [{ provider: ${p}, model: ${k} }, { provider: openai, model: gpt-4o-mini }] }`,
  ]),
)
const compiled = await compilePolicy([
  {
    path: 'answers.yaml',
    text: `
providers:
  openai: { type: openai, api_key: { secret: FAKE_OPENAI_KEY }, base_url: { var: FAKE_OPENAI_URL } }
  anthropic: { type: anthropic, api_key: { secret: FAKE_ANTHROPIC_KEY }, base_url: { var: FAKE_ANTHROPIC_URL } }
  groq: { type: groq, api_key: { secret: FAKE_GROQ_KEY }, base_url: { var: FAKE_GROQ_URL } }
models:
${routes.join('\n')}
  embed-ok-error: { kind: embeddings, targets: [{ provider: openai, model: ok-error }, { provider: openai, model: text-embedding-3-small }] }
projects:
  answers:
    keys: [{ id: k, sha256: ${sha256Hex(KEY)} }]
`,
  },
])
if (!compiled.ok) throw new Error(JSON.stringify(compiled.error))
const gateway = driveGateway(createApp(compiled.value), KEY)

const post = (path: string, body: unknown) =>
  gateway.fetch(`http://gateway.test/v1/${path}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${KEY}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  })
const ask = (model: string, stream: boolean) => ({ model, stream, messages: [{ role: 'user', content: `shape ${crypto.randomUUID()}` }] })

/** The text of an OpenAI SSE body: every chunk's content delta, in order. */
const streamedContent = (sse: string): string =>
  sse
    .split('\n\n')
    .filter((e) => e.startsWith('data: {'))
    .map((e) => (JSON.parse(e.slice(6)) as { choices: { delta?: { content?: string } }[] }).choices[0]?.delta?.content ?? '')
    .join('')

describe('a 200 that is not an answer', () => {
  for (const provider of providers)
    for (const kind of kinds)
      for (const stream of [false, true]) {
        const mode = stream ? 'stream' : 'JSON'
        it(`${provider}, ${kind}, ${mode}: fails over to the next target`, async () => {
          const res = await post('chat/completions', ask(`${provider}-${kind}-fallback`, stream))
          expect(res.status).toBe(200)
          expect(res.headers.get('x-watchllm-provider')).toBe('openai')
          expect(res.headers.get('x-watchllm-model')).toBe('gpt-4o-mini')
          const text = await res.text()
          expect(text).not.toContain('"error"')
          expect(stream ? streamedContent(text) : (JSON.parse(text) as { choices: { message: { content: string } }[] }).choices[0]!.message.content).toContain('You said: shape')
        })

        it(`${provider}, ${kind}, ${mode}: alone, it is a 502 in OpenAI's shape, and never cached`, async () => {
          const body = ask(`${provider}-${kind}-alone`, stream)
          for (let i = 0; i < 2; i++) {
            const res = await post('chat/completions', body)
            expect(res.status).toBe(502)
            expect(res.headers.get('x-watchllm-cache')).not.toBe('HIT')
            const error = ((await res.json()) as { error: Record<string, unknown> }).error
            expect(error).toMatchObject({ type: 'upstream_error', code: 'upstream_error', param: null })
            expect(String(error.message)).not.toMatch(/\n\s+at /) // no stack
          }
        })
      }

  it('embeddings: a 200 error body fails over too', async () => {
    const res = await post('embeddings', { model: 'embed-ok-error', input: 'shape' })
    expect(res.status).toBe(200)
    const body = (await res.json()) as { data: { embedding: number[] }[] }
    expect(body.data[0]?.embedding.length).toBeGreaterThan(0)
  })
})
