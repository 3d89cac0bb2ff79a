/**
 * Loads infra/index.ts the way Pulumi.yaml configures the Node runtime (`node --import tsx`,
 * ESM, dynamic import of the entry), under mocks, then rebuilds every dynamic provider from the
 * text Pulumi would store in state. Prints one JSON line for infra/runtime.test.ts.
 * Usage: node --import tsx infra/testing/tsx-entry.ts <bundleDir>  (its index.js embeds the policy hash)
 */
import { createRequire } from 'node:module'
import * as pulumi from '@pulumi/pulumi'
import { startFakeCloudflare } from './fake-cloudflare-api.ts'
import { installMocks, reveal } from './mocks.ts'

const bundleDir = process.argv[2] ?? ''
const api = await startFakeCloudflare('tsx-token')
process.env['CLOUDFLARE_API_TOKEN'] = 'tsx-token'
const resources = await installMocks('tsx')
const secret = (k: string, v: string): [string, string] => [`watchllm:${k}`, v]
pulumi.runtime.setAllConfig(
  Object.fromEntries([
    ['watchllm:accountId', '0123456789abcdef0123456789abcdef'],
    ['watchllm:policyDir', 'infra/testing/production-policy'],
    ['watchllm:build', JSON.stringify({ workerBundleDir: bundleDir })],
    ['watchllm:semantic', JSON.stringify({ enabled: true })],
    ['watchllm:api', JSON.stringify({ cloudflare: api.url })],
    secret('OPENAI_API_KEY', 'k1'),
    secret('ANTHROPIC_API_KEY', 'k2'),
    secret('GROQ_API_KEY', 'k3'),
    secret('adminToken', 'k4'),
  ]),
  ['watchllm:OPENAI_API_KEY', 'watchllm:ANTHROPIC_API_KEY', 'watchllm:GROQ_API_KEY', 'watchllm:adminToken'],
)
const program = (await import('../index.ts')) as Record<string, unknown>
const policyHash = await new Promise((resolve) => pulumi.output(program['policyHash'] as pulumi.Input<string>).apply(resolve))
await pulumi.runtime.disconnect()

const require = createRequire(import.meta.url)
type Provider = Record<string, unknown> & { create: (inputs: unknown) => Promise<{ id: string }> }
const providers = resources
  .filter((r) => r.type.startsWith('pulumi-nodejs:dynamic/'))
  .map((r) => {
    const module: { exports: Record<string, unknown> } = { exports: {} }
    new Function('exports', 'module', 'require', String(r.inputs['__provider']))(module.exports, module, require)
    const provider = (module.exports['handler'] as () => Provider)()
    return { type: r.type, inputs: reveal(r.inputs), provider }
  })
// Run the rebuilt Vectorize provider for real, against the fake API the program was pointed at.
const vectorize = providers.find((p) => p.type.endsWith(':VectorizeIndex'))
const created = await vectorize?.provider.create(vectorize.inputs)
await api.close()
const summary = {
  node: process.versions.node,
  policyHash,
  types: resources.map((r) => r.type),
  providers: providers.map((p) => ({ type: p.type, methods: ['create', 'read', 'update', 'delete', 'diff'].filter((m) => typeof p.provider[m] === 'function') })),
  createdIndex: created?.id,
  fakeIndexes: [...api.indexes.values()].map((i) => ({ name: i.name, config: i.config })),
}
process.stdout.write(`${JSON.stringify(summary)}\n`)
