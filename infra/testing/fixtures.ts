/**
 * Shared fixtures for the whole-program tests: resource type tokens, stack settings with every
 * optional part off or on, fake secrets, a fake worker bundle and admin build.
 */
import { createHash } from 'node:crypto'
import { formatPolicyIssues, loadPolicyDir } from '../../worker/src/policy/load.ts'
import { afterAll } from 'vitest'
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
  accessPolicy: 'cloudflare:index/zeroTrustAccessPolicy:ZeroTrustAccessPolicy',
  accessApp: 'cloudflare:index/zeroTrustAccessApplication:ZeroTrustAccessApplication',
  upload: 'pulumi-nodejs:dynamic/watchllm:PagesUpload',
} as const

/** A production-ready policy (the demo without `mock` and the local-only key): what deploys compile. */
export const productionPolicyDir = 'infra/testing/production-policy'

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
  /** The fake Cloudflare API the program reads the workers.dev subdomain from. */
  cloudflare: undefined as FakeCloudflare | undefined,
}

/**
 * Compiles the production policy fixture and writes a fake bundle (embedding its hash), admin build
 * and Postgres migrations; starts a fake Cloudflare API for the program's own reads (closed after the file).
 */
export async function loadFixtures(): Promise<void> {
  fx.cloudflare = await startFakeCloudflare(fakeCloudflareToken)
  afterAll(() => fx.cloudflare?.close())
  const policy = await loadPolicyDir(productionPolicyDir, { environment: 'production' })
  if (!policy.ok) throw new Error(formatPolicyIssues(policy.error))
  fx.policyHash = policy.value.hash
  fx.policySecrets = policy.value.secrets
  fx.providerKeys = Object.fromEntries(fx.policySecrets.map((name, i) => [name, `sk-SECRET-${name}-${i}`]))
  fx.bundleDir = await fakeBundleDir(`export default { fetch() {} } // policy ${fx.policyHash}`)
  fx.adminDir = await tempTree({ 'index.html': '<h1>WatchLLM admin</h1>', '_worker.js/index.js': 'export default {}', '_routes.json': '{"version":1,"include":["/api/*"],"exclude":[]}' })
  fx.postgresDir = await tempTree({ '0001_usage.sql': 'CREATE TABLE usage_events (id text PRIMARY KEY);' })
}

/** The token the program's own API reads use (runProgram's default CLOUDFLARE_API_TOKEN). */
export const fakeCloudflareToken = 'test-cloudflare-token'
const api = (): Record<string, unknown> => ({ cloudflare: fx.cloudflare?.url })
export const core = (): Record<string, unknown> => ({ accountId, policyDir: productionPolicyDir, api: api(), build: { workerBundleDir: fx.bundleDir } })
export const allOn = (): Record<string, unknown> => ({
  accountId,
  policyDir: productionPolicyDir,
  api: api(),
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
  admin: [T.pages, T.upload, T.accessPolicy, T.accessApp],
  domain: [T.customDomain],
} as const
export const optionalTypes: string[] = Object.values(partTypes).flat()
