/**
 * Answers made up by the `mock` provider are never cached outside local development: a real
 * provider's 429 answered by `mock` must not become every later caller's cached answer.
 */
import { describe, expect, it } from 'vitest'
import { createApp } from '../src/app.ts'
import { sha256Hex } from '../src/lib/hash.ts'
import { compilePolicy } from '../src/policy/compile.ts'
import { driveGateway } from './drive-gateway.ts'

const KEY = 'lgw_test_mock_answers'
const compiled = await compilePolicy([
  {
    path: 'mock-answers.yaml',
    text: `
providers:
  openai: { type: openai, api_key: { secret: FAKE_OPENAI_KEY }, base_url: { var: FAKE_OPENAI_URL } }
  mock: { type: mock }
models:
  busy: { targets: [{ provider: openai, model: fail-429 }, { provider: mock, model: gpt-4o-mini }] }
  real: { targets: [{ provider: openai, model: gpt-4o-mini }] }
projects:
  p:
    keys: [{ id: k, sha256: ${sha256Hex(KEY)} }]
    cache: { exact: { store: kv } }
`,
  },
])
if (!compiled.ok) throw new Error(JSON.stringify(compiled.error))
const policy = compiled.value

async function twice(environment: 'local' | 'production', model: string, stream = false): Promise<(string | null)[]> {
  // One app: the same isolate, so the second call would be an L0 hit if the first was stored.
  const client = driveGateway(createApp(policy), KEY, { WATCHLLM_ENV: environment }).client()
  const body = { model, messages: [{ role: 'user' as const, content: `mock answers ${crypto.randomUUID()}` }] }
  const seen: (string | null)[] = []
  for (let i = 0; i < 2; i++) {
    if (stream) {
      const { response, data } = await client.chat.completions.create({ ...body, stream: true }).withResponse()
      for await (const _ of data) void _
      seen.push(`${response.headers.get('x-watchllm-provider')} ${response.headers.get('x-watchllm-cache')}`)
    } else {
      const { response } = await client.chat.completions.create(body).withResponse()
      seen.push(`${response.headers.get('x-watchllm-provider')} ${response.headers.get('x-watchllm-cache')}`)
    }
  }
  return seen
}

describe('answers from mock', () => {
  it('are served but never stored in production, JSON and streamed alike', async () => {
    expect(await twice('production', 'busy')).toEqual(['mock MISS', 'mock MISS'])
    expect(await twice('production', 'busy', true)).toEqual(['mock MISS', 'mock MISS'])
  })

  it('are stored locally (npm start keeps its demo cache)', async () => {
    expect(await twice('local', 'busy')).toEqual(['mock MISS', 'mock HIT'])
  })

  it('leave real answers cacheable in production', async () => {
    expect(await twice('production', 'real')).toEqual(['openai MISS', 'openai HIT'])
  })
})
