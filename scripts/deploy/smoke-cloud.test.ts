/**
 * The smoke test's logic, against fakes: a scripted Pulumi CLI, a gateway speaking OpenAI's wire
 * format (driven by the official client, as in the cloud), and an admin site that answers only
 * through Access. Each step must print what it checked, stop at the first failure, and still
 * destroy when asked.
 */
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { smokeCloud, type SmokeOptions } from './smoke-cloud.ts'

const policyHash = 'ab'.repeat(32)
const gw = { hash: policyHash, environment: 'production', provider: 'openai', requests: 0 }
const token = { id: 'client-id.access', secret: 'client-secret-value' }
let gateway: Server
let admin: Server
let gatewayUrl = ''
let adminUrl = ''
let calls: string[][] = []
let previewCode = 0
const lines: string[] = []

async function listen(server: Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`
}

beforeAll(async () => {
  gateway = createServer((req, res) => {
    if (req.url === '/health') return void res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ status: 'ok', policy_hash: gw.hash, environment: gw.environment }))
    if (req.url === '/v1/chat/completions' && req.headers.authorization === 'Bearer lgw_smoke_key') {
      gw.requests++
      const body = { id: 'chatcmpl-1', object: 'chat.completion', created: 1, model: 'gpt-4o-mini', choices: [{ index: 0, message: { role: 'assistant', content: 'Hello', refusal: null }, finish_reason: 'stop', logprobs: null }], usage: { prompt_tokens: 9, completion_tokens: 1, total_tokens: 10 } }
      return void res
        .writeHead(200, { 'content-type': 'application/json', 'x-watchllm-provider': gw.provider, 'x-watchllm-model': 'gpt-4o-mini', 'x-watchllm-request-id': 'req-1', 'x-watchllm-cache': 'MISS' })
        .end(JSON.stringify(body))
    }
    res.writeHead(401, { 'content-type': 'application/json' }).end(JSON.stringify({ error: { message: 'Invalid API key.', type: 'authentication_error', param: null, code: 'invalid_api_key' } }))
  })
  admin = createServer((req, res) => {
    const through = req.headers['cf-access-client-id'] === token.id && req.headers['cf-access-client-secret'] === token.secret
    if (!through) return void res.writeHead(302, { location: 'https://acme.cloudflareaccess.com/cdn-cgi/access/login/admin' }).end()
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ requests: gw.requests }))
  })
  gatewayUrl = await listen(gateway)
  adminUrl = await listen(admin)
})
afterAll(async () => {
  gateway.close()
  admin.close()
})
beforeEach(() => {
  Object.assign(gw, { hash: policyHash, environment: 'production', provider: 'openai' })
  calls = []
  previewCode = 0
  lines.length = 0
})

const outputs = () => ({ gatewayUrl, adminUrl, policyHash, deployedPolicy: { models: { 'text-embedding-3-small': { kind: 'embeddings' }, 'gpt-4o-mini': { kind: 'chat' } } } })
const run = (over: Partial<SmokeOptions> = {}) =>
  smokeCloud(
    { stack: 'dev', destroy: false, up: true, apiKey: 'lgw_smoke_key', accessClientId: token.id, accessClientSecret: token.secret, ...over },
    {
      pulumi: async (args) => {
        calls.push(args)
        if (args[0] === 'stack') return { code: 0, stdout: JSON.stringify(outputs()) }
        if (args[0] === 'preview') return { code: previewCode, stdout: '' }
        return { code: 0, stdout: '' }
      },
      fetch,
      log: (l) => lines.push(l),
    },
  )

describe('npm run smoke:cloud', () => {
  it('deploys, checks health, a real answer, Access and a no-change preview, printing each check', async () => {
    expect(await run()).toBe(true)
    expect(calls).toEqual([
      ['up', '--yes', '--stack', 'dev'],
      ['stack', 'output', '--json', '--stack', 'dev'],
      ['preview', '--expect-no-changes', '--stack', 'dev'],
    ])
    expect(lines).toEqual([
      '✓ pulumi up: stack dev deployed',
      `✓ stack outputs: gateway ${gatewayUrl}, policy ${policyHash.slice(0, 12)}, admin ${adminUrl}`,
      `✓ gateway /health: answers 200, policy ${policyHash.slice(0, 12)} (the one deployed), environment production`,
      '✓ chat completion: gpt-4o-mini answered by openai/gpt-4o-mini (request req-1, cache MISS)',
      expect.stringMatching(/^✓ admin site behind Access: refused without Access \(302\); through Access \/api\/overview reports \d+ request\(s\)$/),
      '✓ second preview: a second `pulumi up` would change nothing',
      'smoke test of dev passed',
    ])
  })

  it('stops at a gateway serving another policy, and still destroys when asked', async () => {
    gw.hash = 'cd'.repeat(32)
    expect(await run({ destroy: true })).toBe(false)
    expect(lines).toContain(`✗ gateway /health: it serves policy ${'cd'.repeat(6)}, not the deployed ${policyHash.slice(0, 12)}`)
    expect(calls.map((c) => c[0])).toEqual(['up', 'stack', 'destroy'])
    expect(lines.at(-2)).toBe('✓ pulumi destroy: stack dev destroyed')
    expect(lines.at(-1)).toBe('smoke test of dev FAILED')
  })

  it('refuses an answer made up by mock, and a gateway not running as production', async () => {
    gw.provider = 'mock'
    expect(await run()).toBe(false)
    expect(lines).toContain('✗ chat completion: answered by mock: a deployed gateway must answer from a real provider')
    lines.length = 0
    gw.environment = 'local'
    expect(await run()).toBe(false)
    expect(lines).toContain('✗ gateway /health: it runs as local, not production')
  })

  it('catches an admin site served without Access', async () => {
    expect(await run({ accessClientId: token.id, accessClientSecret: token.secret })).toBe(true)
    const open = createServer((_req, res) => res.writeHead(200, { 'content-type': 'application/json' }).end('{"requests":0}'))
    const openUrl = await listen(open)
    const saved = adminUrl
    adminUrl = openUrl
    try {
      expect(await run()).toBe(false)
      expect(lines).toContain(`✗ admin site behind Access: ${openUrl}/api/overview answered 200 to a visitor without Access: the site is public`)
    } finally {
      adminUrl = saved
      open.close()
    }
  })

  it('fails when a second preview would change something, and says how to find out what', async () => {
    previewCode = 1
    expect(await run({ up: false })).toBe(false)
    expect(calls[0]?.[0]).toBe('stack')
    expect(lines).toContain('✗ second preview: pulumi preview --expect-no-changes exited with 1: a second up would change something (see the diff above)')
  })

  it('without a gateway key it says what to set', async () => {
    expect(await run({ apiKey: undefined })).toBe(false)
    expect(lines).toContain('✗ chat completion: set WATCHLLM_SMOKE_KEY to a gateway key the deployed policy lists (npm run key:new)')
  })
})
