/**
 * Shared by the limits, budgets, stream-cut and alerts suites: a policy on the fake OpenAI upstream
 * with one project per test (so no two tests share a counter), the official `openai` client as the
 * caller, the webhook receiver's records, and the usage event a request produced.
 */
import { createExecutionContext, waitOnExecutionContext } from 'cloudflare:test'
import { env } from 'cloudflare:workers'
import OpenAI from 'openai'
import { vi } from 'vitest'
import { createApp } from '../../src/app.ts'
import type { GatewayEnv } from '../../src/env.ts'
import { sha256Hex } from '../../src/lib/hash.ts'
import { compilePolicy, type CompiledPolicy } from '../../src/policy/compile.ts'

export const genv = env as unknown as GatewayEnv & { WEBHOOK_RECEIVER_URL: string; FAKE_OPENAI_URL: string }

export const unique = (): string => crypto.randomUUID().slice(0, 8)

const providers = (script?: string) => `
providers:
  openai: { type: openai, api_key: { secret: FAKE_OPENAI_KEY }, base_url: { var: FAKE_OPENAI_URL } }
  scripted: { type: openai, api_key: { secret: FAKE_OPENAI_KEY }, base_url: { var: FAKE_OPENAI_URL }, headers: { x-fake-script: "${script ?? ''}" } }
  mock: { type: mock }
models:
  gpt-4o: { targets: [{ provider: openai, model: gpt-4o }] }
  gpt-4o-mini: { targets: [{ provider: openai, model: gpt-4o-mini }] }
  scripted: { targets: [{ provider: scripted, model: gpt-4o-mini }] }
  embed: { kind: embeddings, targets: [{ provider: openai, model: text-embedding-3-small }] }
`

export interface Project {
  policy: CompiledPolicy
  key: string
  name: string
}

/**
 * A policy whose one project (a fresh name: its counters are its own) has `body` under it. Model
 * `scripted` is gpt-4o-mini on the fake with `script` as its `x-fake-script` (see fakes/fake-server.ts).
 */
export async function projectWith(body: string, options: { cache?: boolean; script?: string } = {}): Promise<Project> {
  const name = `p-${unique()}`
  const key = `lgw_test_${unique()}`
  const indented = body.trim().split('\n').map((l) => `    ${l}`).join('\n')
  // No exact cache unless asked (then the in-isolate LRU only): most tests need every request to go upstream.
  const cache = options.cache ? '{ exact: { store: none } }' : '{ exact: { enabled: false } }'
  const yaml = `${providers(options.script)}projects:\n  ${name}:\n    keys: [{ id: k1, sha256: ${sha256Hex(key)} }]\n    cache: ${cache}\n${indented}\n`
  const compiled = await compilePolicy([{ path: 'test.yaml', text: yaml }])
  if (!compiled.ok) throw new Error(JSON.stringify(compiled.error))
  return { policy: compiled.value, key, name }
}

/** Calls the app as the Worker would; `waitUntil` work is awaited before the response is handed back only when asked. */
export function gatewayFor(project: Project, overrides: Partial<GatewayEnv> = {}) {
  const app = createApp(project.policy)
  const pending: Promise<unknown>[] = []
  const fetcher: typeof fetch = async (input, init) => {
    const ctx = createExecutionContext()
    const res = await app.fetch(new Request(input, init), { ...genv, ...overrides } as GatewayEnv, ctx)
    pending.push(waitOnExecutionContext(ctx))
    return res
  }
  return {
    fetch: fetcher,
    client: (options: { maxRetries?: number; headers?: Record<string, string> } = {}) =>
      new OpenAI({ apiKey: project.key, baseURL: 'http://gateway.test/v1', fetch: fetcher, maxRetries: options.maxRetries ?? 0, defaultHeaders: options.headers ?? {} }),
    post: (body: unknown, headers: Record<string, string> = {}) =>
      fetcher('http://gateway.test/v1/chat/completions', {
        method: 'POST',
        headers: { authorization: `Bearer ${project.key}`, 'content-type': 'application/json', ...headers },
        body: JSON.stringify(body),
      }),
    get: (path: string, headers: Record<string, string> = {}) => fetcher(`http://gateway.test${path}`, { headers: { authorization: `Bearer ${project.key}`, ...headers } }),
    /** Every request's background work (settlement, alerts, telemetry) so far. */
    settled: () => Promise.all(pending.splice(0)),
  }
}

export const ask = (content = `q ${unique()}`, extra: Record<string, unknown> = {}) => ({ model: 'gpt-4o-mini', messages: [{ role: 'user', content }], ...extra })

export interface ReceivedHook {
  path: string
  headers: Record<string, string>
  body: string
}

export async function receivedAt(path: string): Promise<ReceivedHook[]> {
  const res = await fetch(`${genv.WEBHOOK_RECEIVER_URL}/__requests?path=${encodeURIComponent(path)}`)
  return (await res.json()) as ReceivedHook[]
}

/** The usage event of one request, once the queue consumer has written it to D1. */
export function eventFor(requestId: string): Promise<Record<string, unknown>> {
  return vi.waitFor(
    async () => {
      const row = await genv.DB.prepare('SELECT * FROM usage_events WHERE request_id = ?1 OR client_request_id = ?1').bind(requestId).first()
      if (!row) throw new Error(`no event yet for ${requestId}`)
      return row
    },
    { timeout: 10_000, interval: 100 },
  )
}

export const errorOf = async (res: Response) => ((await res.json()) as { error: { message: string; type: string; param: string | null; code: string } }).error
