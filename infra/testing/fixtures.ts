/**
 * Shared fixtures for the whole-program tests: resource type tokens, stack settings with every
 * optional part off or on, fake secrets, a fake worker bundle and admin build.
 */
import { createHash } from 'node:crypto'
import { afterAll } from 'vitest'
import { formatPolicyIssues, loadPolicyDir } from '../../worker/src/policy/load.ts'
import { startFakeCloudflare, type FakeCloudflare } from './fake-cloudflare-api.ts'
import { reveal } from './mocks.ts'
import { fakeBundleDir, tempTree, type ProgramRun } from './program.ts'

export const T = {
  script: 'cloudflare:index/workersScript:WorkersScript',
  kv: 'cloudflare:index/workersKvNamespace:WorkersKvNamespace',
  d1: 'cloudflare:index/d1Database:D1Database',
  d1Migrations: 'pulumi-nodejs:dynamic/watchllm:D1Migrations',
  queue: 'cloudflare:index/queue:Queue',
  consumer: 'cloudflare:index/queueConsumer:QueueConsumer',
  workersDev: 'cloudflare:index/workersScriptSubdomain:WorkersScriptSubdomain',
  customDomain: 'cloudflare:index/workersCustomDomain:WorkersCustomDomain',
  route: 'cloudflare:index/workersRoute:WorkersRoute',
  cron: 'cloudflare:index/workersCronTrigger:WorkersCronTrigger',
  vectorize: 'pulumi-nodejs:dynamic/watchllm:VectorizeIndex',
  redis: 'upstash:index/redisDatabase:RedisDatabase',
  supabaseProject: 'pulumi-nodejs:dynamic/watchllm:SupabaseProject',
  supabaseMigrations: 'pulumi-nodejs:dynamic/watchllm:SupabaseMigrations',
  hyperdrive: 'cloudflare:index/hyperdriveConfig:HyperdriveConfig',
  pages: 'cloudflare:index/pagesProject:PagesProject',
  deploy: 'command:local:Command',
  accessPolicy: 'cloudflare:index/zeroTrustAccessPolicy:ZeroTrustAccessPolicy',
  accessApp: 'cloudflare:index/zeroTrustAccessApplication:ZeroTrustAccessApplication',
} as const

export const accountId = '0123456789abcdef0123456789abcdef'
export const adminToken = 'lgw_admin_SECRET_token_4f1c'
export const dbPassword = 'supabase-db-password-SECRET-5e2d'
export const sha256 = (s: string): string => createHash('sha256').update(s).digest('hex')

export const fx = {
  policySecrets: [] as string[],
  providerKeys: {} as Record<string, string>,
  policyHash: '',
  bundleDir: '',
  adminDir: '',
  postgresDir: '',
  /** A fake Cloudflare API: the program asks it for the deployed Durable Object migration tag. */
  cloudflareApi: '',
}

let cloudflare: FakeCloudflare | undefined
afterAll(async () => {
  await cloudflare?.close()
  cloudflare = undefined
})

/** Compiles the repo's policy and writes a fake bundle (embedding its hash), admin build and Postgres migrations. */
export async function loadFixtures(): Promise<void> {
  const policy = await loadPolicyDir('policies')
  if (!policy.ok) throw new Error(formatPolicyIssues(policy.error))
  fx.policyHash = policy.value.hash
  fx.policySecrets = policy.value.secrets
  fx.providerKeys = Object.fromEntries(fx.policySecrets.map((name, i) => [name, `sk-SECRET-${name}-${i}`]))
  fx.bundleDir = await fakeBundleDir(`export default { fetch() {} } // policy ${fx.policyHash}`)
  fx.adminDir = await tempTree({ 'index.html': '<h1>WatchLLM admin</h1>', '_worker.js/index.js': 'export default {}' })
  fx.postgresDir = await tempTree({ '0001_usage.sql': 'CREATE TABLE usage_events (id text PRIMARY KEY);' })
  cloudflare ??= await startFakeCloudflare('test-cloudflare-token')
  fx.cloudflareApi = cloudflare.url
}

export const core = (): Record<string, unknown> => ({ accountId, build: { workerBundleDir: fx.bundleDir }, api: { cloudflare: fx.cloudflareApi } })
export const allOn = (): Record<string, unknown> => ({
  accountId,
  api: { cloudflare: fx.cloudflareApi },
  upstash: { enabled: true, primaryRegion: 'eu-west-1' },
  supabase: { enabled: true, organizationId: 'acme-org', region: 'eu-central-1' },
  semantic: { enabled: true },
  admin: { enabled: true, emails: ['ops@example.com'] },
  domain: { hostname: 'llm.example.com', zoneName: 'example.com' },
  build: { workerBundleDir: fx.bundleDir, adminDistDir: fx.adminDir, postgresMigrationsDir: fx.postgresDir },
})
export const secrets = (extra: Record<string, string> = {}): Record<string, string> => ({ ...fx.providerKeys, adminToken, ...extra })
export const scriptBindings = (run: ProgramRun): { name: string; type: string; [k: string]: unknown }[] =>
  reveal(run.one(T.script).inputs['bindings']) as { name: string; type: string }[]

export const partTypes = {
  upstash: [T.redis],
  semantic: [T.vectorize],
  supabase: [T.supabaseProject, T.supabaseMigrations, T.hyperdrive],
  admin: [T.pages, T.deploy, T.accessPolicy, T.accessApp],
  domain: [T.customDomain],
} as const
export const optionalTypes: string[] = Object.values(partTypes).flat()
