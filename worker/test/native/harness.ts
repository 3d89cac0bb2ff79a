/**
 * The native-API tests' gateway: one policy over the fake Anthropic and OpenAI upstreams and the
 * mock, driven by the official clients (`@anthropic-ai/sdk`, `openai`) through `driveGateway`.
 */
import Anthropic from '@anthropic-ai/sdk'
import { createApp } from '../../src/app.ts'
import { sha256Hex } from '../../src/lib/hash.ts'
import { compilePolicy } from '../../src/policy/compile.ts'
import { driveGateway } from '../drive-gateway.ts'

export const KEY = 'lgw_test_native_a'
export const KEY_OTHER = 'lgw_test_native_b'
export const KEY_PII = 'lgw_test_native_pii'

const policyYaml = `
providers:
  openai: { type: openai, api_key: { secret: FAKE_OPENAI_KEY }, base_url: { var: FAKE_OPENAI_URL } }
  anthropic: { type: anthropic, api_key: { secret: FAKE_ANTHROPIC_KEY }, base_url: { var: FAKE_ANTHROPIC_URL } }
  anthropic-caching:
    type: anthropic
    api_key: { secret: FAKE_ANTHROPIC_KEY }
    base_url: { var: FAKE_ANTHROPIC_URL }
    headers: { x-fake-script: "write-600,write1h-200,cached-100" }
  mock: { type: mock, stream_chunks: 3 }
models:
  claude: { targets: [{ provider: anthropic, model: claude-haiku-4-5 }] }
  claude-tools: { targets: [{ provider: anthropic, model: tools }] }
  claude-529: { targets: [{ provider: anthropic, model: fail-529 }, { provider: openai, model: gpt-4o-mini }] }
  claude-caching: { targets: [{ provider: anthropic-caching, model: claude-haiku-4-5 }] }
  gpt: { targets: [{ provider: openai, model: gpt-4o-mini }] }
  gpt-tools: { targets: [{ provider: openai, model: tools }] }
  gpt-503: { targets: [{ provider: openai, model: fail-503 }, { provider: anthropic, model: claude-haiku-4-5 }] }
  mocked: { targets: [{ provider: mock, model: gpt-4o-mini }] }
projects:
  a:
    keys: [{ id: a-key, sha256: ${sha256Hex(KEY)} }]
    cache: { exact: { store: kv } }
  b:
    keys: [{ id: b-key, sha256: ${sha256Hex(KEY_OTHER)} }]
  pii:
    keys: [{ id: pii-key, sha256: ${sha256Hex(KEY_PII)} }]
    cache: { exact: { enabled: false } }
    pii: { restore: true, email: redact }
`

const compiled = await compilePolicy([{ path: 'native.yaml', text: policyYaml }])
if (!compiled.ok) throw new Error(JSON.stringify(compiled.error))
export const policy = compiled.value

export const gateway = (app = createApp(policy)) => driveGateway(app, KEY)

export function anthropicClient(g: ReturnType<typeof gateway>, apiKey = KEY, headers: Record<string, string> = {}): Anthropic {
  return new Anthropic({ apiKey, baseURL: 'http://gateway.test', fetch: g.fetch, maxRetries: 0, defaultHeaders: headers })
}

export const unique = (): string => crypto.randomUUID().slice(0, 8)

export interface Recorded {
  path: string
  headers: Record<string, string>
  body: Record<string, unknown>
}

/** What a fake upstream received whose body mentions `mark`. */
export async function received(baseUrl: string, mark: string): Promise<Recorded[]> {
  const all = (await (await fetch(`${new URL(baseUrl).origin}/__requests`)).json()) as Recorded[]
  return all.filter((r) => JSON.stringify(r.body).includes(mark))
}
