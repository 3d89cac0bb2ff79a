/**
 * The stream cut in each shape's own words: a session's token budget crossed mid-stream ends a
 * /v1/messages stream with `event: error` (the Anthropic SDK raises it) and a /v1/responses stream
 * with `response.failed` then `error` (the openai SDK raises it) — native passthrough and
 * translation alike — and the cut answer is never cached.
 */
import Anthropic from '@anthropic-ai/sdk'
import OpenAI from 'openai'
import { describe, expect, it } from 'vitest'
import { createApp } from '../../src/app.ts'
import { sha256Hex } from '../../src/lib/hash.ts'
import { compilePolicy } from '../../src/policy/compile.ts'
import { driveGateway } from '../drive-gateway.ts'
import { unique } from './harness.ts'

const KEY = 'lgw_test_native_cut'
const LONG = 'Once upon a time there was a gateway that counted every token. '.repeat(32).slice(0, 2000)
const script = `text=${encodeURIComponent(LONG)},gap-20`

const compiled = await compilePolicy([
  {
    path: 'cut.yaml',
    text: `
providers:
  anthropic: { type: anthropic, api_key: { secret: FAKE_ANTHROPIC_KEY }, base_url: { var: FAKE_ANTHROPIC_URL }, headers: { x-fake-script: "${script}" } }
  openai: { type: openai, api_key: { secret: FAKE_OPENAI_KEY }, base_url: { var: FAKE_OPENAI_URL }, headers: { x-fake-script: "${script}" } }
models:
  claude: { targets: [{ provider: anthropic, model: claude-haiku-4-5 }] }
  gpt: { targets: [{ provider: openai, model: gpt-4o-mini }] }
projects:
  cut:
    keys: [{ id: cut-key, sha256: ${sha256Hex(KEY)} }]
    budgets: { chat: { scope: session, tokens: 300 } }
`,
  },
])
if (!compiled.ok) throw new Error(JSON.stringify(compiled.error))
const g = driveGateway(createApp(compiled.value), KEY)
const session = () => ({ 'x-watchllm-session': `s-${unique()}` })

describe('a budget crossed mid-stream, in each shape', () => {
  for (const model of ['claude', 'gpt']) {
    it(`ends a /v1/messages stream (${model}) with event: error, which the Anthropic SDK raises`, async () => {
      const client = new Anthropic({ apiKey: KEY, baseURL: 'http://gateway.test', fetch: g.fetch, maxRetries: 0, defaultHeaders: session() })
      const stream = await client.messages.create({ model, max_tokens: 50, stream: true, messages: [{ role: 'user', content: 'A long story' }] })
      let text = ''
      const raised = await (async () => {
        for await (const e of stream) if (e.type === 'content_block_delta' && e.delta.type === 'text_delta') text += e.delta.text
      })().catch((e: unknown) => e)
      expect(raised).toBeInstanceOf(Anthropic.APIError)
      expect(raised).toMatchObject({ type: 'billing_error' })
      expect((raised as Error).message).toContain('Budget `chat` reached')
      expect(text.length).toBeGreaterThan(0)
      expect(text.length).toBeLessThan(LONG.length)
    })

    it(`ends a /v1/responses stream (${model}) with response.failed and error, which the openai SDK raises`, async () => {
      const client = new OpenAI({ apiKey: KEY, baseURL: 'http://gateway.test/v1', fetch: g.fetch, maxRetries: 0, defaultHeaders: session() })
      const types: string[] = []
      const raised = await (async () => {
        const stream = await client.responses.create({ model, input: 'A long story', stream: true })
        for await (const e of stream) types.push(e.type)
      })().catch((e: unknown) => e)
      expect(raised).toBeInstanceOf(OpenAI.APIError)
      expect(raised).toMatchObject({ code: 'budget_exceeded' })
      expect(types).toContain('response.output_text.delta')
      expect(types.at(-1)).toBe('response.failed')
      expect(types).not.toContain('response.completed')
    })
  }

  it('never caches a cut answer', async () => {
    const body = JSON.stringify({ model: 'claude', max_tokens: 50, stream: true, messages: [{ role: 'user', content: `Cut me ${unique()}` }] })
    const post = () => g.fetch('http://gateway.test/v1/messages', { method: 'POST', headers: { 'x-api-key': KEY, 'content-type': 'application/json', ...session() }, body })
    const first = await post()
    expect(await first.text()).toContain('event: error')
    const second = await post()
    expect(second.headers.get('x-watchllm-cache')).toBe('MISS')
    expect(await second.text()).toContain('event: error')
  })
})
