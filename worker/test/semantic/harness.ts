/**
 * A gateway built from a test policy with the semantic cache on, driven with the official `openai`
 * client against the fake OpenAI upstream, embedding with the real USE-lite model served by the
 * local endpoint (EMBEDDINGS_URL, started by global-setup). Each request waits for the previous
 * one's `waitUntil` work (the semantic insert), as two real requests a moment apart would.
 */
import { env } from 'cloudflare:test'
import OpenAI from 'openai'
import { createApp } from '../../src/app.ts'
import { openAiEmbedder } from '../../src/cache/semantic/openai-embedder.ts'
import { dot } from '../../src/cache/semantic/quantize.ts'
import type { GatewayEnv } from '../../src/env.ts'
import { sha256Hex } from '../../src/lib/hash.ts'
import { compilePolicy } from '../../src/policy/compile.ts'
import { driveGateway, settled } from '../drive-gateway.ts'

export const KEY_A = 'lgw_semantic_project_a'
export const KEY_B = 'lgw_semantic_project_b'
export const KEY_STRICT = 'lgw_semantic_strict'
export const KEY_TOOLS = 'lgw_semantic_tools'

// Threshold 0.8, under the shipped conservative start: the isolation tests need a paraphrase that
// hits in its own context (the tagged test pairs score 0.85–0.97). Verification is off here (no re-asks or
// threshold moves mid-test); verification.test.ts turns it on.
const policyYaml = `
providers:
  openai: { type: openai, api_key: { secret: FAKE_OPENAI_KEY }, base_url: { var: FAKE_OPENAI_URL } }
models:
  gpt: { targets: [{ provider: openai, model: gpt-4o-mini }] }
  gpt-big: { targets: [{ provider: openai, model: gpt-4o }] }
  all-down: { targets: [{ provider: openai, model: fail-500 }] }
  bad-request: { targets: [{ provider: openai, model: fail-400 }] }
  dies: { targets: [{ provider: openai, model: die-3 }] }
  embed: { kind: embeddings, targets: [{ provider: openai, model: text-embedding-3-small }] }
projects:
  a:
    keys: [{ id: a, sha256: ${sha256Hex(KEY_A)} }]
    cache: { exact: { store: none }, semantic: { enabled: true, max_turns: 2, threshold: 0.8, verification: { enabled: false } } }
  b:
    keys: [{ id: b, sha256: ${sha256Hex(KEY_B)} }]
    cache: { exact: { store: none }, semantic: { enabled: true, max_turns: 2, threshold: 0.8, verification: { enabled: false } } }
  strict:
    keys: [{ id: strict, sha256: ${sha256Hex(KEY_STRICT)} }]
    cache: { exact: { store: none }, semantic: { enabled: true, threshold: 1, verification: { enabled: false } } }
  tools:
    keys: [{ id: tools, sha256: ${sha256Hex(KEY_TOOLS)} }]
    cache: { exact: { store: none }, semantic: { enabled: true, allow_tools: true, threshold: 0.8, verification: { enabled: false } } }
`

const compiled = await compilePolicy([{ path: 'semantic-test.yaml', text: policyYaml }])
if (!compiled.ok) throw new Error(JSON.stringify(compiled.error))
export const policy = compiled.value

/** One app = one isolate (its own L0 and D1 mirrors); D1 is shared by all, like production. */
export const gateway = (app = createApp(policy), overrides: Partial<GatewayEnv> = {}) => driveGateway(app, KEY_A, overrides)

export type Gateway = ReturnType<typeof gateway>

export interface Asked {
  status: number
  cache: string | null
  similarity: number | null
  /** The answer's text (the fake upstream quotes the question it answered: `You said: …`). */
  content: string
}

export interface AskOptions {
  system?: string
  /** Earlier turns, oldest first, before the question. */
  earlier?: { role: 'user' | 'assistant'; content: string }[]
  model?: string
  key?: string
  headers?: Record<string, string>
  params?: Record<string, unknown>
  stream?: boolean
}

/** One chat call through the gateway with the openai client; errors are returned, not thrown. */
export async function ask(g: Gateway, question: string, o: AskOptions = {}): Promise<Asked> {
  const messages: OpenAI.ChatCompletionMessageParam[] = [
    ...(o.system ? [{ role: 'system' as const, content: o.system }] : []),
    ...(o.earlier ?? []),
    { role: 'user', content: question },
  ]
  const client = g.client(o.key ?? KEY_A, o.headers)
  const body = { model: o.model ?? 'gpt', messages, ...o.params }
  try {
    if (o.stream) {
      const { data, response } = await client.chat.completions.create({ ...body, stream: true }).withResponse()
      let content = ''
      for await (const chunk of data) content += chunk.choices[0]?.delta.content ?? ''
      return { status: response.status, cache: response.headers.get('x-watchllm-cache'), similarity: similarityOf(response), content }
    }
    const { data, response } = await client.chat.completions.create(body).withResponse()
    return { status: response.status, cache: response.headers.get('x-watchllm-cache'), similarity: similarityOf(response), content: data.choices[0]?.message.content ?? '' }
  } catch (e) {
    if (e instanceof OpenAI.APIError) return { status: e.status ?? 0, cache: e.headers?.get('x-watchllm-cache') ?? null, similarity: null, content: '' }
    throw e
  }
}

function similarityOf(res: Response): number | null {
  const value = res.headers.get('x-watchllm-similarity')
  return value === null ? null : Number(value)
}

/** A fresh cache namespace per test: tests share one D1 and must not see each other's entries. */
export const freshNamespace = () => ({ 'x-watchllm-cache-namespace': `t-${crypto.randomUUID().slice(0, 12)}` })

/** Rows stored for this exact question text, in any context, once earlier requests' `waitUntil` work is done. */
export async function storedRows(question: string): Promise<number> {
  await settled()
  const row = await env.DB.prepare('SELECT count(*) AS n FROM semantic_entries WHERE question = ?1').bind(question).first<{ n: number }>()
  return row?.n ?? 0
}

/** Cosine of two texts under the same local model the gateway embeds with. */
export async function cosineOf(a: string, b: string): Promise<number> {
  const embedder = openAiEmbedder({ id: 'test', baseUrl: `${(env as unknown as GatewayEnv).EMBEDDINGS_URL}/v1`, model: 'use-lite-512', timeoutMs: 10_000 })
  const [x, y] = await embedder.embed([a, b])
  return x && y ? dot(x, y) : Number.NaN
}
