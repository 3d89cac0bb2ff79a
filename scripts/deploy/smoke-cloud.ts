/**
 * `npm run smoke:cloud -- --stack dev [--destroy] [--no-up]`: deploys a stack and checks it the way
 * a user would, printing what each step checked. Needs the network and a Cloudflare account, so it
 * never runs in CI; its logic is tested against fakes (smoke-cloud.test.ts).
 *
 *   1. `pulumi up`                       the stack deploys
 *   2. GET <gatewayUrl>/health           answers, in production, with the policy hash just deployed
 *   3. one chat completion               through the official `openai` client, from a real provider
 *   4. <adminUrl>/api/overview           refused without Access; served with an Access service token
 *   5. `pulumi preview --expect-no-changes`   a second `up` would change nothing
 *   6. `pulumi destroy` (--destroy)      everything goes again
 *
 * Environment: CLOUDFLARE_API_TOKEN (and what the stack needs, see README), WATCHLLM_SMOKE_KEY (a
 * gateway key the deployed policy lists), WATCHLLM_SMOKE_MODEL (default: the policy's first chat
 * alias), CF_ACCESS_CLIENT_ID / CF_ACCESS_CLIENT_SECRET (a service token in watchllm:admin.serviceTokenIds).
 */
import { spawn } from 'node:child_process'
import OpenAI from 'openai'

export interface SmokeOptions {
  stack: string
  destroy: boolean
  up: boolean
  apiKey?: string
  model?: string
  accessClientId?: string
  accessClientSecret?: string
}

export interface SmokeDeps {
  /** Runs the Pulumi CLI; `stream` lets the user watch long steps. */
  pulumi(args: string[], options: { stream: boolean }): Promise<{ code: number; stdout: string }>
  fetch: typeof fetch
  log(line: string): void
}

interface Outputs {
  gatewayUrl?: string
  policyHash?: string
  adminUrl?: string
  deployedPolicy?: { models?: Record<string, { kind?: string }> }
}

class StepFailed extends Error {}

