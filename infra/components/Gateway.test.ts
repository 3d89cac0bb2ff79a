import * as pulumi from '@pulumi/pulumi'
import { describe, expect, test } from 'vitest'
import type { WorkerBundle } from '../lib/bundle.ts'
import { parseWranglerConfig, type WorkerDeclaration } from '../lib/wrangler-config.ts'
import { buildUnderMocks, secretness } from '../testing/component.ts'
import { Gateway, pendingMigrations, type GatewayArgs } from './Gateway.ts'

const declaration = (extra = ''): WorkerDeclaration =>
  parseWranglerConfig(`{
    "name": "watchllm-gateway", "main": "src/index.ts", "compatibility_date": "2026-11-01",
    "vars": { "WATCHLLM_ENV": "production" },
    "d1_databases": [{ "binding": "DB", "database_name": "watchllm", "database_id": "x" }],
    "queues": { "producers": [{ "binding": "EVENTS", "queue": "watchllm-events" }] }
    ${extra}
  }`)

const bundle: WorkerBundle = {
  dir: '/tmp/b',
  main: { name: 'index.js', path: '/tmp/b/index.js', contentType: 'application/javascript+module', sha256: 'abc', bytes: 10, gzipBytes: 20 },
  extras: [],
  sha256: 'def',
  rawBytes: 10,
  gzipBytes: 20,
}

const args = (over: Partial<GatewayArgs> = {}): GatewayArgs => ({
  accountId: '0123456789abcdef0123456789abcdef',
  namePrefix: 'watchllm-dev',
  declaration: declaration(),
  bundle,
  d1DatabaseIds: { DB: 'db-uuid' },
  vectorIndexNames: {},
  secrets: {},
  workersDevSubdomain: 'acme-team',
  ...over,
})

const script = 'cloudflare:index/workersScript:WorkersScript'
type B = { name: string; type: string; text?: unknown }

describe('Gateway', () => {
  test('secrets are bound as Pulumi secrets even when handed over as plain values; vars are not', async () => {
    const built = await buildUnderMocks((opts) =>
      new Gateway('gw', args({ secrets: { OPENAI_API_KEY: 'sk-plain-string', UPSTASH_REDIS_REST_TOKEN: pulumi.output('plain-output') } }), opts),
    )
    const bindings = built.propsOf(script)['bindings'] as B[]
    const checks = await Promise.all(bindings.map(async (b) => [b.name, b.type, await secretness(b.text)] as const))
    expect(checks.filter(([, type]) => type === 'secret_text').map(([name, , s]) => [name, s])).toEqual([
      ['OPENAI_API_KEY', { value: 'sk-plain-string', secret: true }],
      ['UPSTASH_REDIS_REST_TOKEN', { value: 'plain-output', secret: true }],
    ])
    expect(checks.find(([name]) => name === 'WATCHLLM_ENV')?.[2]).toEqual({ value: 'production', secret: false })
  })

  test('a secret may not shadow a declared binding', async () => {
    await expect(buildUnderMocks((opts) => new Gateway('gw', args({ secrets: { DB: 'x' } }), opts))).rejects.toThrow(/secret DB clashes/)
  })

  test('every name in wrangler.jsonc secrets.required must be provided', async () => {
    const decl = declaration(', "secrets": { "required": ["OPENAI_API_KEY", "ADMIN_TOKEN_SHA256"] }')
    await expect(buildUnderMocks((opts) => new Gateway('gw', args({ declaration: decl, secrets: { OPENAI_API_KEY: 'k' } }), opts))).rejects.toThrow(
      /secrets.required lists ADMIN_TOKEN_SHA256, which this stack does not provide/,
    )
  })

  test('a declared binding infra provisioned nothing for is refused', async () => {
    await expect(buildUnderMocks((opts) => new Gateway('gw', args({ d1DatabaseIds: {} }), opts))).rejects.toThrow(
      /wrangler.jsonc declares D1 DB, but infra provisioned nothing for it/,
    )
  })

  test('cron triggers come from wrangler.jsonc, on this stack’s script; none declared, none made', async () => {
    const crons = declaration(', "triggers": { "crons": ["7 * * * *", "0 3 * * 1"] }')
    const built = await buildUnderMocks((opts) => new Gateway('gw', args({ declaration: crons }), opts))
    const props = built.propsOf('cloudflare:index/workersCronTrigger:WorkersCronTrigger')
    expect(props).toMatchObject({ accountId: '0123456789abcdef0123456789abcdef', schedules: [{ cron: '7 * * * *' }, { cron: '0 3 * * 1' }] })
    expect((await secretness(props['scriptName'])).value).toBe('watchllm-dev-gateway')
    const none = await buildUnderMocks((opts) => new Gateway('gw', args(), opts))
    expect(none.resources.map((r) => r.type)).not.toContain('cloudflare:index/workersCronTrigger:WorkersCronTrigger')
  })

  test('a route on an existing zone replaces the custom domain and switches workers.dev off', async () => {
    const domain = { hostname: 'api.example.com', zoneId: 'ffffffffffffffffffffffffffffffff', routePattern: 'api.example.com/llm/*' }
    const built = await buildUnderMocks((opts) => new Gateway('gw', args({ domain }), opts))
    expect(built.resources.map((r) => r.type)).not.toContain('cloudflare:index/workersCustomDomain:WorkersCustomDomain')
    expect(built.propsOf('cloudflare:index/workersRoute:WorkersRoute')).toMatchObject({ zoneId: domain.zoneId, pattern: 'api.example.com/llm/*' })
    expect(built.propsOf('cloudflare:index/workersScriptSubdomain:WorkersScriptSubdomain')).toMatchObject({ enabled: false })
    expect((await secretness(built.component.url)).value).toBe('https://api.example.com')
  })
})

describe('pendingMigrations', () => {
  const all = [
    { tag: 'v1', new_sqlite_classes: ['A'] },
    { tag: 'v2', renamed_classes: [{ from: 'A', to: 'B' }] },
  ]
  test('nothing pending once the last tag is deployed', () => {
    expect(pendingMigrations(all, 'v2')).toBeUndefined()
  })
  test('a deployed tag wrangler.jsonc no longer lists is an error', () => {
    expect(() => pendingMigrations(all, 'v9')).toThrow(/tag v9 is not in wrangler.jsonc migrations/)
  })
  test('renames carry over as a step', () => {
    expect(pendingMigrations(all, 'v1')).toEqual({ oldTag: 'v1', newTag: 'v2', steps: [{ renamedClasses: [{ from: 'A', to: 'B' }] }] })
  })
})