export async function smokeCloud(opts: SmokeOptions, deps: SmokeDeps): Promise<boolean> {
  const stack = ['--stack', opts.stack]
  let ok = true
  const step = async (name: string, run: () => Promise<string>): Promise<void> => {
    try {
      deps.log(`✓ ${name}: ${await run()}`)
    } catch (e) {
      deps.log(`✗ ${name}: ${e instanceof Error ? e.message : String(e)}`)
      throw new StepFailed(name)
    }
  }
  const check = (condition: unknown, message: string): void => {
    if (!condition) throw new Error(message)
  }

  try {
    if (opts.up)
      await step('pulumi up', async () => {
        const { code } = await deps.pulumi(['up', '--yes', ...stack], { stream: true })
        check(code === 0, `pulumi up exited with ${code}`)
        return `stack ${opts.stack} deployed`
      })

    let out: Outputs = {}
    await step('stack outputs', async () => {
      const { code, stdout } = await deps.pulumi(['stack', 'output', '--json', ...stack], { stream: false })
      check(code === 0, `pulumi stack output exited with ${code}`)
      out = JSON.parse(stdout) as Outputs
      check(out.gatewayUrl && out.policyHash, 'the stack has no gatewayUrl / policyHash outputs: was it deployed?')
      return `gateway ${out.gatewayUrl}, policy ${out.policyHash?.slice(0, 12)}${out.adminUrl ? `, admin ${out.adminUrl}` : ''}`
    })
    const gatewayUrl = String(out.gatewayUrl).replace(/\/+$/, '')

    await step('gateway /health', async () => {
      const res = await deps.fetch(`${gatewayUrl}/health`, { signal: AbortSignal.timeout(15_000) })
      check(res.status === 200, `GET ${gatewayUrl}/health answered ${res.status}`)
      const health = (await res.json()) as { policy_hash?: string; environment?: string }
      check(health.policy_hash === out.policyHash, `it serves policy ${health.policy_hash?.slice(0, 12)}, not the deployed ${out.policyHash?.slice(0, 12)}`)
      check(health.environment === 'production', `it runs as ${health.environment}, not production`)
      return `answers 200, policy ${health.policy_hash?.slice(0, 12)} (the one deployed), environment production`
    })

    await step('chat completion', async () => {
      check(opts.apiKey, 'set WATCHLLM_SMOKE_KEY to a gateway key the deployed policy lists (npm run key:new)')
      const models = Object.entries(out.deployedPolicy?.models ?? {})
      const model = opts.model ?? models.find(([, r]) => (r.kind ?? 'chat') === 'chat')?.[0]
      check(model, 'no chat model alias in the deployed policy: set WATCHLLM_SMOKE_MODEL')
      const client = new OpenAI({ apiKey: opts.apiKey, baseURL: `${gatewayUrl}/v1`, fetch: deps.fetch, maxRetries: 0, timeout: 60_000 })
      const { data, response } = await client.chat.completions
        .create({ model: String(model), messages: [{ role: 'user', content: `WatchLLM smoke test ${new Date().toISOString()}: answer with one word.` }], max_tokens: 16 })
        .withResponse()
      const provider = response.headers.get('x-watchllm-provider')
      check(data.choices[0]?.message.content, 'the answer has no content')
      check(provider && provider !== 'mock', `answered by ${provider ?? 'no provider'}: a deployed gateway must answer from a real provider`)
      return `${model} answered by ${provider}/${response.headers.get('x-watchllm-model')} (request ${response.headers.get('x-watchllm-request-id')}, cache ${response.headers.get('x-watchllm-cache')})`
    })

    if (out.adminUrl) {
      const adminUrl = out.adminUrl.replace(/\/+$/, '')
      await step('admin site behind Access', async () => {
        const anonymous = await deps.fetch(`${adminUrl}/api/overview`, { redirect: 'manual', signal: AbortSignal.timeout(15_000) })
        check(anonymous.status !== 200, `${adminUrl}/api/overview answered 200 to a visitor without Access: the site is public`)
        if (!opts.accessClientId || !opts.accessClientSecret)
          return `refused without Access (${anonymous.status}); set CF_ACCESS_CLIENT_ID / CF_ACCESS_CLIENT_SECRET to also read it through Access`
        const res = await deps.fetch(`${adminUrl}/api/overview`, {
          headers: { 'cf-access-client-id': opts.accessClientId, 'cf-access-client-secret': opts.accessClientSecret },
          redirect: 'manual',
          signal: AbortSignal.timeout(15_000),
        })
        check(res.status === 200, `with the service token it answered ${res.status} (is the token in watchllm:admin.serviceTokenIds?)`)
        const overview = (await res.json()) as { requests?: unknown }
        check(typeof overview.requests === 'number', 'the answer is not the admin API overview')
        return `refused without Access (${anonymous.status}); through Access /api/overview reports ${String(overview.requests)} request(s)`
      })
    }

    await step('second preview', async () => {
      const { code } = await deps.pulumi(['preview', '--expect-no-changes', ...stack], { stream: true })
      check(code === 0, `pulumi preview --expect-no-changes exited with ${code}: a second up would change something (see the diff above)`)
      return 'a second `pulumi up` would change nothing'
    })
  } catch (e) {
    if (!(e instanceof StepFailed)) throw e
    ok = false
  }

  if (opts.destroy) {
    try {
      await step('pulumi destroy', async () => {
        const { code } = await deps.pulumi(['destroy', '--yes', ...stack], { stream: true })
        check(code === 0, `pulumi destroy exited with ${code}`)
        return `stack ${opts.stack} destroyed`
      })
    } catch {
      ok = false
    }
  }
  deps.log(ok ? `smoke test of ${opts.stack} passed` : `smoke test of ${opts.stack} FAILED`)
  return ok
}

/** The real Pulumi CLI; streamed steps show Pulumi's own progress. */
export function pulumiCli(args: string[], options: { stream: boolean }): Promise<{ code: number; stdout: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn('pulumi', args, { stdio: ['ignore', options.stream ? 'inherit' : 'pipe', 'inherit'] })
    let stdout = ''
    child.stdout?.on('data', (c: Buffer) => (stdout += c.toString()))
    child.on('error', reject)
    child.on('exit', (code) => resolve({ code: code ?? 1, stdout }))
  })
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { parseArgs } = await import('node:util')
  const { values } = parseArgs({ options: { stack: { type: 'string', short: 's' }, destroy: { type: 'boolean', default: false }, 'no-up': { type: 'boolean', default: false } } })
  if (!values.stack) {
    console.error('usage: npm run smoke:cloud -- --stack <stack> [--destroy] [--no-up]')
    process.exit(2)
  }
  const env = process.env
  const ok = await smokeCloud(
    {
      stack: values.stack,
      destroy: values.destroy,
      up: !values['no-up'],
      apiKey: env['WATCHLLM_SMOKE_KEY'],
      model: env['WATCHLLM_SMOKE_MODEL'],
      accessClientId: env['CF_ACCESS_CLIENT_ID'],
      accessClientSecret: env['CF_ACCESS_CLIENT_SECRET'],
    },
    { pulumi: pulumiCli, fetch, log: (l) => console.log(l) },
  )
  process.exitCode = ok ? 0 : 1
}
